// Reads the files a user names as a side: run logs, or one baseline file.
// A baseline is told from a log by its content (`"kind": "kernel-bench-baseline"`).
import { readFile, stat } from 'node:fs/promises';
import { InputError, unreadable } from '../errors.ts';
import { parseRunLog } from '../runlog/read.ts';
import type { RunLog } from '../runlog/types.ts';
import { isBaseline, parseBaseline, type LoadedBaseline } from './baseline.ts';
import type { Side } from './compare.ts';

export async function readSideFile(path: string): Promise<RunLog | LoadedBaseline> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new InputError(
      `cannot read ${path}: ${unreadable(error)}; expected a run log or a baseline file`,
    );
  }
  if (text.trimStart().startsWith('{')) {
    try {
      const value: unknown = JSON.parse(text);
      if (isBaseline(value)) return { baseline: parseBaseline(value, path), path };
    } catch {
      // Not one JSON document: a run log (one object per line).
    }
  }
  return parseRunLog(text, path);
}

/** One side from one or more files: several run logs, or exactly one baseline. */
export async function loadSide(paths: readonly string[]): Promise<Side> {
  const files = await Promise.all(paths.map(readSideFile));
  const baselines = files.filter((f): f is LoadedBaseline => 'baseline' in f);
  if (baselines.length === 0) return { logs: files as RunLog[] };
  if (files.length === 1) return baselines[0]!;
  throw new InputError(
    `${baselines[0]!.path} is a baseline and cannot be combined with other files on one side ` +
      `(${paths.join(', ')}); give either run logs or one baseline`,
  );
}

/**
 * True for a baselines directory: an existing directory, or a path that does
 * not exist yet and does not name a file (`baselines/`, not `x.json` or
 * `x.log`), so the first run of a project reads "no baseline yet".
 */
export async function isBaselineDir(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isDirectory();
  } catch {
    return !/\.(json|log)$/i.test(path);
  }
}

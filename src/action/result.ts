// The leg result file: what one `mode: run` leg hands to `mode: report`
// through its artifact. Plain JSON, versioned; report mode refuses other
// schemas rather than guessing.
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { InputError } from '../errors.ts';
import type { Comparison, Status } from '../compare/types.ts';

export const RESULT_FILE = 'kernel-bench-result.json';
export const RESULT_SCHEMA = 'kernel-bench-leg-result/1' as const;

/** A Comparison status, or what a leg says when it had nothing to compare. */
export type LegVerdict = Status | 'no-baseline' | 'failed';
export const VERDICT_ORDER: readonly LegVerdict[] = [
  'failed',
  'regressed',
  'noisy',
  'improved',
  'no-baseline',
  'unchanged',
];

export interface ScriptResult {
  /** Script path relative to the working directory, with `/`. */
  script: string;
  /** Baseline name: the script's base name without `.cmds`. */
  name: string;
  verdict: LegVerdict;
  regressions: string[];
  /** Baseline file compared against (relative to the working directory), null when none. */
  baseline: string | null;
  /**
   * Set when the `base-ref` input was: the base commit ran in the same job,
   * interleaved with this checkout, instead of a stored baseline.
   */
  baseRef?: { ref: string; sha: string; rounds: number };
  /**
   * Baseline (side `a`, when there is one) against this leg's runs (the
   * last side). Without a baseline: the runs alone, for the figures. With
   * `baseRef`: the base commit's runs (`a`) against this checkout's (`b`).
   */
  comparison: Comparison | null;
  /** Per iteration, paths relative to the artifact root. */
  runs: Array<{
    /** With `baseRef`: which kernel made this run. */
    side?: 'base' | 'candidate';
    stamp: string;
    outcome: 'complete' | 'failed';
    reason?: string;
    log: string;
    samples: string;
    kernelLog: string;
  }>;
}

export interface LegResult {
  schema: typeof RESULT_SCHEMA;
  leg: {
    /** `linux-x64`, `darwin-arm64`: the baseline folder too. */
    key: string;
    os: string;
    arch: string;
    /** RUNNER_NAME on GitHub, the host name elsewhere. */
    runner: string;
  };
  event: {
    name: string;
    repo: string;
    runId: number;
    runAttempt: number;
    sha: string;
    /** Stored so a `workflow_run` commenter knows the PR even for forks, where GitHub omits it. */
    pr: number | null;
    headSha: string | null;
  };
  /** Artifacts holding the scripts' results, logs and samples; empty when not uploaded. */
  artifacts: string[];
  verdict: LegVerdict;
  regressions: number;
  scripts: ScriptResult[];
}

/** The worst of several verdicts, in VERDICT_ORDER. */
export function worstVerdict(verdicts: LegVerdict[]): LegVerdict {
  for (const v of VERDICT_ORDER) if (verdicts.includes(v)) return v;
  return 'unchanged';
}

export async function readLegResult(path: string): Promise<LegResult> {
  let data: unknown;
  try {
    data = JSON.parse(await readFile(path, 'utf8'));
  } catch (error) {
    throw new InputError(`${path}: not a readable JSON leg result (${(error as Error).message})`);
  }
  const schema = (data as { schema?: unknown })?.schema;
  if (schema !== RESULT_SCHEMA) {
    throw new InputError(
      `${path}: schema is ${JSON.stringify(schema)}; expected '${RESULT_SCHEMA}' ` +
        `(legs and report must use the same kernel-bench version)`,
    );
  }
  return data as LegResult;
}

/** Every leg result file under `dir`, at any depth, sorted by leg key. */
export async function findLegResults(dir: string): Promise<LegResult[]> {
  let names: string[];
  try {
    names = (await readdir(dir, { recursive: true })).map(String);
  } catch (error) {
    throw new InputError(`results directory ${dir} cannot be read: ${(error as Error).message}`);
  }
  const files = names.filter((n) => n === RESULT_FILE || n.endsWith(`/${RESULT_FILE}`)).sort();
  const legs = await Promise.all(files.map((f) => readLegResult(join(dir, f))));
  return legs.sort((a, b) => a.leg.key.localeCompare(b.leg.key));
}

/**
 * One LegResult per leg key from many files: the scripts of every file of
 * that leg, the latest run attempt winning when a script appears twice.
 */
export function mergeLegs(results: LegResult[]): LegResult[] {
  const byLeg = new Map<string, LegResult>();
  const sorted = [...results].sort((a, b) => a.event.runAttempt - b.event.runAttempt);
  for (const r of sorted) {
    const leg = byLeg.get(r.leg.key);
    if (!leg) {
      byLeg.set(r.leg.key, structuredClone(r));
      continue;
    }
    for (const s of r.scripts) {
      const i = leg.scripts.findIndex((x) => x.script === s.script);
      if (i >= 0) leg.scripts[i] = s;
      else leg.scripts.push(s);
    }
    leg.event = r.event;
    leg.artifacts = [...new Set([...leg.artifacts, ...r.artifacts])];
  }
  for (const leg of byLeg.values()) {
    leg.scripts.sort((a, b) => a.script.localeCompare(b.script));
    leg.verdict = worstVerdict(leg.scripts.map((s) => s.verdict));
    leg.regressions = leg.scripts.reduce((n, s) => n + s.regressions.length, 0);
  }
  return [...byLeg.values()].sort((a, b) => a.leg.key.localeCompare(b.leg.key));
}

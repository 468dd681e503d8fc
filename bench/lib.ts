// Shared by the benchmarks: short runs of the real runner against the
// emulated kernel, a result record, and the "print the figure last, exit
// non-zero on a miss" convention of each bench/<name>.ts.
import { copyFile, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { execa } from 'execa';
import { bundle } from '../scripts/build.mjs';
import { repoRoot } from '../src/emulator/locate.ts';
import { runScript, type RunOptions, type RunResult } from '../src/run/runner.ts';

/** The emulator's rescan interval in every benchmark: short runs, same code paths. */
export const UPDATE_INTERVAL = '100ms';

export interface BenchResult {
  name: string;
  /** What was measured, e.g. `harness / autocannon requests per second`. */
  what: string;
  /** The figure, as printed. */
  figure: string;
  target: string;
  ok: boolean;
  /** Settings and raw numbers, for BENCHMARKS.md. */
  details: string[];
  seconds?: number;
}

const temps: string[] = [];

export async function tempDir(prefix = 'kb-bench-'): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  temps.push(dir);
  return dir;
}

export async function cleanup(): Promise<void> {
  for (const dir of temps.splice(0)) await rm(dir, { recursive: true, force: true });
}

/**
 * The CLI and the emulated kernel bundled from the current sources the way
 * scripts/build.mjs bundles dist/, in a directory laid out like a checkout:
 * what users run, started with plain node, without tsx in the process.
 */
export async function bundledCli(): Promise<{ cli: string; emulator: string[] }> {
  const repo = repoRoot();
  const dir = await tempDir('kb-bench-cli-');
  // The emulator locator finds dist/emulator.js and templates/ by walking up to package.json.
  await copyFile(join(repo, 'package.json'), join(dir, 'package.json'));
  await symlink(join(repo, 'templates'), join(dir, 'templates'));
  await bundle(join(dir, 'dist'), { cli: 'src/cli/main.ts', emulator: 'src/emulator/main.ts' });
  // The command the bundled CLI starts its emulated kernel with (see emulatorCommand).
  const emulator = [process.execPath, '--expose-gc', join(dir, 'dist', 'emulator.js')];
  return { cli: join(dir, 'dist', 'cli.js'), emulator };
}

/**
 * `node CLI run SCRIPT` as the benchmarks start the bundled CLI: the bench
 * rescan interval, no report, logs in `outDir`; `extra` flags after them.
 */
export function cliRun(cli: string, scriptPath: string, outDir: string, extra: string[] = []) {
  return execa(
    process.execPath,
    [
      cli,
      'run',
      scriptPath,
      '--update-interval',
      UPDATE_INTERVAL,
      '--no-report',
      '--out',
      outDir,
      ...extra,
    ],
    { all: true, reject: false },
  );
}

/** A script file from lines (written to a temp dir). */
export async function script(name: string, lines: string[]): Promise<string> {
  const path = join(await tempDir(), `${name}.cmds`);
  await writeFile(path, lines.join('\n') + '\n');
  return path;
}

/** One run of `scriptPath` on the emulated kernel, quiet, logs in a temp dir. */
export async function run(
  scriptPath: string,
  env: Record<string, string> = {},
  extra: Partial<RunOptions> = {},
): Promise<RunResult> {
  const result = await runScript({
    scriptPath,
    outDir: extra.outDir ?? (await tempDir()),
    updateInterval: UPDATE_INTERVAL,
    progress: 'none',
    log: () => {},
    env,
    ...extra,
  });
  if (result.outcome !== 'complete') {
    throw new Error(`benchmark run of ${scriptPath} failed: ${result.reason}`);
  }
  return result;
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

export const fmt = (n: number, digits = 1) =>
  n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: 0 });

/** Runs `bench` when the module is the entry point: prints details, then the figure last. */
export async function runIfMain(
  url: string,
  bench: () => Promise<BenchResult | BenchResult[]>,
): Promise<void> {
  if (process.argv[1] === undefined || pathToFileURL(process.argv[1]).href !== url) return;
  const started = performance.now();
  let results: BenchResult[];
  try {
    const out = await bench();
    results = Array.isArray(out) ? out : [out];
  } finally {
    await cleanup();
  }
  for (const r of results) for (const d of r.details) console.log(`  ${d}`);
  console.log(`(${fmt((performance.now() - started) / 1000)} s)`);
  for (const r of results) {
    console.log(`${r.ok ? 'PASS' : 'MISS'} ${r.name}: ${r.figure} (target ${r.target})`);
  }
  process.exitCode = results.every((r) => r.ok) ? 0 : 1;
}

// Baselines: the figures of several runs of one script on one platform, kept
// in the repository as `<dir>/<os>-<arch>/<script name>.json`. Every raw
// per-run value is kept, so a baseline stands in for its logs in a comparison.
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { interquartileRange, median, sampleStandardDeviation } from 'simple-statistics';
import { InputError, unreadable } from '../errors.ts';
import type { MachineLine, RunLog, RunSettings } from '../runlog/types.ts';
import { describeDifferences, provenanceDifferences } from './provenance.ts';
import { rowsOf, runOfLog, type Row, type Run } from './rows.ts';
import { METRICS, type Metric } from './types.ts';

export const BASELINE_KIND = 'kernel-bench-baseline' as const;
export const BASELINE_SCHEMA = 1 as const;

/** Median and spread of one metric over the runs, and the raw values. */
export interface MetricSummary {
  median: number;
  min: number;
  max: number;
  /** Sample standard deviation; 0 with one run. */
  stdev: number;
  /** Interquartile range; 0 with one run. */
  iqr: number;
  /** Raw value per run, in run order (null: that run lacks it). */
  runs: (number | null)[];
}

export interface BaselineEntry {
  /** 0-based position in the log; stop is last. */
  index: number;
  cmd: string;
  line: number | null;
  stop: boolean;
  /** Cumulative skills deployed by kind after this entry. */
  deployed: Record<string, number>;
  /** Only metrics at least one run measured. */
  metrics: Partial<Record<Metric, MetricSummary>>;
  /** Per run: entry marked failed, stop needed SIGKILL. */
  failed: boolean[];
  killed: boolean[];
}

export interface Baseline {
  kind: typeof BASELINE_KIND;
  schema: typeof BASELINE_SCHEMA;
  /** `linux-x64`, `darwin-arm64`, ... (see `platformOf`). */
  platform: string;
  script: { filename: string; name: string; hash: string };
  provenance: {
    kernelHash: string | null;
    /** Git commit of the kernel, when the log's binary line has it. */
    commit: string | null;
    bin: string;
    emulated: boolean;
    /** API profile of the runs; absent in baselines saved before it was recorded. */
    api?: string | null;
    /** Run settings of the runs (all equal); absent in baselines saved before they were recorded. */
    settings?: RunSettings | null;
    /** When the baseline was saved, ISO 8601. */
    date: string;
    machine: MachineLine;
    runs: number;
    /** File names of the logs it was made from. */
    logs: string[];
  };
  entries: BaselineEntry[];
}

/** A baseline and the file it came from. */
export interface LoadedBaseline {
  baseline: Baseline;
  path: string;
}

const ARCHES: Record<string, string> = {
  x86_64: 'x64',
  amd64: 'x64',
  x64: 'x64',
  arm_8: 'arm64',
  arm_9: 'arm64',
  aarch64: 'arm64',
  arm64: 'arm64',
};

/**
 * Node-style platform of a run (`process.platform`-`process.arch`, e.g.
 * `linux-x64`, `darwin-arm64`). The arch comes from the machine line
 * (`X86_64` → x64, `ARM_8` → arm64, others lowercased). The os comes from the
 * machine line's `os`; legacy logs have none, so it is guessed: an `Apple`
 * CPU brand or a `/Users/` binary path → darwin, a `/home/` path → linux,
 * else `unknown`.
 */
export function platformOf(machine: MachineLine, bin = ''): string {
  const rawArch = (machine.arch ?? 'unknown').toLowerCase();
  const arch = ARCHES[rawArch] ?? rawArch;
  let os = machine.os ?? null;
  if (!os) {
    if (machine.brand?.startsWith('Apple') || bin.startsWith('/Users/')) os = 'darwin';
    else if (bin.startsWith('/home/') || bin.startsWith('/root/')) os = 'linux';
    else os = 'unknown';
  }
  return `${os}-${arch}`;
}

/** `cmds/bench.cmds` → `bench`. */
export function scriptName(filename: string): string {
  return basename(filename).replace(/\.cmds$/, '');
}

function summarize(values: (number | null)[]): MetricSummary | undefined {
  const xs = values.filter((v): v is number => v !== null);
  if (xs.length === 0) return undefined;
  return {
    median: median(xs),
    min: Math.min(...xs),
    max: Math.max(...xs),
    stdev: xs.length > 1 ? sampleStandardDeviation(xs) : 0,
    iqr: xs.length > 1 ? interquartileRange(xs) : 0,
    runs: values,
  };
}

/** Builds a baseline from complete runs of one script, one kernel, one platform. */
export function makeBaseline(logs: RunLog[], date = new Date()): Baseline {
  if (logs.length === 0) throw new InputError('baseline save: no run logs given');
  const runs = logs.map(runOfLog);
  const first = runs[0]!;
  const platform = platformOf(first.machine, first.binary.bin);
  for (const run of runs) {
    if (run.script.hash !== first.script.hash) {
      throw new InputError(
        `${run.path} ran script ${run.script.filename} (hash ${run.script.hash}) but ${first.path} ran ` +
          `${first.script.filename} (hash ${first.script.hash}); a baseline holds runs of one script`,
      );
    }
    if (!run.stop || run.failure) {
      throw new InputError(
        `${run.path}: ${run.failure ? `the run failed (${run.failure})` : 'no stop entry (incomplete run)'}; ` +
          `a baseline is made from complete runs only`,
      );
    }
    if (run.binary.hash !== first.binary.hash) {
      throw new InputError(
        `${run.path} ran kernel ${run.binary.hash} but ${first.path} ran ${first.binary.hash}; ` +
          `a baseline holds runs of one kernel`,
      );
    }
    const diffs = provenanceDifferences(first.binary, run.binary);
    // Settings recorded on one run and not on another cannot be checked: refuse too.
    if (!first.binary.settings !== !run.binary.settings) {
      diffs.push({
        field: 'settings',
        a: first.binary.settings ? 'recorded' : 'not recorded',
        b: run.binary.settings ? 'recorded' : 'not recorded',
      });
    }
    if (diffs.length) {
      throw new InputError(
        `${first.path} and ${run.path} differ in ${describeDifferences(diffs)}; ` +
          `a baseline holds runs of one kernel, API and settings`,
      );
    }
    const p = platformOf(run.machine, run.binary.bin);
    if (p !== platform) {
      throw new InputError(
        `${run.path} ran on ${p} but ${first.path} on ${platform}; a baseline holds runs of one platform`,
      );
    }
    if (run.entries.length !== first.entries.length) {
      throw new InputError(
        `${run.path} has ${run.entries.length} entries but ${first.path} has ${first.entries.length}`,
      );
    }
  }
  const rowTable = runs.map(rowsOf);
  const entries: BaselineEntry[] = rowTable[0]!.map((row, index) => {
    const rows = rowTable.map((r) => r[index]!);
    const metrics: Partial<Record<Metric, MetricSummary>> = {};
    for (const metric of METRICS) {
      const s = summarize(rows.map((r) => r.values[metric]));
      if (s) metrics[metric] = s;
    }
    return {
      index,
      cmd: row.cmd,
      line: row.line,
      stop: row.stop,
      deployed: row.deployed,
      metrics,
      failed: rows.map((r) => r.failed),
      killed: rows.map((r) => r.killed),
    };
  });
  return {
    kind: BASELINE_KIND,
    schema: BASELINE_SCHEMA,
    platform,
    script: {
      filename: first.script.filename,
      name: scriptName(first.script.filename),
      hash: first.script.hash,
    },
    provenance: {
      kernelHash: first.binary.hash,
      commit: first.binary.commit,
      bin: first.binary.bin,
      emulated: first.binary.emulated,
      api: first.binary.api,
      settings: first.binary.settings,
      date: date.toISOString(),
      machine: first.machine,
      runs: runs.length,
      logs: runs.map((r) => basename(r.path)),
    },
    entries,
  };
}

export interface SavedBaseline extends LoadedBaseline {
  /** True when a baseline file already existed at `path` and was overwritten. */
  replaced: boolean;
  /** One line for the user: `saved PATH (...)` or `replaced PATH (...; was ...)`. */
  message: string;
}

/**
 * Writes `<outDir>/<os>-<arch>/<script name>.json`; returns the path, the
 * baseline, and whether an existing file was replaced (with a message saying so).
 */
export async function saveBaseline(logs: RunLog[], outDir: string): Promise<SavedBaseline> {
  const baseline = makeBaseline(logs);
  const dir = join(outDir, baseline.platform);
  await mkdir(dir, { recursive: true });
  const path = join(dir, `${baseline.script.name}.json`);
  const previous = await describeExisting(path);
  await writeFile(path, JSON.stringify(baseline, null, 2) + '\n');
  const p = baseline.provenance;
  const what =
    `${p.runs} run${p.runs === 1 ? '' : 's'}, script hash ${baseline.script.hash}, ` +
    `kernel ${p.kernelHash ?? 'unknown'}`;
  const replaced = previous !== null;
  const message = replaced
    ? `replaced ${path} (${what}; the previous baseline was ${previous})`
    : `saved ${path} (${what})`;
  return { baseline, path, replaced, message };
}

/** What the file at `path` held, for the "replaced" message; null when there is no file. */
async function describeExisting(path: string): Promise<string | null> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    return 'unreadable';
  }
  try {
    const old = JSON.parse(text) as Partial<Baseline>;
    const p = old.provenance;
    if (!isBaseline(old) || !p) return 'not a baseline';
    return `${p.runs} run(s) of kernel ${p.kernelHash ?? 'unknown'}, saved ${p.date}`;
  } catch {
    return 'not JSON';
  }
}

/** True when a parsed JSON value looks like a baseline (used to tell baselines from logs). */
export function isBaseline(value: unknown): value is Baseline {
  return (
    typeof value === 'object' &&
    value !== null &&
    (value as { kind?: unknown }).kind === BASELINE_KIND
  );
}

/** Checks a parsed baseline's shape; errors name the file and the field. */
export function parseBaseline(value: unknown, path: string): Baseline {
  if (!isBaseline(value)) {
    throw new InputError(
      `${path}: not a kernel-bench baseline (expected "kind": "${BASELINE_KIND}")`,
    );
  }
  if (value.schema !== BASELINE_SCHEMA) {
    throw new InputError(
      `${path}: baseline schema ${JSON.stringify(value.schema)}, expected ${BASELINE_SCHEMA}`,
    );
  }
  const runs = value.provenance?.runs;
  if (typeof value.script?.hash !== 'string' || !Array.isArray(value.entries) || !(runs >= 1)) {
    throw new InputError(`${path}: baseline lacks script.hash, entries or provenance.runs`);
  }
  value.entries.forEach((e, i) => {
    if (typeof e.cmd !== 'string' || typeof e.metrics !== 'object' || e.metrics === null) {
      throw new InputError(`${path}: baseline entry ${i + 1} lacks cmd or metrics`);
    }
    for (const [metric, s] of Object.entries(e.metrics)) {
      if (!Array.isArray(s?.runs) || s.runs.length !== runs) {
        throw new InputError(
          `${path}: baseline entry ${i + 1} (${e.cmd}) metric ${metric} has ` +
            `${Array.isArray(s?.runs) ? s.runs.length : 'no'} run values, expected ${runs}`,
        );
      }
    }
  });
  return value;
}

export async function loadBaseline(path: string): Promise<LoadedBaseline> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new InputError(`cannot read baseline ${path}: ${unreadable(error)}`, { cause: error });
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new InputError(`${path}: not JSON (${(error as Error).message}); expected a baseline`);
  }
  return { baseline: parseBaseline(value, path), path };
}

export function noBaselineMessage(platform: string, script: string): string {
  return `no baseline yet for ${platform}/${script}`;
}

export type FoundBaseline =
  (LoadedBaseline & { message?: undefined }) | { baseline: null; path: string; message: string };

/**
 * Looks for `<dir>/<os>-<arch>/<scriptName>.json`. A missing file is not a
 * failure: `baseline` is null and `message` reads "no baseline yet for
 * <os>-<arch>/<script>". With `scriptHash`, a baseline of another script
 * version is refused naming both hashes.
 */
export async function findBaseline(
  dir: string,
  os: string,
  arch: string,
  script: string,
  scriptHash?: string,
): Promise<FoundBaseline> {
  const name = scriptName(script);
  const platform = `${os}-${arch}`;
  const path = join(dir, platform, `${name}.json`);
  let loaded: LoadedBaseline;
  try {
    loaded = await loadBaseline(path);
  } catch (error) {
    const cause = error instanceof InputError ? (error.cause as NodeJS.ErrnoException) : null;
    if (cause?.code === 'ENOENT') {
      return { baseline: null, path, message: noBaselineMessage(platform, name) };
    }
    throw error;
  }
  if (scriptHash !== undefined) checkBaselineHash(loaded, scriptHash, script);
  return loaded;
}

export function checkBaselineHash(loaded: LoadedBaseline, hash: string, where: string): void {
  if (loaded.baseline.script.hash !== hash) {
    throw new InputError(
      `${loaded.path} is a baseline of script hash ${loaded.baseline.script.hash} but ${where} ` +
        `has hash ${hash}; save a new baseline for the changed script`,
    );
  }
}

/** Rebuilds the baseline's runs from its raw per-run values, for `compare`. */
export function runsOfBaseline({ baseline, path }: LoadedBaseline): Run[] {
  const p = baseline.provenance;
  return Array.from({ length: p.runs }, (_, r) => {
    const rows: Row[] = baseline.entries.map((e) => {
      const values = {} as Record<Metric, number | null>;
      for (const metric of METRICS) values[metric] = e.metrics[metric]?.runs[r] ?? null;
      return {
        cmd: e.cmd,
        line: e.line,
        stop: e.stop,
        values,
        deployed: e.deployed,
        failed: e.failed[r] === true,
        failures: [],
        killed: e.killed[r] === true,
      };
    });
    const stop = rows.at(-1)?.stop ? rows.pop()! : null;
    return {
      path,
      machine: p.machine,
      binary: {
        bin: p.bin,
        hash: p.kernelHash,
        commit: p.commit,
        emulated: p.emulated,
        api: p.api ?? null,
        settings: p.settings ?? null,
      },
      script: { filename: baseline.script.filename, hash: baseline.script.hash },
      entries: rows,
      stop,
      truncated: false,
      failure: null,
    };
  });
}

// One run in the form the comparison works on: the figures of each entry as
// plain numbers (null when the log lacks them), from a run log or rebuilt from
// a baseline. Also the skills deployed per entry and the memory slope.
import { linearRegression } from 'simple-statistics';
import type { Entry, MachineLine, RunLog, RunSettings } from '../runlog/types.ts';
import type { Metric } from './types.ts';

export interface Row {
  cmd: string;
  line: number | null;
  stop: boolean;
  values: Record<Metric, number | null>;
  /** Cumulative skills deployed by kind after this entry. */
  deployed: Record<string, number>;
  failed: boolean;
  failures: string[];
  killed: boolean;
}

export interface Run {
  path: string;
  machine: MachineLine;
  binary: {
    bin: string;
    hash: string | null;
    commit: string | null;
    emulated: boolean;
    /** API profile (`v1`, `2024`); null when the log does not say (legacy). */
    api: string | null;
    /** Run settings; null when the log does not record them (older logs). */
    settings: RunSettings | null;
  };
  script: { filename: string; hash: string };
  /** Script-line entries, without stop. */
  entries: Row[];
  stop: Row | null;
  truncated: boolean;
  /** Failed outcome line, or null. */
  failure: string | null;
}

/**
 * Failed requests of an entry: the sum of `requests.errors`; an entry marked
 * `failed` counts at least 1 (it could not complete). Null for logs that do
 * not record failures (legacy).
 */
export function errorsOf(entry: Entry): number | null {
  const fromRequests = entry.requests
    ? Object.values(entry.requests.errors).reduce((s, n) => s + (n ?? 0), 0)
    : null;
  if (entry.failed === true) return Math.max(1, fromRequests ?? 0);
  if (fromRequests !== null) return fromRequests;
  return entry.failed === false ? 0 : null;
}

function rowOf(entry: Entry, deployed: Record<string, number>): Row {
  return {
    cmd: entry.cmd,
    line: entry.line ?? null,
    stop: entry.cmd === 'stop',
    values: {
      took: entry.took,
      rss: entry.rss,
      rss_diff: entry.rss_diff,
      peak_rss: entry.peak_rss ?? null,
      cpu_ms: entry.cpu_ms ?? null,
      p95: entry.requests?.latency.p95 ?? null,
      first_exec_ms: entry.first_exec_ms ?? null,
      errors: errorsOf(entry),
    },
    deployed,
    failed: entry.failed === true,
    failures: entry.failures ?? [],
    killed: entry.killed === true,
  };
}

/**
 * Skills a command deploys, from its text: `add_py` → 1 py, `4 add_py` → 4,
 * `p_add_py 10` → 10, `2 p_add_rs 3` → 6. Null for other commands.
 */
export function deployOf(cmd: string): { kind: string; count: number; repeat: number } | null {
  const m = /^(?:(\d+)\s+)?(p_)?add_([A-Za-z0-9]+)(?:\s+(\d+))?\s*$/.exec(cmd.trim());
  if (!m) return null;
  const repeat = m[1] ? Number(m[1]) : 1;
  const per = m[2] ? Number(m[4] ?? 1) : 1;
  return { kind: m[3]!, count: repeat * per, repeat };
}

export function runOfLog(log: RunLog): Run {
  // The entry's `deployed` wins; legacy logs lack it, so count from the
  // commands. Deletions are not subtracted there: the slope only uses the
  // deploy entries, which come before any deletion in the scripts we have.
  let deployed: Record<string, number> = {};
  const entries = log.entries.map((entry) => {
    if (entry.deployed) {
      deployed = { ...entry.deployed };
    } else {
      const d = deployOf(entry.cmd);
      if (d) deployed = { ...deployed, [d.kind]: (deployed[d.kind] ?? 0) + d.count };
    }
    return rowOf(entry, deployed);
  });
  return {
    path: log.path,
    machine: log.machine,
    binary: {
      bin: log.binary.bin,
      hash: log.binary.hash,
      commit: log.binary.commit ?? null,
      emulated: log.binary.emulated === true,
      api: log.binary.api ?? null,
      settings: log.binary.settings ?? null,
    },
    script: { filename: log.script.filename, hash: log.script.hash },
    entries,
    stop: log.stop ? rowOf(log.stop, deployed) : null,
    truncated: log.truncated,
    failure: log.outcome?.outcome === 'failed' ? (log.outcome.reason ?? 'outcome failed') : null,
  };
}

/** Every row, stop last when there is one. */
export function rowsOf(run: Run): Row[] {
  return run.stop ? [...run.entries, run.stop] : run.entries;
}

/**
 * Memory per skill by kind: least squares of rss (KiB) against the number of
 * skills of that kind deployed, over the entries that deploy that kind. The
 * other kinds' counts are not held out: a script mixing kinds in its deploy
 * entries gets a blended slope (none of the scripts we have does).
 */
export function slopesOf(run: Run): Map<string, { kibPerSkill: number | null; points: number }> {
  const byKind = new Map<string, [number, number][]>();
  for (const row of run.entries) {
    const d = deployOf(row.cmd);
    if (!d || row.values.rss === null) continue;
    const x = row.deployed[d.kind];
    if (x === undefined) continue;
    const points = byKind.get(d.kind) ?? [];
    points.push([x, row.values.rss]);
    byKind.set(d.kind, points);
  }
  const out = new Map<string, { kibPerSkill: number | null; points: number }>();
  for (const [kind, points] of byKind) {
    const distinct = new Set(points.map(([x]) => x)).size;
    out.set(kind, {
      kibPerSkill: distinct >= 2 ? linearRegression(points).m : null,
      points: points.length,
    });
  }
  return out;
}

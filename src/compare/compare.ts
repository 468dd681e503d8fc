// The comparison: pure data in (run logs or baselines per side), one
// `Comparison` out, which every renderer draws from. The first side is `a`,
// the reference; every later side is judged against it.
import { median } from 'simple-statistics';
import { InputError } from '../errors.ts';
import type { RunLog } from '../runlog/types.ts';
import { platformOf, runsOfBaseline, type LoadedBaseline } from './baseline.ts';
import { formatNumber } from './format.ts';
import { describeDifferences, provenanceDifferences } from './provenance.ts';
import { legacyPct } from './legacy.ts';
import { deployOf, rowsOf, runOfLog, slopesOf, type Row, type Run } from './rows.ts';
import { ONE_RUN_GROSS, resolveThresholds, type Thresholds } from './thresholds.ts';
import {
  COMPARISON_SCHEMA,
  METRICS,
  STATUSES,
  type Comparison,
  type EntryComparison,
  type EntrySide,
  type Metric,
  type RunInfo,
  type SideTotals,
  type Slope,
  type Status,
  type Verdict,
} from './types.ts';
import { grossText, judge, judgeErrors, judgeKilled, judgeOutcome } from './verdict.ts';

/** One side: a run log, several runs of one kernel, or a baseline. */
export type Side = RunLog | { logs: RunLog[] } | LoadedBaseline;

export interface CompareInput {
  sides: Side[];
  thresholds?: Thresholds;
}

interface SideData {
  info: RunInfo;
  runs: Run[];
}

const LABELS = 'abcdefghijklmnopqrstuvwxyz';

function sideData(side: Side, index: number): SideData {
  const label = LABELS[index] ?? `s${index + 1}`;
  let runs: Run[];
  let source: RunInfo['source'];
  let paths: string[];
  if ('baseline' in side) {
    runs = runsOfBaseline(side);
    source = 'baseline';
    paths = [side.path];
  } else {
    const logs = 'logs' in side ? side.logs : [side];
    if (logs.length === 0) throw new InputError(`side ${label}: no run logs given`);
    runs = logs.map(runOfLog);
    source = 'logs';
    paths = logs.map((l) => l.path);
  }
  const first = runs[0]!;
  const info: RunInfo = {
    label,
    source,
    paths,
    runs: runs.length,
    machine: {
      brand: first.machine.brand,
      arch: first.machine.arch,
      platform: platformOf(first.machine, first.binary.bin),
      cores: first.machine.cores,
      memoryTotal: first.machine.memory_total,
    },
    kernel: { ...first.binary },
    script: first.script,
    truncated: runs.some((r) => r.truncated),
    incomplete: runs.some((r) => !r.stop),
    failed: runs.some((r) => r.failure !== null),
    failureReasons: runs.flatMap((r) => (r.failure ? [r.failure] : [])),
  };
  return { info, runs };
}

/** Refuses runs of other scripts and entries that do not line up. */
function checkAligned(all: Run[]): void {
  const ref = all[0]!;
  for (const run of all) {
    if (run.script.hash !== ref.script.hash) {
      throw new InputError(
        `${run.path} ran script ${run.script.filename} (hash ${run.script.hash}) but ${ref.path} ran ` +
          `${ref.script.filename} (hash ${ref.script.hash}); only runs of the same script compare`,
      );
    }
  }
  // The longest run is the reference for entries; shorter ones must be a prefix of it.
  const longest = all.reduce((l, r) => (r.entries.length > l.entries.length ? r : l));
  for (const run of all) {
    const n = Math.min(run.entries.length, longest.entries.length);
    for (let i = 0; i < n; i++) {
      if (run.entries[i]!.cmd !== longest.entries[i]!.cmd) {
        // Name the files in the order given, so a comes first.
        const [x, y] = all.indexOf(run) < all.indexOf(longest) ? [run, longest] : [longest, run];
        throw new InputError(
          `entry ${i + 1} differs: ${JSON.stringify(x.entries[i]!.cmd)} in ${x.path} but ` +
            `${JSON.stringify(y.entries[i]!.cmd)} in ${y.path}; the logs do not line up`,
        );
      }
    }
    // A run that stopped early (no stop, or a failed outcome) may be shorter.
    if (run.entries.length < longest.entries.length && run.stop && !run.failure) {
      throw new InputError(
        `${run.path} has ${run.entries.length} entries but ${longest.path} has ` +
          `${longest.entries.length} (first missing: entry ${run.entries.length + 1}, ` +
          `${JSON.stringify(longest.entries[run.entries.length]!.cmd)}); the logs do not line up`,
      );
    }
  }
}

function med(xs: (number | null)[]): number | null {
  const v = xs.filter((x): x is number => x !== null);
  return v.length ? median(v) : null;
}

function present(xs: (number | null)[]): number[] {
  return xs.filter((x): x is number => x !== null);
}

function emptyMetrics<T>(make: () => T): Record<Metric, T> {
  const out = {} as Record<Metric, T>;
  for (const m of METRICS) out[m] = make();
  return out;
}

function entrySide(label: string, rows: (Row | null)[]): EntrySide {
  const runs = emptyMetrics<(number | null)[]>(() => []);
  for (const m of METRICS) runs[m] = rows.map((r) => r?.values[m] ?? null);
  const values = emptyMetrics<number | null>(() => null);
  for (const m of METRICS) values[m] = med(runs[m]);
  return {
    label,
    present: rows.some((r) => r !== null),
    values,
    runs,
    pct: { took: null, rss_diff: null },
    failed: rows.some((r) => r?.failed === true),
    failures: rows.flatMap((r) => r?.failures ?? []).slice(0, 5),
    killed: rows.some((r) => r?.killed === true),
  };
}

/**
 * A deploy waits for the kernel's next rescan of its directory, once per
 * repetition: anywhere from 0 to one update interval, by the phase of the
 * rescan clock, not by anything the kernel does faster or slower. So a
 * deploy's `took` counts only beyond that much (`4 add_py` at 100 ms: 400 ms);
 * its load is judged on its own (`first_exec`). Null for other commands and
 * for logs that do not record the interval.
 */
function rescanFloor(cmd: string, a: SideData, b: SideData): { ms: number; why: string } | null {
  const deploy = deployOf(cmd);
  if (!deploy) return null;
  const intervals = [a, b].flatMap((s) => s.runs.map((r) => r.binary.settings?.update_interval_ms));
  if (intervals.some((ms) => ms === undefined)) return null;
  const interval = Math.max(...(intervals as number[]));
  const waits = deploy.repeat === 1 ? 'one rescan interval' : `${deploy.repeat} rescan intervals`;
  return { ms: deploy.repeat * interval, why: `${waits}: a deploy waits for the next rescan` };
}

/**
 * The run has no stop (it failed, was interrupted, or its log was cut): its
 * last entry and its totals are partial.
 */
function endedEarly(run: Run): boolean {
  return !run.stop;
}

/** The run ended during entry `index`. */
function cutAt(run: Run, index: number): boolean {
  return endedEarly(run) && index === run.entries.length - 1;
}

/**
 * A change measured on partial figures is not a finding either way: noisy,
 * with the reason. The failure itself is judged by the errors and outcome
 * verdicts, which always regress.
 */
function partial(verdict: Verdict, why: string): Verdict {
  if (verdict.status === 'unchanged') return verdict;
  return {
    ...verdict,
    status: 'noisy',
    reason: `${verdict.reason}, but ${why}: its figures are partial`,
  };
}

const ENTRY_METRICS = [
  ['took', 'took', 'ms'],
  ['rss_diff', 'rss_diff', 'KiB'],
  ['peak_rss', 'peak_rss', 'KiB'],
  ['p95', 'p95 latency', 'ms'],
  // Deploy entries only: the first execution includes the skill's load, which
  // `took` mixes with the wait for the rescan (dominated by the update interval).
  ['first_exec_ms', 'first execution (load)', 'ms'],
] as const;

/** Entry metric → the verdict metric and threshold it is judged with. */
const VERDICT_OF = {
  took: 'took',
  rss_diff: 'rss_diff',
  peak_rss: 'peak_rss',
  p95: 'p95',
  first_exec_ms: 'first_exec',
} as const;

export function compare(input: CompareInput): Comparison {
  if (input.sides.length < 2) {
    throw new InputError(`compare needs at least two sides (got ${input.sides.length})`);
  }
  const thresholds = resolveThresholds(input.thresholds);
  const sides = input.sides.map(sideData);
  checkAligned(sides.flatMap((s) => s.runs));
  const notes: string[] = [];

  // ---- entries ----
  const maxEntries = Math.max(...sides.flatMap((s) => s.runs.map((r) => r.entries.length)));
  const anyStop = sides.some((s) => s.runs.some((r) => r.stop));
  const rowCount = maxEntries + (anyStop ? 1 : 0);
  const entries: EntryComparison[] = [];
  for (let index = 0; index < rowCount; index++) {
    const isStop = index === maxEntries;
    const perSide = sides.map((s) =>
      s.runs.map((r) => (isStop ? r.stop : (r.entries[index] ?? null))),
    );
    const firstRow = perSide.flat().find((r) => r !== null)!;
    const entrySides = sides.map((s, i) => entrySide(s.info.label, perSide[i]!));
    const a = entrySides[0]!;
    const verdicts: Verdict[] = [];
    for (const [bIndex, b] of entrySides.slice(1).entries()) {
      // a or this side, where a run failed during this very command: what it measured is partial.
      const cutHere = isStop
        ? []
        : [sides[0]!, sides[bIndex + 1]!].filter((s) => s.runs.some((r) => cutAt(r, index)));
      b.pct = {
        took: legacyPct(a.values.took, b.values.took),
        rss_diff: legacyPct(a.values.rss_diff, b.values.rss_diff),
      };
      for (const [metric, name, unit] of ENTRY_METRICS) {
        // stop's rss_diff is minus the rss it held, and its peak is the last
        // command's memory: neither says anything about stopping.
        if (isStop && metric !== 'took') continue;
        const av = present(a.runs[metric]);
        const bv = present(b.runs[metric]);
        if (!av.length || !bv.length) continue;
        const judged = VERDICT_OF[metric];
        const rescan =
          metric === 'took' ? rescanFloor(firstRow.cmd, sides[0]!, sides[bIndex + 1]!) : null;
        const verdict = judge({
          metric: judged,
          side: b.label,
          name,
          a: av,
          b: bv,
          threshold: rescan
            ? { ...thresholds.took, floor: Math.max(thresholds.took.floor, rescan.ms) }
            : thresholds[judged],
          ...(rescan ? { floorWhy: rescan.why } : {}),
          unit,
          oneRunGross:
            metric === 'rss_diff'
              ? undefined
              : metric === 'peak_rss'
                ? ONE_RUN_GROSS.peak
                : ONE_RUN_GROSS.time,
        });
        verdicts.push(
          cutHere.length
            ? partial(
                verdict,
                `the run of ${cutHere.map((c) => c.info.label).join(' and ')} ended during this command`,
              )
            : verdict,
        );
      }
      const be = present(b.runs.errors);
      if (be.length && b.present) {
        // a lacking error counts (a legacy log) is read as no errors.
        verdicts.push(judgeErrors(b.label, present(a.runs.errors), be));
      }
      if (isStop && (a.killed || b.killed) && a.present && b.present) {
        verdicts.push(judgeKilled(b.label, a.killed, b.killed));
      }
    }
    entries.push({
      index,
      line: firstRow.line,
      cmd: firstRow.cmd,
      stop: isStop,
      sides: entrySides,
      verdicts,
    });
  }

  // ---- totals ----
  const totalsSides = sides.map((s) => sideTotals(s));
  const totalsVerdicts: Verdict[] = [];
  const ta = totalsSides[0]!;
  const aInfo = sides[0]!.info;
  for (let i = 1; i < sides.length; i++) {
    const tb = totalsSides[i]!;
    const bInfo = sides[i]!.info;
    const totalsStart = totalsVerdicts.length;
    // Total time of a run without stop is a partial sum: no percentage, no verdict.
    const tookJudged = !aInfo.incomplete && !bInfo.incomplete;
    tb.pct = {
      took: tookJudged ? legacyPct(ta.took, tb.took) : null,
      maxRss: legacyPct(ta.maxRss, tb.maxRss),
    };
    const label = bInfo.label;
    if (tookJudged) {
      totalsVerdicts.push(
        judge({
          metric: 'total_took',
          side: label,
          name: 'total time',
          a: ta.runs.took,
          b: tb.runs.took,
          threshold: thresholds.took,
          unit: 'ms',
          oneRunGross: ONE_RUN_GROSS.time,
        }),
      );
    }
    totalsVerdicts.push(
      judge({
        metric: 'max_rss',
        side: label,
        name: 'maximum rss',
        a: ta.runs.maxRss,
        b: tb.runs.maxRss,
        threshold: thresholds.rss,
        unit: 'KiB',
      }),
    );
    const ap = present(ta.runs.maxPeak);
    const bp = present(tb.runs.maxPeak);
    if (ap.length && bp.length) {
      totalsVerdicts.push(
        judge({
          metric: 'max_peak',
          side: label,
          name: 'maximum peak',
          a: ap,
          b: bp,
          threshold: thresholds.rss,
          unit: 'KiB',
          // The largest of the entries' peaks: with one run a side, as noisy as they are.
          oneRunGross: ONE_RUN_GROSS.peak,
        }),
      );
    }
    for (const sb of tb.slopes) {
      const sa = ta.slopes.find((s) => s.kind === sb.kind);
      const av = present(sa?.runs ?? []);
      const bv = present(sb.runs);
      if (!av.length || !bv.length) continue;
      totalsVerdicts.push(
        judge({
          metric: 'slope',
          side: label,
          name: `memory per ${sb.kind} skill`,
          a: av,
          b: bv,
          threshold: thresholds.slope,
          unit: 'MiB',
          format: (n) => `≈${formatNumber(n / 1024)}`,
        }),
      );
    }
    // A run that ended early has totals of part of the script.
    const short = [sides[0]!, sides[i]!].filter((s) => s.runs.some(endedEarly));
    if (short.length) {
      const why = `the run of ${short.map((s) => s.info.label).join(' and ')} ended before the script did`;
      for (let k = totalsStart; k < totalsVerdicts.length; k++) {
        totalsVerdicts[k] = partial(totalsVerdicts[k]!, why);
      }
    }
    if (!ok(aInfo) || !ok(bInfo)) {
      totalsVerdicts.push(judgeOutcome(label, outcomeOf(aInfo), outcomeOf(bInfo)));
    }
  }

  // ---- notes ----
  for (const s of sides) {
    const i = s.info;
    if (i.source === 'baseline') {
      notes.push(`${i.label} is a baseline of ${i.runs} run(s): ${i.paths[0]}`);
    }
    if (i.truncated) {
      notes.push(
        `${i.label} is truncated: the last line of ${s.runs
          .filter((r) => r.truncated)
          .map((r) => r.path)
          .join(', ')} was cut mid-write and skipped`,
      );
    }
    if (i.incomplete) {
      notes.push(
        `${i.label} is incomplete: ${s.runs
          .filter((r) => !r.stop)
          .map((r) => r.path)
          .join(
            ', ',
          )} has no stop entry; entries are compared where they line up and total time is not judged`,
      );
    }
    for (const reason of i.failureReasons) notes.push(`${i.label} failed: ${reason}`);
    // Several runs on one side should be runs of one setup; say so when they are not.
    const first = s.runs[0]!;
    for (const run of s.runs.slice(1)) {
      const diffs = provenanceDifferences(first.binary, run.binary);
      if (diffs.length) {
        notes.push(
          `${i.label} mixes runs that differ: ${first.path} vs ${run.path}: ${describeDifferences(diffs)}`,
        );
      }
    }
  }
  for (const s of sides.slice(1)) {
    const i = s.info;
    if (aInfo.runs < 2 || i.runs < 2) {
      notes.push(
        `a vs ${i.label}: one run on a side, so no noise estimate; memory verdicts use the ` +
          `thresholds alone, a time counts only when one side is ${grossText(ONE_RUN_GROSS.time)}, ` +
          `a peak ${grossText(ONE_RUN_GROSS.peak)} (else noisy)`,
      );
    }
    const diffs = provenanceDifferences(sides[0]!.runs[0]!.binary, s.runs[0]!.binary);
    if (diffs.length) {
      notes.push(
        `a and ${i.label} differ in ${describeDifferences(diffs)}: the differences include this, ` +
          `not only the change under test`,
      );
    }
    if (aInfo.machine.brand !== i.machine.brand || aInfo.machine.platform !== i.machine.platform) {
      notes.push(
        `a and ${i.label} ran on different machines (${aInfo.machine.brand ?? '?'}, ${aInfo.machine.platform} vs ${i.machine.brand ?? '?'}, ${i.machine.platform}): the differences include the machine`,
      );
    }
  }
  const noDetail = sides.filter((s) =>
    s.runs.every((r) => rowsOf(r).every((row) => row.values.peak_rss === null)),
  );
  if (noDetail.length) {
    notes.push(
      `${noDetail.map((s) => s.info.label).join(', ')}: no peak rss, latency or error figures (legacy log); only took and rss_diff are judged there`,
    );
  }

  // ---- overall ----
  const all: { where: string; v: Verdict }[] = [
    ...entries.flatMap((e) =>
      e.verdicts.map((v) => ({ where: `${e.cmd} (entry ${e.index + 1})`, v })),
    ),
    ...totalsVerdicts.map((v) => ({ where: 'totals', v })),
  ];
  const counts = Object.fromEntries(STATUSES.map((s) => [s, 0])) as Record<Status, number>;
  for (const { v } of all) counts[v.status]++;
  const status: Status = counts.regressed
    ? 'regressed'
    : counts.noisy
      ? 'noisy'
      : counts.improved
        ? 'improved'
        : 'unchanged';

  return {
    schema: COMPARISON_SCHEMA,
    script: { ...aInfo.script },
    runs: sides.map((s) => s.info),
    thresholds,
    entries,
    totals: { sides: totalsSides, verdicts: totalsVerdicts },
    overall: {
      status,
      counts,
      regressions: all
        .filter(({ v }) => v.status === 'regressed')
        .map(({ where, v }) => `${where}, ${v.side}: ${v.reason}`),
    },
    notes,
  };
}

function ok(info: RunInfo): boolean {
  return !info.failed && !info.incomplete;
}

function outcomeOf(info: RunInfo): { ok: boolean; why: string } {
  if (info.failed) return { ok: false, why: `failed (${info.failureReasons.join('; ')})` };
  if (info.incomplete) return { ok: false, why: 'ended without a stop entry (crash or kill)' };
  return { ok: true, why: 'completed' };
}

function sideTotals(s: SideData): SideTotals {
  const took = s.runs.map((r) => rowsOf(r).reduce((sum, row) => sum + (row.values.took ?? 0), 0));
  const maxRss = s.runs.map((r) => Math.max(0, ...present(rowsOf(r).map((row) => row.values.rss))));
  const maxPeak = s.runs.map((r) => {
    const peaks = present(rowsOf(r).map((row) => row.values.peak_rss));
    return peaks.length ? Math.max(...peaks) : null;
  });
  const perRun = s.runs.map(slopesOf);
  const kinds = [...new Set(perRun.flatMap((m) => [...m.keys()]))].sort();
  const slopes: Slope[] = kinds.map((kind) => {
    const runs = perRun.map((m) => m.get(kind)?.kibPerSkill ?? null);
    return { kind, kibPerSkill: med(runs), runs, points: perRun[0]?.get(kind)?.points ?? 0 };
  });
  return {
    label: s.info.label,
    took: median(took),
    maxRss: median(maxRss),
    maxPeak: med(maxPeak),
    pct: { took: null, maxRss: null },
    slopes,
    runs: { took, maxRss, maxPeak },
  };
}

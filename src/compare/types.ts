// The result of a comparison: plain JSON, versioned, and the only input of
// every renderer (text, markdown, JSON, the action's summary and PR comment).
// `compare --format json` prints exactly this object. Memory is in KiB, times
// in ms, as in the run log. Bump `schema` on any incompatible change.
import type { RunSettings } from '../runlog/types.ts';

/** Version of the `Comparison` layout below. */
export const COMPARISON_SCHEMA = 1 as const;

/** Values kept per entry and side (raw and median). */
export const METRICS = [
  'took',
  'rss',
  'rss_diff',
  'peak_rss',
  'cpu_ms',
  'p95',
  'first_exec_ms',
  'errors',
] as const;
export type Metric = (typeof METRICS)[number];

/**
 * What a verdict judges. Per entry: `took`, `rss_diff`, `peak_rss`, `p95`,
 * `first_exec` (deploy entries: the first execution after a deploy, which
 * includes loading the skill),
 * `errors`, and `stop` (the kernel needed SIGKILL). Totals: `total_took`,
 * `max_rss`, `max_peak`, `slope` (memory per deployed skill), `outcome`
 * (failed run, crash, missing `stop`).
 */
export type VerdictMetric =
  | 'took'
  | 'rss_diff'
  | 'peak_rss'
  | 'p95'
  | 'first_exec'
  | 'errors'
  | 'stop'
  | 'total_took'
  | 'max_rss'
  | 'max_peak'
  | 'slope'
  | 'outcome';

export const STATUSES = ['regressed', 'noisy', 'improved', 'unchanged'] as const;
export type Status = (typeof STATUSES)[number];

/** A legacy percentage of `a`: a whole number, `inf` (a=0, b≠0), null when a value is missing. */
export type LegacyPct = number | 'inf' | null;

export interface Verdict {
  metric: VerdictMetric;
  /** Label of the side judged against `a` (`b`, `c`, ...). */
  side: string;
  status: Status;
  /** Change of the judged value (medians with several runs): b − a, and as % of |a| (null when a = 0). */
  change: { abs: number; pct: number | null };
  /** One sentence a human reads, e.g. `+18.2% took (3,171 → 3,747 ms), above the 10% threshold`. */
  reason: string;
  /** Welch t-test p-value, when both sides have several runs and the values vary. */
  pValue?: number;
}

/** One side of a comparison: a run log, several runs of one kernel, or a baseline. */
export interface RunInfo {
  /** `a`, `b`, `c`, ... in the order given; `a` is the reference. */
  label: string;
  source: 'logs' | 'baseline';
  /** The files read for this side (log files, or the one baseline file). */
  paths: string[];
  /** Number of runs behind this side's values. */
  runs: number;
  machine: {
    brand: string | null;
    /** As written in the log (`X86_64`, `ARM_8`, ...). */
    arch: string | null;
    /** Node-style platform (`linux-x64`, `darwin-arm64`), see `platformOf` in baseline.ts. */
    platform: string;
    cores: number | null;
    memoryTotal: number | null;
  };
  kernel: {
    /** SHA-1 of the kernel binary (of the first run when several differ). */
    hash: string | null;
    bin: string;
    commit: string | null;
    emulated: boolean;
    /** API profile spoken (`v1`, `2024`); null when the log does not say (legacy). */
    api: string | null;
    /** Run settings of the first run; null when not recorded (older logs). */
    settings: RunSettings | null;
  };
  script: { filename: string; hash: string };
  /** Some run's last line was cut mid-write and skipped. */
  truncated: boolean;
  /** Some run has no `stop` entry. */
  incomplete: boolean;
  /** Some run ended with outcome `failed`. */
  failed: boolean;
  /** The reasons of failed runs, as the runner wrote them. */
  failureReasons: string[];
}

/** One side's figures for one entry. */
export interface EntrySide {
  label: string;
  /** False when this side's runs ended before this entry (incomplete or failed run). */
  present: boolean;
  /** Median over the runs that have the value; null when no run has it (e.g. legacy logs: no peak_rss). */
  values: Record<Metric, number | null>;
  /** Raw value per run, in run order (null: that run lacks it). */
  runs: Record<Metric, (number | null)[]>;
  /** Legacy percentages of `a` (`round(b/a*100)`), null on side `a`. */
  pct: { took: LegacyPct; rss_diff: LegacyPct };
  /** Some run marked this entry failed. */
  failed: boolean;
  /** First failure messages, from the runs. */
  failures: string[];
  /** `stop` only: some run needed SIGKILL. */
  killed: boolean;
}

export interface EntryComparison {
  /** 0-based position in the log; `stop` is last. */
  index: number;
  /** 1-based script line when the log says it (new logs). */
  line: number | null;
  cmd: string;
  stop: boolean;
  /** One per run info, same order. */
  sides: EntrySide[];
  /** Verdicts of every side after `a` against `a`; only metrics both sides measured. */
  verdicts: Verdict[];
}

/** Least squares of rss against the number of skills of one kind deployed, over the deploy entries. */
export interface Slope {
  /** Skill kind: `py`, `rs`, ... (from `add_py`, `p_add_rs 10`, or the entry's `deployed`). */
  kind: string;
  /** KiB of rss per skill of that kind (median over runs); null with fewer than two deploy points. */
  kibPerSkill: number | null;
  /** Per run. */
  runs: (number | null)[];
  /** Deploy entries used (of the first run). */
  points: number;
}

export interface SideTotals {
  label: string;
  /** Sum of every `took`, stop included (median over runs). */
  took: number | null;
  /** Largest `rss` of any entry. */
  maxRss: number | null;
  /** Largest `peak_rss` of any entry; null for logs without peaks (legacy). */
  maxPeak: number | null;
  /** Legacy percentages of `a`. */
  pct: { took: LegacyPct; maxRss: LegacyPct };
  slopes: Slope[];
  /** Raw per run. */
  runs: { took: number[]; maxRss: number[]; maxPeak: (number | null)[] };
}

export interface Totals {
  sides: SideTotals[];
  /** Verdicts on total time, max rss, max peak, each slope kind, and the outcome. */
  verdicts: Verdict[];
}

export interface Overall {
  /** `regressed` if any verdict regressed; else `noisy` if any is noisy; else `improved` if any improved; else `unchanged`. */
  status: Status;
  /** Number of verdicts (entries and totals) per status. */
  counts: Record<Status, number>;
  /** The reasons of every regressed verdict, prefixed by the entry, for logs and annotations. */
  regressions: string[];
}

/**
 * Threshold keys: `took` (entries and total time), `rss_diff`, `peak_rss`
 * (entries), `rss` (maximum rss and maximum peak), `p95`, `first_exec`, `slope`, `errors`
 * (any new error regresses; pct and floor are 0). Defaults: `THRESHOLDS` in thresholds.ts.
 */
export const THRESHOLD_METRICS = [
  'took',
  'rss_diff',
  'peak_rss',
  'rss',
  'p95',
  'first_exec',
  'slope',
  'errors',
] as const;
export type ThresholdMetric = (typeof THRESHOLD_METRICS)[number];

/** A threshold for one metric: a change counts when above `pct` percent AND above `floor` (in `unit`). */
export interface Threshold {
  pct: number;
  floor: number;
  unit: string;
}

export interface Comparison {
  schema: typeof COMPARISON_SCHEMA;
  /** The script every side ran. */
  script: { filename: string; hash: string };
  runs: RunInfo[];
  /** The thresholds the verdicts used (defaults merged with overrides). */
  thresholds: Record<ThresholdMetric, Threshold>;
  /** Every entry, `stop` last, as many as the longest side. */
  entries: EntryComparison[];
  totals: Totals;
  overall: Overall;
  /** Caveats a reader must see, e.g. `one run per side: no noise estimate, verdicts use thresholds only`. */
  notes: string[];
}

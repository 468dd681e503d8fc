// Verdict thresholds: ONE constant read by the parser, the verdicts, the docs
// (this comment and `--help`) and the tests. A change counts only when it is
// above the percentage AND above the absolute floor, so `skills` going from
// 2 ms to 1 ms is not a 50% improvement.
import { InputError } from '../errors.ts';
import { THRESHOLD_METRICS, type Threshold, type ThresholdMetric } from './types.ts';

/**
 * Defaults, by metric. Measured on the emulated kernel of this repository
 * (BENCHMARKS.md) and chosen to hold for the real one too:
 * - `took`: 10% and 5 ms (each entry's wall time; also the total time). A
 *   deploy's floor is at least one update interval per repetition, the most
 *   its wait for the next rescan can vary (see rescanFloor in compare.ts).
 * - `first_exec`: 10% and 10 ms (deploy entries: first execution, the skill's load).
 * - `p95`: 20% and 5 ms (request latency of an entry).
 * - `rss_diff`, `peak_rss`: 5% and 4 MiB (4096 KiB) per entry.
 * - `rss`: 5% and 4 MiB for the totals maximum rss and maximum peak.
 * - `slope`: 5% and 1 MiB per skill (memory per deployed skill).
 * - `errors`: any new failed request regresses (pct and floor 0, not settable).
 *
 * Why: memory repeats within about 1% between runs of the same kernel, so 5%
 * catches a 10% growth per skill; the 4 MiB floor is above the garbage
 * collector's wobble of a JS process (up to 3.5 MiB seen on `execute_all`)
 * and small next to a Python skill (about 150 MB), though it hides changes
 * below 4 MiB in one entry, e.g. one Rust skill (about 7 MB) growing by half.
 * Timing swings 10-30% on a loaded shared runner, so a timing change is only
 * judged with several runs per side (Welch t-test); with one run per side
 * see ONE_RUN_GROSS.
 */
export const THRESHOLDS: Readonly<Record<ThresholdMetric, Readonly<Threshold>>> = {
  took: { pct: 10, floor: 5, unit: 'ms' },
  rss_diff: { pct: 5, floor: 4096, unit: 'KiB' },
  peak_rss: { pct: 5, floor: 4096, unit: 'KiB' },
  rss: { pct: 5, floor: 4096, unit: 'KiB' },
  p95: { pct: 20, floor: 5, unit: 'ms' },
  first_exec: { pct: 10, floor: 10, unit: 'ms' },
  slope: { pct: 5, floor: 1024, unit: 'KiB/skill' },
  errors: { pct: 0, floor: 0, unit: 'requests' },
};

/**
 * With one run on a side there is no noise estimate, and one run of a short
 * command can take twice as long as the next on a busy machine (execute_skill
 * 51 → 117 ms in two runs of one kernel). A timing change above its threshold
 * is then `noisy`, unless it is gross: one side at least twice the other AND
 * at least 250 ms apart, e.g. a 3 s skill deploy taking 6 s, or 1.5 s (see
 * isGross). A peak is a reading of one moment and moves with when the
 * allocator or collector gives memory back during the command, so it is
 * treated the same way (gross: 1.5 times and 64 MiB). rss and
 * rss_diff, read between commands, are judged on thresholds alone.
 */
export const ONE_RUN_GROSS = {
  time: { pct: 100, floor: 250, unit: 'ms' },
  peak: { pct: 50, floor: 65536, unit: 'KiB' },
} as const;

export type GrossLimit = (typeof ONE_RUN_GROSS)[keyof typeof ONE_RUN_GROSS];

export type Thresholds = Partial<Record<ThresholdMetric, Partial<Threshold>>>;

/** The defaults with the overrides applied. */
export function resolveThresholds(overrides: Thresholds = {}): Record<ThresholdMetric, Threshold> {
  const out = {} as Record<ThresholdMetric, Threshold>;
  for (const metric of THRESHOLD_METRICS) {
    out[metric] = { ...THRESHOLDS[metric], ...overrides[metric] };
  }
  return out;
}

const SETTABLE = THRESHOLD_METRICS.filter((m) => m !== 'errors');

/** The `--threshold` syntax, for help texts. */
export const THRESHOLD_SYNTAX = `METRIC=PCT[%][:FLOOR], METRIC one of ${SETTABLE.join(', ')}`;

/**
 * Parses `--threshold` values: `took=15`, `took=15%`, `rss_diff=5%:2048`
 * (floor in the metric's unit: ms, KiB or KiB/skill). Later values win.
 */
export function parseThresholds(values: readonly string[]): Thresholds {
  const out: Thresholds = {};
  for (const value of values) {
    const m = /^([a-z_0-9]+)=(\d+(?:\.\d+)?)%?(?::(\d+(?:\.\d+)?))?$/.exec(value.trim());
    if (!m) {
      throw new InputError(
        `--threshold ${JSON.stringify(value)}: expected ${THRESHOLD_SYNTAX} (e.g. took=15%)`,
      );
    }
    const metric = m[1] as ThresholdMetric;
    if (!(SETTABLE as readonly string[]).includes(metric)) {
      throw new InputError(
        `--threshold ${JSON.stringify(value)}: unknown metric "${m[1]}", expected one of ${SETTABLE.join(', ')}` +
          (m[1] === 'errors' ? ' (any new error always regresses)' : ''),
      );
    }
    out[metric] = { pct: Number(m[2]), ...(m[3] !== undefined ? { floor: Number(m[3]) } : {}) };
  }
  return out;
}

/** `took 10% and 5 ms, rss_diff 10% and 1,024 KiB, ...` for help texts and docs. */
export function describeThresholds(t: Record<ThresholdMetric, Threshold> = THRESHOLDS): string {
  return THRESHOLD_METRICS.map((m) =>
    m === 'errors' ? 'errors: any new error' : `${m} ${t[m].pct}% and ${t[m].floor} ${t[m].unit}`,
  ).join(', ');
}

// Verdicts: one metric of one side against `a`, with the reason a reader sees.
// Medians are compared; a change counts when it is above the metric's floor
// and its percentage threshold. With several runs on both sides a Welch
// t-test decides whether a counted change is real (p < 0.05) or noisy.
import ttest2 from '@stdlib/stats-ttest2';
import { median } from 'simple-statistics';
import { formatNumber, formatSignedPct } from './format.ts';
import type { GrossLimit } from './thresholds.ts';
import type { Status, Threshold, Verdict, VerdictMetric } from './types.ts';

/** Significance level of the t-test. */
export const ALPHA = 0.05;
/** Level of the rank fallback for runs that do not overlap (see judge). */
export const RANK_ALPHA = 0.01;

export interface JudgeInput {
  metric: VerdictMetric;
  /** Label of the judged side (`b`, ...). */
  side: string;
  /** The metric as a reader names it in the reason: `took`, `maximum rss`, `memory per py skill`. */
  name: string;
  /** Per-run values of a and of the judged side (at least one each). */
  a: readonly number[];
  b: readonly number[];
  threshold: Threshold;
  /** Unit printed after the values, e.g. `ms`; defaults to the threshold's unit. */
  unit?: string;
  /** Formats a value without its unit; defaults to grouping with at most one decimal. */
  format?: (n: number) => string;
  /** With one run on a side, only a change beyond these limits counts (ONE_RUN_GROSS); else noisy. */
  oneRunGross?: GrossLimit;
  /** Why the floor is what it is, when it is not the metric's own (shown after it). */
  floorWhy?: string;
}

/**
 * Welch's two-sample t-test p-value, or undefined when it cannot be computed
 * (fewer than two runs on a side). Two sides without any spread give 0 when
 * their means differ and 1 when equal (the library returns NaN there).
 */
export function welchPValue(a: readonly number[], b: readonly number[]): number | undefined {
  if (a.length < 2 || b.length < 2) return undefined;
  const p = ttest2([...a], [...b], { alpha: ALPHA, variance: 'unequal' }).pValue;
  if (Number.isFinite(p)) return p;
  const mean = (xs: readonly number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;
  return mean(a) === mean(b) ? 1 : 0;
}

/** Higher is worse for every metric judged here (time, memory, latency, slope). */
export function judge(input: JudgeInput): Verdict {
  const { threshold, name } = input;
  const fmt = input.format ?? ((n: number) => formatNumber(n, 1));
  const unit = input.unit ?? threshold.unit;
  const aMed = median([...input.a]);
  const bMed = median([...input.b]);
  const abs = bMed - aMed;
  const pct = aMed === 0 ? null : (abs / Math.abs(aMed)) * 100;
  const several = input.a.length > 1 || input.b.length > 1;
  const values = several
    ? `(median ${fmt(aMed)} → ${fmt(bMed)} ${unit}, ${input.a.length} and ${input.b.length} runs)`
    : `(${fmt(aMed)} → ${fmt(bMed)} ${unit})`;
  const change =
    pct === null ? `${abs >= 0 ? '+' : '-'}${fmt(Math.abs(abs))} ${unit}` : formatSignedPct(pct);
  const head = `${change} ${name} ${values}`;
  const base = { metric: input.metric, side: input.side, change: { abs, pct } };

  if (Math.abs(abs) <= threshold.floor) {
    const floor = `${formatNumber(threshold.floor, 1)} ${threshold.unit}`;
    const why = input.floorWhy ? ` (${input.floorWhy})` : '';
    return { ...base, status: 'unchanged', reason: `${head}, within the ${floor} floor${why}` };
  }
  if (pct !== null && Math.abs(pct) <= threshold.pct) {
    return {
      ...base,
      status: 'unchanged',
      reason: `${head}, within the ${formatNumber(threshold.pct, 1)}% threshold`,
    };
  }
  const above =
    pct === null
      ? `from zero, above the ${formatNumber(threshold.floor, 1)} ${threshold.unit} floor`
      : `above the ${formatNumber(threshold.pct, 1)}% threshold`;
  const direction: Status = abs > 0 ? 'regressed' : 'improved';
  const p = welchPValue(input.a, input.b);
  if (p === undefined) {
    const limit = input.oneRunGross;
    if (limit && !isGross(aMed, bMed, limit)) {
      return {
        ...base,
        status: 'noisy',
        reason:
          `${head}, ${above}, but one run per side: no noise estimate (with one run this ` +
          `counts only when one side is ${grossText(limit)}; run several)`,
      };
    }
    return { ...base, status: direction, reason: `${head}, ${above}` };
  }
  const test = `p=${formatP(p)}, Welch t-test`;
  if (p < ALPHA) {
    return { ...base, status: direction, pValue: p, reason: `${head}, ${above} (${test})` };
  }
  // One slow run inflates the variance of three, and Welch then calls a shift
  // that every run shows "not significant" (first_exec 341, 343, 344 → 381,
  // 414, 473 ms gave p=0.097). When every run of one side lies beyond every
  // run of the other, the exact rank test says how likely that order is by
  // chance: 1 / C(n+m, n), one-sided. Every entry and metric of a script is
  // judged at once, so this fallback is held to RANK_ALPHA: at 3 and 3 runs
  // (p=0.05) it made 4 of 20 A/A comparisons "regress"; 5 and 5 runs
  // (p=0.004) pass it.
  const rankP = separationP(input.a, input.b, abs > 0);
  if (rankP !== undefined && rankP <= RANK_ALPHA) {
    const rank = `every run of ${input.side} ${abs > 0 ? 'above' : 'below'} every run of a, rank p=${formatP(rankP)}; ${test}`;
    return { ...base, status: direction, pValue: rankP, reason: `${head}, ${above} (${rank})` };
  }
  return {
    ...base,
    status: 'noisy',
    pValue: p,
    reason: `${head}, ${above} but not significant (${test}, needs p<${ALPHA})`,
  };
}

/**
 * Gross in either direction: the larger value at least (1 + pct/100) times the
 * smaller and at least `floor` apart. As a ratio, so that a time halving
 * (3,000 → 1,400 ms) counts as a doubling does; "-100%" could never happen.
 */
export function isGross(a: number, b: number, limit: GrossLimit): boolean {
  const [low, high] = a <= b ? [a, b] : [b, a];
  if (high - low < limit.floor) return false;
  return low <= 0 || high / low >= 1 + limit.pct / 100;
}

/** e.g. `2× the other and 250 ms apart`. */
export function grossText(limit: GrossLimit): string {
  const floor = limit.unit === 'KiB' ? `${limit.floor / 1024} MiB` : `${limit.floor} ${limit.unit}`;
  return `${formatNumber(1 + limit.pct / 100, 1)}× the other and ${floor} apart`;
}

/**
 * One-sided exact p-value of the Mann-Whitney test when the samples do not
 * overlap (`b` entirely above `a` when `up`, else below); undefined when they
 * overlap. With no ties that is 1 / C(n+m, n).
 */
export function separationP(
  a: readonly number[],
  b: readonly number[],
  up: boolean,
): number | undefined {
  if (a.length < 2 || b.length < 2) return undefined;
  const separated = up ? Math.min(...b) > Math.max(...a) : Math.max(...b) < Math.min(...a);
  if (!separated) return undefined;
  let orders = 1;
  for (let i = 1; i <= a.length; i++) orders = (orders * (b.length + i)) / i;
  return 1 / orders;
}

function formatP(p: number): string {
  return p < 0.001 ? '<0.001' : p.toFixed(3);
}

/**
 * Failed requests: any new error regresses, whatever the count. The worst run
 * of each side is compared, so one failing run out of five still counts.
 */
export function judgeErrors(side: string, a: readonly number[], b: readonly number[]): Verdict {
  const aMax = a.length ? Math.max(...a) : 0;
  const bMax = b.length ? Math.max(...b) : 0;
  const abs = bMax - aMax;
  const change = { abs, pct: aMax === 0 ? null : (abs / aMax) * 100 };
  const base = { metric: 'errors' as const, side, change };
  const worst = a.length > 1 || b.length > 1 ? ' (worst run)' : '';
  if (bMax > aMax) {
    const reason =
      aMax === 0
        ? `${formatNumber(bMax)} failed request(s) in ${side} where a had none${worst}; new errors always regress`
        : `failed requests ${formatNumber(aMax)} → ${formatNumber(bMax)}${worst}; new errors always regress`;
    return { ...base, status: 'regressed', reason };
  }
  if (bMax < aMax) {
    return {
      ...base,
      status: 'improved',
      reason: `failed requests ${formatNumber(aMax)} → ${formatNumber(bMax)}${worst}`,
    };
  }
  return {
    ...base,
    status: 'unchanged',
    reason: aMax === 0 ? 'no failed requests' : `${formatNumber(aMax)} failed request(s) on both`,
  };
}

/** A stop that needed SIGKILL where a stopped on SIGTERM is a regression. */
export function judgeKilled(side: string, aKilled: boolean, bKilled: boolean): Verdict {
  const base = {
    metric: 'stop' as const,
    side,
    change: { abs: Number(bKilled) - Number(aKilled), pct: null },
  };
  if (bKilled && !aKilled) {
    return {
      ...base,
      status: 'regressed',
      reason: `the kernel of ${side} needed SIGKILL to stop (a stopped on SIGTERM)`,
    };
  }
  if (!bKilled && aKilled) {
    return { ...base, status: 'improved', reason: `${side} stopped on SIGTERM (a needed SIGKILL)` };
  }
  return {
    ...base,
    status: 'unchanged',
    reason: bKilled ? 'both needed SIGKILL to stop' : 'both stopped on SIGTERM',
  };
}

/** A run that failed or ended without `stop` where a completed is a regression. */
export function judgeOutcome(
  side: string,
  a: { ok: boolean; why: string },
  b: { ok: boolean; why: string },
): Verdict {
  const base = {
    metric: 'outcome' as const,
    side,
    change: { abs: Number(!b.ok) - Number(!a.ok), pct: null },
  };
  if (!b.ok && a.ok) {
    return {
      ...base,
      status: 'regressed',
      reason: `${side} did not complete: ${b.why}; new failures always regress`,
    };
  }
  if (b.ok && !a.ok) {
    return { ...base, status: 'improved', reason: `${side} completed; a did not: ${a.why}` };
  }
  return {
    ...base,
    status: 'unchanged',
    reason: b.ok ? 'both completed' : `neither completed: a ${a.why}; ${side} ${b.why}`,
  };
}

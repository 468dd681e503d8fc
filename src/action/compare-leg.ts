// The smallest adapter between a leg's runs and compare(): the baseline
// (side `a`) against this leg's runs (side `b`). compare() needs two sides,
// so without a baseline the runs are compared with themselves only to get
// the figures in Comparison form; ScriptResult.baseline is then null and
// renderers show no deltas or verdicts.
import type { LoadedBaseline } from '../compare/baseline.ts';
import { compare } from '../compare/compare.ts';
import type { Thresholds } from '../compare/thresholds.ts';
import type { Comparison } from '../compare/types.ts';
import type { RunLog } from '../runlog/types.ts';

export function compareLeg(
  baseline: LoadedBaseline | null,
  logs: RunLog[],
  thresholds: Thresholds,
): Comparison | null {
  if (logs.length === 0) return null;
  const runs = { logs };
  return compare({ sides: [baseline ?? runs, runs], thresholds });
}

// The legacy report's percentage rule, kept bit for bit so old and new
// reports agree: each value of b as a whole percentage of a's value.
import type { LegacyPct } from './types.ts';

/**
 * Python's `round()`: halves go to the even neighbour (`round(0.5) == 0`,
 * `round(2.5) == 2`). The legacy tool was Python; Math.round would differ on
 * exact halves such as 1/8 → 12.5.
 */
export function roundHalfEven(x: number): number {
  const floor = Math.floor(x);
  const diff = x - floor;
  if (diff < 0.5) return floor;
  if (diff > 0.5) return floor + 1;
  return floor % 2 === 0 ? floor : floor + 1;
}

/**
 * `round(b / a * 100)`; a = 0 → 100 when b = 0 too, else `inf`.
 * Negative values use the same plain ratio: two negative values give a
 * positive percentage (stop's rss_diff -1,488,328 of -1,537,472 → 97, as in
 * the legacy README table). Null when either value is missing.
 */
export function legacyPct(a: number | null, b: number | null): LegacyPct {
  if (a === null || b === null) return null;
  if (a === 0) return b === 0 ? 100 : 'inf';
  return roundHalfEven((b / a) * 100);
}

// The one clock for durations. performance.now() is monotonic, so a step of
// the wall clock (NTP, DST, a user changing the date) never changes a `took`.

import { performance } from 'node:perf_hooks';

/** Monotonic milliseconds (fractional), only meaningful as a difference. */
export function now(): number {
  return performance.now();
}

/** Whole milliseconds since `start` (a value from `now()`). */
export function elapsed(start: number): number {
  return Math.round(performance.now() - start);
}

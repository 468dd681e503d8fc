// Durations as the kernel's environment and kernel-bench's flags write them
// (`1s`, `500ms`, `2m`, `1m30s`). One reader for the CLI, the runner and the
// emulated kernel.
import parse from 'parse-duration';
import { InputError } from './errors.ts';

const EXPECTED = 'a duration with a unit above 0, e.g. 500ms, 1s, 2m or 1m30s';

/** Node's timers fire at once for longer delays (a 30 d grace killed the kernel after 5 ms). */
export const MAX_DURATION_MS = 2 ** 31 - 1;

/** Parses `text` into whole ms; `what` names the flag or variable in the error. */
export function parseDuration(what: string, text: string): number {
  // A bare number would be read as ms by the library, but the kernel wants a unit.
  const value = /^\s*[\d.]+\s*$/.test(text) ? null : parse(text);
  if (value == null || !Number.isFinite(value) || value <= 0) {
    throw new InputError(`${what}=${JSON.stringify(text)} is not valid: expected ${EXPECTED}`);
  }
  if (Math.round(value) > MAX_DURATION_MS) {
    throw new InputError(
      `${what}=${JSON.stringify(text)} is too long: at most 24 days (${MAX_DURATION_MS} ms), ` +
        'the longest a Node.js timer waits',
    );
  }
  return Math.round(value);
}

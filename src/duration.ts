// Durations as the kernel's environment and kernel-bench's flags write them
// (`1s`, `500ms`, `2m`, `1m30s`). One reader for the CLI, the runner and the
// emulated kernel.
import parse from 'parse-duration';
import { InputError } from './errors.ts';

const EXPECTED = 'a duration with a unit above 0, e.g. 500ms, 1s, 2m or 1m30s';

/** Parses `text` into whole ms; `what` names the flag or variable in the error. */
export function parseDuration(what: string, text: string): number {
  // A bare number would be read as ms by the library, but the kernel wants a unit.
  const value = /^\s*[\d.]+\s*$/.test(text) ? null : parse(text);
  if (value == null || !Number.isFinite(value) || value <= 0) {
    throw new InputError(`${what}=${JSON.stringify(text)} is not valid: expected ${EXPECTED}`);
  }
  return Math.round(value);
}

// Durations as the kernel's environment writes them (`1s`, `500ms`, `2m`).
import ms from 'ms';
import { InputError } from '../errors.ts';

/** Parses a duration into ms; `what` names the flag or variable in the error. */
export function parseDuration(text: string, what: string): number {
  // ms() reads a bare number as milliseconds; the kernel wants a unit.
  const value = /^\s*\d+(\.\d+)?\s*$/.test(text) ? undefined : ms(text as ms.StringValue);
  if (value === undefined || !Number.isFinite(value) || value <= 0) {
    throw new InputError(`${what}: "${text}" is not a duration; expected a number with a unit, e.g. 1s, 500ms, 2m`);
  }
  return value;
}

// Readers for flag values shared by several commands. Each names the flag,
// the bad value and the expected form.
import { parse as parseShell } from 'shell-quote';
import { InputError } from '../errors.ts';
import { parseDuration } from '../duration.ts';

/** `--kernel "sh -c './kernel --x'"` → argv, without a shell; operators are refused. */
export function parseCommandLine(text: string, flag: string): string[] {
  const words = parseShell(text);
  const argv: string[] = [];
  for (const word of words) {
    if (typeof word !== 'string') {
      throw new InputError(
        `${flag}: "${text}" contains shell syntax (${JSON.stringify(word)}); give one command, ` +
          `or wrap it: ${flag} "sh -c '…'"`,
      );
    }
    argv.push(word);
  }
  if (argv.length === 0) throw new InputError(`${flag}: the command is empty`);
  return argv;
}

/** The word that names the built-in emulated kernel where a kernel command is asked for. */
export const EMULATOR_WORD = 'emulator';

/** A kernel command line, or undefined for `emulator` (the built-in emulated kernel). */
export function kernelCommand(text: string, flag: string): string[] | undefined {
  return text.trim() === EMULATOR_WORD ? undefined : parseCommandLine(text, flag);
}

/** `KEY=VALUE` pairs collected from a repeatable flag. */
export function collectPair(flag: string) {
  return (value: string, previous: Record<string, string> = {}): Record<string, string> => {
    const at = value.indexOf('=');
    if (at <= 0) throw new InputError(`${flag}: "${value}" is not KEY=VALUE`);
    return { ...previous, [value.slice(0, at)]: value.slice(at + 1) };
  };
}

export function durationFlag(flag: string) {
  return (value: string): number => parseDuration(flag, value);
}

export function positiveIntFlag(flag: string, max = Number.MAX_SAFE_INTEGER) {
  return (value: string): number => {
    if (!/^\d+$/.test(value) || Number(value) < 1 || Number(value) > max) {
      const range = max < Number.MAX_SAFE_INTEGER ? ` from 1 to ${max}` : '';
      throw new InputError(`${flag}: "${value}" is not a positive whole number${range}`);
    }
    return Number(value);
  };
}

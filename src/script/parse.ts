// Reads `.cmds` scripts: one command per line, validated against the command table, every
// problem of a script collected and reported at once with its file and line.

import { readFile, stat } from 'node:fs/promises';
import { InputError } from '../errors.ts';
import {
  type ArgSpec,
  type ResolvedCommand,
  normalizeKinds,
  resolveCommands,
  usageOf,
} from './commands.ts';
import { scriptHash } from './hash.ts';
import type { Arg, Command, Script, ScriptLine, SkillInput } from './types.ts';

export interface ParseOptions {
  /** Skill kinds with `add_<kind>` / `p_add_<kind>` commands (default `py`, `rs`). */
  kinds?: readonly string[];
}

/** One problem found in a script. */
export interface ScriptProblem {
  file: string;
  /** 1-based; null for problems of the whole file (e.g. no commands). */
  line: number | null;
  /** What is wrong, e.g. `WAIT_MS must be a whole number >= 0, got "-3"`. */
  reason: string;
  /** The expected form, e.g. the command's usage string. */
  expected: string;
  /** The full message: `FILE:LINE: reason: "line text"; expected: form`. */
  message: string;
}

/** Every problem of one script; `message` lists them one per line. */
export class ScriptError extends InputError {
  constructor(readonly problems: ScriptProblem[]) {
    const shown = problems.slice(0, MAX_PROBLEMS_SHOWN).map((p) => p.message);
    if (problems.length > MAX_PROBLEMS_SHOWN) {
      shown.push(`(${problems.length - MAX_PROBLEMS_SHOWN} more problems not shown)`);
    }
    super(shown.join('\n'));
  }
}

// Keeps the message readable when a wrong file (a binary, a log) is given as a script;
// `problems` still holds them all.
const MAX_PROBLEMS_SHOWN = 100;

// Python's str.split() separators (the characters for which str.isspace() is true), so the
// words, and with them the hash, match the legacy tool. JS `\s` differs (it has U+FEFF,
// lacks U+001C..U+001F and U+0085).
const PY_SPACE =
  '\\t\\n\\x0b\\x0c\\r\\x1c-\\x1f \\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000';
const PY_SPACE_RUN = new RegExp(`[${PY_SPACE}]+`, 'u');
const PY_STRIP = new RegExp(`^[${PY_SPACE}]+|[${PY_SPACE}]+$`, 'gu');

// Lines end where Python's text-mode reading (universal newlines) ends them.
const LINE_BREAK = /\r\n|\r|\n/;

/** Python's `s.split()`. */
export function pySplit(s: string): string[] {
  return s.split(PY_SPACE_RUN).filter((w) => w !== '');
}

// Python int()/float() literals. Shortcoming: Python also accepts non-ASCII decimal digits
// (e.g. Arabic-Indic); such words stay strings here.
const DIGITS = '[0-9](?:_?[0-9])*';
const INT_RE = new RegExp(`^[+-]?${DIGITS}$`);
const FLOAT_RE = new RegExp(
  `^[+-]?(?:(?:${DIGITS})?\\.${DIGITS}|${DIGITS}\\.?)(?:[eE][+-]?${DIGITS})?$`,
);
const FLOAT_SPECIAL_RE = /^([+-]?)(inf|infinity|nan)$/i;

/** A word read as Python's `int()` then `float()` would; undefined when neither accepts it. */
export function parsePyNumber(word: string): { value: number; integer: boolean } | undefined {
  if (INT_RE.test(word)) return { value: Number(word.replaceAll('_', '')), integer: true };
  if (FLOAT_RE.test(word)) return { value: Number(word.replaceAll('_', '')), integer: false };
  const special = FLOAT_SPECIAL_RE.exec(word);
  if (special) {
    const sign = special[1] === '-' ? -1 : 1;
    return { value: special[2]!.toLowerCase() === 'nan' ? NaN : sign * Infinity, integer: false };
  }
  return undefined;
}

/** Why a skill name is not a plain file name, or undefined when it is one. */
export function skillNameProblem(name: string): string | undefined {
  if (name === '') return 'is empty';
  if (name === '.' || name === '..') return 'is a directory reference';
  if (name.includes('/') || name.includes('\\')) return 'contains a path separator';
  if (name.includes('\0')) return 'contains a NUL character';
  if (/[\x00-\x1f\x7f]/.test(name)) return 'contains a control character';
  return undefined;
}

/** Levenshtein distance; small inputs only (command names). */
function distance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(
        prev[j]! + 1,
        cur[j - 1]! + 1,
        prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
    }
    prev = cur;
  }
  return prev[b.length]!;
}

function closest(word: string, commands: readonly ResolvedCommand[]): ResolvedCommand | undefined {
  let best: ResolvedCommand | undefined;
  let bestDistance = Infinity;
  for (const c of commands) {
    const d = distance(word.toLowerCase(), c.name);
    if (d < bestDistance) [best, bestDistance] = [c, d];
  }
  return bestDistance <= Math.max(2, Math.floor(word.length / 3)) ? best : undefined;
}

const REPEAT_FORM = (rest: string) =>
  `[REPEAT] ${rest} with REPEAT a whole number >= 1 (no number runs it once)`;

interface LineResult {
  line?: ScriptLine;
  problems: { reason: string; expected: string }[];
}

/** A whole number argument, or the reason it is not one. */
function readWholeNumber(word: string, spec: ArgSpec): { value?: number; reason?: string } {
  const min = spec.min ?? 0;
  const what = `${spec.placeholder} must be a whole number >= ${min}`;
  const parsed = parsePyNumber(word);
  if (!parsed || !parsed.integer) return { reason: `${what}, got ${JSON.stringify(word)}` };
  if (parsed.value < min) return { reason: `${what}, got ${word}` };
  if (spec.max && parsed.value > spec.max.value) {
    return {
      reason: `${spec.placeholder} ${word} is above the limit of ${spec.max.value} (${spec.max.reason})`,
    };
  }
  if (!Number.isSafeInteger(parsed.value))
    return { reason: `${spec.placeholder} ${word} is too large` };
  return { value: parsed.value };
}

function parseLine(
  words: string[],
  lineNo: number,
  commands: ReadonlyMap<string, ResolvedCommand>,
  all: readonly ResolvedCommand[],
  kinds: readonly string[],
): LineResult {
  const problems: LineResult['problems'] = [];
  let repeat = 1;
  let rest = words;

  // A first word that Python would read as a number is a repeat count, valid or not.
  const first = parsePyNumber(words[0]!);
  if (first) {
    rest = words.slice(1);
    const form = REPEAT_FORM(rest[0] ? (commands.get(rest[0])?.usage ?? rest[0]) : 'COMMAND ...');
    if (!first.integer || first.value < 1) {
      problems.push({
        reason: `repeat count must be a whole number >= 1, got ${words[0]}`,
        expected: form,
      });
    } else if (!Number.isSafeInteger(first.value)) {
      problems.push({ reason: `repeat count ${words[0]} is too large`, expected: form });
    } else repeat = first.value;
    if (rest.length === 0) {
      problems.push({ reason: 'a repeat count without a command', expected: form });
      return { problems };
    }
  }

  const name = rest[0]!;
  const resolved = commands.get(name);
  if (!resolved) {
    const kindMatch = /^(p_)?add_(.+)$/.exec(name);
    if (kindMatch && !kinds.includes(kindMatch[2]!)) {
      // A deploy of a kind without a template: every enabled kind is as close as the next.
      const kind = kindMatch[2]!;
      const prefix = `${kindMatch[1] ?? ''}add_`;
      problems.push({
        reason:
          `unknown command ${JSON.stringify(name)} (skill kind ${JSON.stringify(kind)} is not ` +
          `enabled; kinds: ${kinds.join(', ')}; give its template with --skill ${kind}=FILE.wasm)`,
        expected: kinds
          .map((k) => commands.get(`${prefix}${k}`)?.usage ?? `${prefix}${k}`)
          .join(' or '),
      });
      return { problems };
    }
    const suggestion = closest(name, all);
    let reason = `unknown command ${JSON.stringify(name)}`;
    if (suggestion) reason += ` (did you mean ${JSON.stringify(suggestion.name)}?)`;
    const expected = suggestion ? suggestion.usage : `one of ${all.map((c) => c.name).join(', ')}`;
    problems.push({ reason, expected });
    return { problems };
  }

  const { spec } = resolved;
  const given = rest.slice(1);
  const expected = resolved.usage;
  const required = spec.args.filter((a) => !a.optional).length;
  if (given.length > spec.args.length) {
    const extra = given.slice(spec.args.length);
    const comment = extra[0]!.startsWith('#') ? '; comments must be on a line of their own' : '';
    problems.push({
      reason:
        spec.args.length === 0
          ? `${name} takes no argument, got ${JSON.stringify(given.join(' '))}${comment}`
          : `${name} takes at most ${spec.args.length} argument${spec.args.length === 1 ? '' : 's'}, got ${given.length} ` +
            `(extra: ${JSON.stringify(extra.join(' '))})${comment}`,
      expected,
    });
  }
  if (given.length < required) {
    const missing = spec.args.slice(given.length, required).map((a) => a.placeholder);
    problems.push({ reason: `${name} needs ${missing.join(' and ')}`, expected });
  }

  // Read each given argument by its type; absent optional numbers take their default.
  const values = new Map<string, string | number | undefined>();
  spec.args.forEach((arg, i) => {
    const word = given[i];
    if (word === undefined) {
      values.set(arg.placeholder, arg.default);
      return;
    }
    if (arg.type === 'topic') values.set(arg.placeholder, word);
    else if (arg.type === 'name') {
      const bad = skillNameProblem(word);
      if (bad) {
        problems.push({
          reason: `skill name ${JSON.stringify(word)} ${bad}`,
          expected: `${expected} with NAME a plain file name (no "/", "\\", ".", ".." or control characters)`,
        });
      }
      values.set(arg.placeholder, word);
    } else {
      const read = readWholeNumber(word, arg);
      if (read.reason) problems.push({ reason: read.reason, expected });
      values.set(arg.placeholder, read.value);
    }
  });
  if (problems.length > 0) return { problems };

  const num = (key: string) => values.get(key) as number;
  const str = (key: string) => values.get(key) as string | undefined;
  const input = (): SkillInput => ({
    topic: str('TOPIC')!,
    memory: num('MEMORY_KB'),
    wait_time: num('WAIT_MS'),
  });
  let command: Command;
  switch (spec.id) {
    case 'add':
      command = { kind: 'add', skillKind: resolved.kind! };
      break;
    case 'p_add':
      command = { kind: 'p_add', skillKind: resolved.kind!, count: num('N') };
      break;
    case 'skills':
    case 'cached_skills':
      command = { kind: spec.id };
      break;
    case 'execute_skill':
      command = { kind: 'execute_skill', skill: str('NAME')!, input: input() };
      break;
    case 'execute_all':
      command = { kind: 'execute_all', input: input() };
      break;
    case 'p_execute_all':
      command = { kind: 'p_execute_all', input: input(), times: num('TIMES') };
      break;
    case 'drop_cached_skill':
    case 'delete_skill': {
      const skill = str('NAME');
      command = skill === undefined ? { kind: spec.id } : { kind: spec.id, skill };
      break;
    }
  }

  const args: Arg[] = given.map((w) => parsePyNumber(w)?.value ?? w);
  return {
    problems,
    line: { line: lineNo, words, text: words.join(' '), repeat, name, args, command },
  };
}

function problemMessage(
  file: string,
  line: number | null,
  text: string | null,
  reason: string,
  expected: string,
): ScriptProblem {
  const where = line === null ? file : `${file}:${line}`;
  const shown = text === null ? '' : `: ${JSON.stringify(text)}`;
  return {
    file,
    line,
    reason,
    expected,
    message: `${where}: ${reason}${shown}; expected: ${expected}`,
  };
}

/**
 * Parses and validates a script. `filename` is used in messages and kept in the result.
 * @throws ScriptError (an InputError) listing every problem, one per line.
 */
export function parseScript(text: string, filename: string, options: ParseOptions = {}): Script {
  const kinds = normalizeKinds(options.kinds);
  const all = resolveCommands(kinds);
  const byName = new Map(all.map((c) => [c.name, c]));
  const problems: ScriptProblem[] = [];
  const lines: ScriptLine[] = [];

  // A UTF-8 byte order mark is not part of the first line's text.
  const body = text.startsWith('\ufeff') ? text.slice(1) : text;
  // A run log given where a script belongs: one message, not one per line.
  if (body.trimStart().startsWith('{"')) {
    throw new ScriptError([
      problemMessage(
        filename,
        1,
        null,
        'this is JSON, like a run log, not a command script',
        'a .cmds script (run logs go to `kernel-bench compare`)',
      ),
    ]);
  }
  body.split(LINE_BREAK).forEach((raw, i) => {
    const words = pySplit(raw);
    if (words.length === 0 || words[0]!.startsWith('#')) return;
    const result = parseLine(words, i + 1, byName, all, kinds);
    const shown = raw.replace(PY_STRIP, '');
    for (const p of result.problems) {
      problems.push(problemMessage(filename, i + 1, shown, p.reason, p.expected));
    }
    if (result.line) lines.push(result.line);
  });

  if (lines.length === 0 && problems.length === 0) {
    problems.push(
      problemMessage(
        filename,
        null,
        null,
        'the script has no commands (it is empty or holds only comments and blank lines)',
        'at least one command line, e.g. "add_py"',
      ),
    );
  }
  if (problems.length > 0) throw new ScriptError(problems);
  return { filename, hash: scriptHash(lines.map((l) => l.words)), lines };
}

/** Line numbers (1-based) whose bytes are not valid UTF-8, numbered as parseScript numbers lines. */
function invalidUtf8Lines(bytes: Buffer): { line: number; text: string }[] {
  const bad: { line: number; text: string }[] = [];
  const decoder = new TextDecoder('utf-8', { fatal: true });
  let start = 0;
  let line = 1;
  // CR and LF never occur inside a multi-byte UTF-8 sequence, so splitting bytes first is safe.
  for (let i = 0; i <= bytes.length; i++) {
    const b = bytes[i];
    if (i < bytes.length && b !== 0x0a && b !== 0x0d) continue;
    const segment = bytes.subarray(start, i);
    try {
      decoder.decode(segment);
    } catch {
      bad.push({ line, text: segment.toString('utf8') });
    }
    if (b === 0x0d && bytes[i + 1] === 0x0a) i++;
    start = i + 1;
    line++;
  }
  return bad;
}

/**
 * Reads and parses a script file.
 * @throws InputError naming the path when it is missing, a directory or unreadable, or
 *   ScriptError naming each line that is not UTF-8 or not a valid command.
 */
export async function loadScript(path: string, options: ParseOptions = {}): Promise<Script> {
  let bytes: Buffer;
  try {
    if ((await stat(path)).isDirectory()) {
      throw new InputError(`script ${JSON.stringify(path)} is a directory; expected: a .cmds file`);
    }
    bytes = await readFile(path);
  } catch (error) {
    if (error instanceof InputError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    const why =
      code === 'ENOENT'
        ? 'does not exist'
        : code === 'EACCES' || code === 'EPERM'
          ? 'cannot be read (permission denied)'
          : `cannot be read (${(error as Error).message})`;
    throw new InputError(`script ${JSON.stringify(path)} ${why}; expected: a readable .cmds file`);
  }

  const bad = invalidUtf8Lines(bytes);
  if (bad.length > 0) {
    throw new ScriptError(
      bad.map((b) =>
        problemMessage(path, b.line, b.text, 'not valid UTF-8 text', 'a UTF-8 encoded line'),
      ),
    );
  }
  return parseScript(new TextDecoder('utf-8').decode(bytes), path, options);
}

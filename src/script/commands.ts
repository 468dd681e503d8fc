// The one table of `.cmds` commands. The parser validates against it, `kernel-bench check`
// and the README print it, and the tests walk it, so a command is described in one place only.

import { markdownTable } from 'markdown-table';
import { InputError } from '../errors.ts';

/** How an argument is read. Counts, KB and ms are written as whole numbers. */
export type ArgType = 'name' | 'topic' | 'count' | 'kb' | 'ms';

export interface ArgSpec {
  /** Placeholder in the usage string, e.g. `MEMORY_KB`. */
  readonly placeholder: string;
  readonly type: ArgType;
  readonly optional: boolean;
  /** Value of an optional numeric argument that is left out. */
  readonly default?: number;
  /** Smallest allowed value (numeric types). */
  readonly min?: number;
  /** Largest allowed value (numeric types), with the reason shown when it is exceeded. */
  readonly max?: { readonly value: number; readonly reason: string };
  readonly description: string;
}

/** The `Command['kind']` a table row produces. */
export type CommandId =
  | 'add'
  | 'p_add'
  | 'skills'
  | 'cached_skills'
  | 'execute_skill'
  | 'execute_all'
  | 'p_execute_all'
  | 'drop_cached_skill'
  | 'delete_skill';

export interface CommandSpec {
  readonly id: CommandId;
  /** Command name; `{kind}` stands for each skill kind (`add_{kind}` → `add_py`, `add_rs`). */
  readonly name: string;
  readonly perKind: boolean;
  readonly args: readonly ArgSpec[];
  /** One line; `{kind}` and `{Kind}` are replaced as in `name` (`{Kind}` is the kind's label). */
  readonly description: string;
}

/** Skill kinds enabled when the caller names none. */
export const DEFAULT_KINDS: readonly string[] = ['py', 'rs'];

/** Labels for the kinds with a template of their own; other kinds print as written. */
export const KIND_LABELS: Readonly<Record<string, string>> = { py: 'Python', rs: 'Rust' };

/**
 * Largest TIMES of `p_execute_all`. The legacy tool refused more, and keeping its limit keeps
 * every script runnable by both tools and its logs comparable.
 */
export const MAX_PARALLEL_TIMES = 1000;

const NAME: ArgSpec = {
  placeholder: 'NAME',
  type: 'name',
  optional: false,
  description: 'skill name without the namespace, e.g. `sample_py1`',
};
const TOPIC: ArgSpec = {
  placeholder: 'TOPIC',
  type: 'topic',
  optional: false,
  description: 'word the skill greets (sent as a string)',
};
const MEMORY_KB: ArgSpec = {
  placeholder: 'MEMORY_KB',
  type: 'kb',
  optional: true,
  default: 0,
  min: 0,
  description: 'KB the skill allocates per execution (default 0)',
};
const WAIT_MS: ArgSpec = {
  placeholder: 'WAIT_MS',
  type: 'ms',
  optional: true,
  default: 0,
  min: 0,
  description: 'ms the skill sleeps per execution (default 0)',
};

export const COMMANDS: readonly CommandSpec[] = [
  {
    id: 'add',
    name: 'add_{kind}',
    perKind: true,
    args: [],
    description:
      'copy the {Kind} template into the watched directory as `sample_{kind}<N>.wasm`, wait until the kernel lists it, execute it once',
  },
  {
    id: 'p_add',
    name: 'p_add_{kind}',
    perKind: true,
    args: [
      {
        placeholder: 'N',
        type: 'count',
        optional: false,
        min: 1,
        description: 'number of skills to deploy at once',
      },
    ],
    description:
      'copy N {Kind} templates at once, wait until all are listed, then execute each once',
  },
  {
    id: 'skills',
    name: 'skills',
    perKind: false,
    args: [],
    description: 'list the skills the kernel serves',
  },
  {
    id: 'cached_skills',
    name: 'cached_skills',
    perKind: false,
    args: [],
    description: 'list the skills the kernel holds compiled in its cache',
  },
  {
    id: 'execute_skill',
    name: 'execute_skill',
    perKind: false,
    args: [NAME, TOPIC, MEMORY_KB, WAIT_MS],
    description: 'execute one skill once',
  },
  {
    id: 'execute_all',
    name: 'execute_all',
    perKind: false,
    args: [TOPIC, MEMORY_KB, WAIT_MS],
    description: 'execute every listed skill once, one after another',
  },
  {
    id: 'p_execute_all',
    name: 'p_execute_all',
    perKind: false,
    args: [
      TOPIC,
      MEMORY_KB,
      WAIT_MS,
      {
        placeholder: 'TIMES',
        type: 'count',
        optional: true,
        default: 1,
        min: 1,
        max: {
          value: MAX_PARALLEL_TIMES,
          reason: 'the legacy tool refused more, so scripts stay runnable and comparable with it',
        },
        description: `executions per skill, all sent at once (default 1, at most ${MAX_PARALLEL_TIMES})`,
      },
    ],
    description: 'execute every listed skill TIMES times, all requests at once',
  },
  {
    id: 'drop_cached_skill',
    name: 'drop_cached_skill',
    perKind: false,
    args: [{ ...NAME, optional: true }],
    description: 'evict a skill from the cache; without NAME the first cached one in string order',
  },
  {
    id: 'delete_skill',
    name: 'delete_skill',
    perKind: false,
    args: [{ ...NAME, optional: true }],
    description:
      "remove a skill's file; without NAME the first listed skill (string order) whose file still exists",
  },
];

/** A table row made concrete for one kind (or as is, for commands without a kind). */
export interface ResolvedCommand {
  /** e.g. `add_py`, `execute_all`. */
  readonly name: string;
  readonly spec: CommandSpec;
  /** Set for per-kind commands. */
  readonly kind?: string;
  /** e.g. `execute_skill NAME TOPIC [MEMORY_KB] [WAIT_MS]`. */
  readonly usage: string;
  readonly description: string;
}

// A kind ends up in file names `sample_<kind><N>.wasm`; a trailing digit would make
// `sample_py2` + 1 read like `sample_py21`.
const KIND_RE = /^[a-z](?:[a-z0-9_]*[a-z_])?$/;

/**
 * Checks the kinds the caller enables and removes duplicates.
 * @throws InputError naming the bad kind and the expected form.
 */
export function normalizeKinds(kinds: readonly string[] = DEFAULT_KINDS): string[] {
  if (kinds.length === 0) {
    throw new InputError('skill kinds: the list is empty; expected: at least one kind, e.g. "py"');
  }
  for (const kind of kinds) {
    if (!KIND_RE.test(kind)) {
      throw new InputError(
        `skill kinds: ${JSON.stringify(kind)} is not a valid kind; expected: lower-case letters, digits ` +
          'or "_", starting with a letter and not ending with a digit, e.g. "py" or "wasi"',
      );
    }
  }
  return [...new Set(kinds)];
}

export function kindLabel(kind: string): string {
  return KIND_LABELS[kind] ?? kind;
}

/** `[MEMORY_KB]` for optional arguments, `NAME` for required ones. */
export function usageOf(name: string, args: readonly ArgSpec[]): string {
  return [name, ...args.map((a) => (a.optional ? `[${a.placeholder}]` : a.placeholder))].join(' ');
}

function fill(template: string, kind: string | undefined): string {
  if (kind === undefined) return template;
  return template.replaceAll('{kind}', kind).replaceAll('{Kind}', kindLabel(kind));
}

/** Every command name valid for these kinds, in table order (per-kind rows once per kind). */
export function resolveCommands(kinds: readonly string[] = DEFAULT_KINDS): ResolvedCommand[] {
  const list = normalizeKinds(kinds);
  const out: ResolvedCommand[] = [];
  for (const spec of COMMANDS) {
    for (const kind of spec.perKind ? list : [undefined]) {
      const name = fill(spec.name, kind);
      out.push({
        name,
        spec,
        kind,
        usage: usageOf(name, spec.args),
        description: fill(spec.description, kind),
      });
    }
  }
  return out;
}

/** The README/`check --commands` table for these kinds (markdown). */
export function commandsMarkdown(kinds: readonly string[] = DEFAULT_KINDS): string {
  const rows = resolveCommands(kinds).map((c) => [`\`${c.usage}\``, c.description]);
  return markdownTable([['command', 'meaning'], ...rows]);
}

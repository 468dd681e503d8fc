// The parsed form of a `.cmds` script. The parser produces it, the runner
// replays it, and the hash is computed from `words` exactly as the legacy tool did.

export type Arg = string | number;

export interface ScriptLine {
  /** 1-based line number in the file. */
  line: number;
  /** The words of the line as written (repeat prefix included), for the hash. */
  words: string[];
  /** The entry's `cmd` in the run log: the words joined by one space. */
  text: string;
  /** How often the command runs inside this one entry (the leading integer, default 1). */
  repeat: number;
  /** Command name, e.g. `add_py`, `p_execute_all`. */
  name: string;
  /** Arguments after the command name; numbers where they parse as numbers. */
  args: Arg[];
  /** The resolved command (typed arguments, defaults filled in). */
  command: Command;
}

export type Command =
  | { kind: 'add'; skillKind: string }
  | { kind: 'p_add'; skillKind: string; count: number }
  | { kind: 'skills' }
  | { kind: 'cached_skills' }
  | { kind: 'execute_skill'; skill: string; input: SkillInput }
  | { kind: 'execute_all'; input: SkillInput }
  | { kind: 'p_execute_all'; input: SkillInput; times: number }
  | { kind: 'drop_cached_skill'; skill?: string }
  | { kind: 'delete_skill'; skill?: string };

/** The benchmark skill's input. */
export interface SkillInput {
  topic: string;
  /** KB to allocate. */
  memory: number;
  /** ms to wait. */
  wait_time: number;
}

export interface Script {
  /** The path as the user gave it. */
  filename: string;
  /** SHA-1 hex of the Python repr of the list of word lists (legacy identity). */
  hash: string;
  lines: ScriptLine[];
}

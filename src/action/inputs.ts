// The one place that reads the action's inputs. Every input is read, checked
// and converted here into one typed ActionSettings object; nothing else calls
// core.getInput, and nothing here runs at import time.
import * as core from '@actions/core';
import { isAbsolute, resolve } from 'node:path';
import { InputError } from '../errors.ts';
import { API_NAMES, type ApiName } from '../kernel/profiles.ts';
import { parseThresholds, type Thresholds } from '../compare/thresholds.ts';

export const MODES = ['run', 'report'] as const;
export type Mode = (typeof MODES)[number];

/** When report mode posts the PR comment. */
export const COMMENT_WHEN = ['always', 'on-change', 'never'] as const;
export type CommentWhen = (typeof COMMENT_WHEN)[number];

/** The `kernel` value that selects kernel-bench's built-in emulated kernel. */
export const EMULATOR_KERNEL = 'emulator';

/**
 * Every input with its default, as action.yml declares them (a test checks
 * the two agree). Defaults apply when an input is absent from the
 * environment, i.e. when the bundle runs outside GitHub; the runner itself
 * always passes every input.
 */
export const INPUT_DEFAULTS = {
  mode: 'run',
  build: 'cargo build --release',
  'working-directory': '.',
  kernel: 'target/release/pharia-kernel',
  api: 'v1',
  skills: '',
  scripts: 'cmds/bench.cmds',
  // One run per side gives no noise estimate and shared runners are noisy:
  // three runs let the t-test tell a change from noise.
  iterations: '3',
  'baseline-dir': 'baselines',
  // Empty: compare's own defaults (THRESHOLDS in src/compare/thresholds.ts).
  thresholds: '',
  'fail-on-regression': 'false',
  comment: 'always',
  // action.yml defaults this to `${{ github.token }}`.
  'github-token': '',
  'artifact-prefix': 'kernel-bench',
  'results-dir': '',
  'base-ref': '',
} as const;

export type InputName = keyof typeof INPUT_DEFAULTS;

export interface ActionSettings {
  /** `run`: one matrix leg measures; `report`: one job merges the legs and comments. */
  mode: Mode;
  /** Shell command that builds the kernel, run in `workingDirectory`; '' skips the build. */
  build: string;
  /** Absolute directory the build runs in and relative paths resolve against. */
  workingDirectory: string;
  /** argv that starts the kernel (absolute binary path); undefined: the emulated kernel. */
  kernel: string[] | undefined;
  api: ApiName;
  /** Skill kind → absolute path of its template `.wasm`; empty: the runner's defaults. */
  skills: Record<string, string>;
  /** Glob patterns of `.cmds` scripts, relative to `workingDirectory`. */
  scripts: string[];
  /** Runs per script. */
  iterations: number;
  /** Absolute directory holding `<os>-<arch>/<script>.json` baselines. */
  baselineDir: string;
  /** Threshold overrides over compare's defaults, in the CLI's `--threshold` syntax. */
  thresholds: Thresholds;
  failOnRegression: boolean;
  comment: CommentWhen;
  /** Token for the REST API and artifact downloads; '' when none was given. Registered as a secret. */
  token: string;
  /** Artifact names start with this. */
  artifactPrefix: string;
  /** Report mode: read leg results from this absolute directory instead of downloading artifacts. */
  resultsDir: string | undefined;
  /**
   * Run mode: the git ref built in a worktree and run interleaved with this
   * checkout (replacing the stored baseline); undefined: compare with baselines.
   */
  baseRef: string | undefined;
}

/** Read, validate and resolve every input. Throws InputError naming the input. */
export function readSettings(): ActionSettings {
  const token = raw('github-token');
  // Before anything can log it.
  if (token) core.setSecret(token);

  const mode = oneOf('mode', MODES);
  const workingDirectory = resolve(raw('working-directory') || '.');
  const at = (p: string) => (isAbsolute(p) ? p : resolve(workingDirectory, p));

  const kernelInput = raw('kernel');
  if (!kernelInput && mode === 'run') {
    throw new InputError(
      `input 'kernel' is empty; expected a path to the kernel binary or '${EMULATOR_KERNEL}'`,
    );
  }
  const kernel = kernelInput === EMULATOR_KERNEL ? undefined : [at(kernelInput)];

  const settings: ActionSettings = {
    mode,
    build: raw('build'),
    workingDirectory,
    kernel,
    api: oneOf('api', API_NAMES),
    skills: skillLines(raw('skills'), at),
    scripts: lines(raw('scripts')),
    iterations: unsignedInt('iterations', 1, 1000),
    baselineDir: at(raw('baseline-dir') || INPUT_DEFAULTS['baseline-dir']),
    thresholds: thresholdLines(raw('thresholds')),
    failOnRegression: strictBoolean('fail-on-regression'),
    comment: oneOf('comment', COMMENT_WHEN),
    token,
    artifactPrefix: artifactPrefix(raw('artifact-prefix')),
    resultsDir: raw('results-dir') ? at(raw('results-dir')) : undefined,
    baseRef: raw('base-ref') || undefined,
  };

  // Rules spanning several inputs, checked before any work starts.
  if (settings.mode === 'run' && settings.scripts.length === 0) {
    throw new InputError(`input 'scripts' is empty; expected one or more globs, one a line`);
  }
  if (settings.mode === 'run' && settings.resultsDir) {
    throw new InputError(
      `input 'results-dir' is set to '${raw('results-dir')}' but 'mode' is 'run'; ` +
        `results-dir is read by 'mode: report' only`,
    );
  }
  if (settings.baseRef && settings.mode !== 'run') {
    throw new InputError(
      `input 'base-ref' is set to '${settings.baseRef}' but 'mode' is '${settings.mode}'; ` +
        `base-ref is used by 'mode: run' only`,
    );
  }
  // git would read a leading '-' as an option; whitespace is never part of a ref.
  if (settings.baseRef && (settings.baseRef.startsWith('-') || /\s/.test(settings.baseRef))) {
    throw new InputError(
      `input 'base-ref' is '${settings.baseRef}'; expected a branch, tag or commit ` +
        `(e.g. 'origin/main' or a SHA), not starting with '-' and without spaces`,
    );
  }

  core.debug(`resolved settings: ${JSON.stringify({ ...settings, token: token ? '***' : '' })}`);
  return settings;
}

/** The input's trimmed value, or its default when the input is absent from the environment. */
function raw(name: InputName): string {
  const key = `INPUT_${name.replace(/ /g, '_').toUpperCase()}`;
  if (process.env[key] === undefined) return INPUT_DEFAULTS[name];
  return core.getInput(name);
}

function oneOf<T extends readonly string[]>(name: InputName, allowed: T): T[number] {
  const value = raw(name);
  if (!isOneOf(value, allowed)) {
    throw new InputError(
      `input '${name}' is '${value}'; expected one of ${allowed.map((a) => `'${a}'`).join(', ')}`,
    );
  }
  return value;
}

function isOneOf<T extends readonly string[]>(value: string, allowed: T): value is T[number] {
  return (allowed as readonly string[]).includes(value);
}

/** Only `true` and `false` (any case); `yes`, `1`, `on` are errors, not silently false. */
function strictBoolean(name: InputName): boolean {
  const value = raw(name);
  const lower = value.toLowerCase();
  if (lower === 'true') return true;
  if (lower === 'false') return false;
  throw new InputError(`input '${name}' is '${value}'; expected 'true' or 'false'`);
}

function unsignedInt(name: InputName, min: number, max: number): number {
  const value = raw(name);
  if (!/^\d+$/.test(value) || Number(value) < min || Number(value) > max) {
    throw new InputError(
      `input '${name}' is '${value}'; expected a whole number from ${min} to ${max}`,
    );
  }
  return Number(value);
}

/** One `METRIC=PCT[%][:FLOOR]` a line, parsed by compare's own parser. */
function thresholdLines(value: string): Thresholds {
  const out: Thresholds = {};
  lines(value).forEach((l, i) => {
    try {
      Object.assign(out, parseThresholds([l]));
    } catch (error) {
      // compare's message names its CLI flag; name the input and line instead.
      const detail = (error as Error).message.replace(/^--threshold /, '');
      throw new InputError(`input 'thresholds' line ${i + 1}: ${detail}`);
    }
  });
  return out;
}

function lines(value: string): string[] {
  return value
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'));
}

/** `kind=path` lines, e.g. `py=skills/sample.wasm`. */
function skillLines(value: string, at: (p: string) => string): Record<string, string> {
  const out: Record<string, string> = {};
  lines(value).forEach((l, i) => {
    const m = l.match(/^([a-z][a-z0-9_]*)\s*=\s*(.+)$/);
    if (!m) {
      throw new InputError(
        `input 'skills' line ${i + 1} is '${l}'; expected 'kind=path', e.g. 'py=skills/sample_py.wasm'`,
      );
    }
    if (out[m[1]]) {
      throw new InputError(`input 'skills' line ${i + 1} names kind '${m[1]}' a second time`);
    }
    out[m[1]] = at(m[2].trim());
  });
  return out;
}

// Characters the artifact service refuses in names.
const BAD_ARTIFACT_CHARS = /["':<>|*?\\/\r\n]/;

function artifactPrefix(value: string): string {
  if (!value || BAD_ARTIFACT_CHARS.test(value)) {
    throw new InputError(
      `input 'artifact-prefix' is '${value}'; expected a non-empty name without " : < > | * ? \\ / or quotes`,
    );
  }
  return value;
}

// The one place that reads the emulated kernel's environment. It reads the
// same variables as the real kernel (both API generations) plus a few
// `KB_EMU_*` knobs that let tests provoke behaviour the real kernel shows only
// under load. Anything invalid is an InputError naming the variable, the bad
// value and the expected form; the entry point turns it into exit code 2. So
// is any `KB_EMU_*` variable not in the table (a misspelled knob).
//
// | variable                         | default             | meaning                                        |
// |----------------------------------|---------------------|------------------------------------------------|
// | KERNEL_ADDRESS                   | 127.0.0.1:8081      | `host:port` to listen on (v1 name; wins)       |
// | PHARIA_KERNEL_ADDRESS            |                     | same, 2024 name                                |
// | NAMESPACES__DEV__DIRECTORY       | ./skills            | directory watched for `NAME.wasm` (skill dev/NAME) |
// | NAMESPACE_UPDATE_INTERVAL        | 1s                  | rescan period: `500ms`, `1s`, `2m`, `1m30s`     |
// | LOG_LEVEL                        | info                | off, error, warn, info, debug, trace; tracing-style lists such as `warn,pharia_kernel=debug` are accepted |
// | METRICS_ADDRESS                  | (none)              | `host:port` for Prometheus text at `/metrics`  |
// | PHARIA_AI_TOKEN / AA_API_TOKEN   | (none)              | when set, every route but health needs `Authorization: Bearer <token>` (either token) |
// | KB_EMU_SKILL_MEMORY_FACTOR       | 24                  | memory held per loaded skill = factor x .wasm size (py template ~24 MiB, rs ~1.5 MiB) |
// | KB_EMU_SKILL_MEMORY_KB           | (none)              | memory held per loaded skill in KiB; overrides the factor |
// | KB_EMU_LOAD_MS                   | 50 per MiB of .wasm | how long a skill's load (its first execution) takes: reading, compiling and filling its memory count toward it, the rest is waited; work that takes longer is not cut short (py template ~50 ms, rs ~3 ms) |
// | KB_EMU_LIST_DELAY_MS             | 0                   | delay before answering a skill listing          |
// | KB_EMU_MAX_IN_FLIGHT             | (unlimited)         | requests (any route) beyond this many in flight get their connection reset |
// | KB_EMU_CRASH_AFTER               | (never)             | after N skill executions the next one panics: exit 101 |
// | KB_EMU_STOP_DELAY_MS             | 0                   | delay between SIGTERM and shutting down         |
// | KB_EMU_IGNORE_SIGTERM            | false               | `1`/`true`: SIGTERM is logged and ignored       |
// | KB_EMU_HEALTH                    | ok                  | `never`: health routes answer 503 forever       |
// | KB_EMU_WAIT_FOR_CLIENTS          | false               | `1`: at stop, wait until clients close their keep-alive connections (the server's 5 s idle timeout still applies), as servers with a graceful shutdown do |

import { InputError } from '../errors.ts';

export const LOG_LEVELS = ['off', 'error', 'warn', 'info', 'debug', 'trace'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export const HEALTH_MODES = ['ok', 'never'] as const;
export type HealthMode = (typeof HEALTH_MODES)[number];

export interface Address {
  host: string;
  port: number;
  /** The variable the address came from (or `default`), for error messages. */
  source: string;
}

export interface EmulatorConfig {
  address: Address;
  /** Absolute or cwd-relative directory of the `dev` namespace. */
  skillsDir: string;
  updateIntervalMs: number;
  logLevel: LogLevel;
  metricsAddress: Address | null;
  /** Accepted bearer tokens; empty means no authentication. */
  tokens: string[];
  skillMemory: { kind: 'factor'; factor: number } | { kind: 'kb'; kb: number };
  /** How long a load takes in all, or null for the size-proportional default. */
  loadMs: number | null;
  listDelayMs: number;
  /** Infinity when unlimited. */
  maxInFlight: number;
  /** Null when it never crashes. */
  crashAfter: number | null;
  stopDelayMs: number;
  ignoreSigterm: boolean;
  /** At stop, leave idle keep-alive connections for the clients to close. */
  waitForClients: boolean;
  health: HealthMode;
}

export const DEFAULT_ADDRESS = '127.0.0.1:8081';
export const DEFAULT_SKILL_MEMORY_FACTOR = 24;
/** Default load time per MiB of .wasm when KB_EMU_LOAD_MS is unset. */
export const LOAD_MS_PER_MIB = 50;
/** A wasm32 memory holds at most 4 GiB, and the held memory is one. */
export const MAX_MEMORY_KB = 4 * 1024 * 1024;

type Env = Record<string, string | undefined>;

/** Every `KB_EMU_*` knob; any other variable with that prefix is a misspelling. */
export const KNOBS = [
  'KB_EMU_SKILL_MEMORY_FACTOR',
  'KB_EMU_SKILL_MEMORY_KB',
  'KB_EMU_LOAD_MS',
  'KB_EMU_LIST_DELAY_MS',
  'KB_EMU_MAX_IN_FLIGHT',
  'KB_EMU_CRASH_AFTER',
  'KB_EMU_STOP_DELAY_MS',
  'KB_EMU_IGNORE_SIGTERM',
  'KB_EMU_HEALTH',
  'KB_EMU_WAIT_FOR_CLIENTS',
] as const;

function bad(name: string, value: string, expected: string): InputError {
  return new InputError(`${name}=${JSON.stringify(value)} is not valid: expected ${expected}`);
}

/** Unset and empty both mean "use the default", like most shells' users expect. */
function get(env: Env, name: string): string | undefined {
  const value = env[name];
  return value === undefined || value.trim() === '' ? undefined : value.trim();
}

export function parseAddress(name: string, value: string): Address {
  // `[::1]:8081` for IPv6, `host:port` otherwise.
  const match = /^(?:\[([0-9a-fA-F:.]+)\]|([^:[\]\s]+)):(\d{1,5})$/.exec(value);
  const port = match ? Number(match[3]) : NaN;
  if (!match || port > 65535) {
    throw bad(name, value, 'host:port, e.g. 127.0.0.1:8081 or [::1]:8081, port 0-65535');
  }
  return { host: (match[1] ?? match[2])!, port, source: name };
}

// One duration reader for the whole project (the real kernel uses humantime).
import { parseDuration } from '../duration.ts';
export { parseDuration };

function parseUnsigned(name: string, value: string, min = 0): number {
  const n = /^\d+$/.test(value) ? Number(value) : NaN;
  if (!Number.isSafeInteger(n) || n < min) {
    throw bad(name, value, `an integer of at least ${min}`);
  }
  return n;
}

function parsePositiveNumber(name: string, value: string): number {
  const n = /^\d+(\.\d+)?$/.test(value) ? Number(value) : NaN;
  if (!(n > 0) || !Number.isFinite(n)) throw bad(name, value, 'a number above 0, e.g. 24 or 0.5');
  return n;
}

function parseBoolean(name: string, value: string): boolean {
  if (value === '1' || value === 'true') return true;
  if (value === '0' || value === 'false') return false;
  throw bad(name, value, 'one of 1, true, 0, false');
}

function isLevel(value: string): value is LogLevel {
  return (LOG_LEVELS as readonly string[]).includes(value);
}

/**
 * `info`, or a tracing-style list such as `warn,pharia_kernel=debug`. The
 * emulator logs only under `pharia_kernel`, so a directive for that target
 * (or a prefix of it) wins over the bare level; other targets are ignored.
 */
export function parseLogLevel(name: string, value: string): LogLevel {
  const expected = `one of ${LOG_LEVELS.join(', ')}, or a list such as warn,pharia_kernel=debug`;
  let bare: LogLevel | undefined;
  let kernel: LogLevel | undefined;
  for (const raw of value.toLowerCase().split(',')) {
    const item = raw.trim();
    if (item === '') continue;
    const eq = item.indexOf('=');
    const level = eq < 0 ? item : item.slice(eq + 1);
    if (!isLevel(level)) throw bad(name, value, expected);
    if (eq < 0) bare = level;
    else if ('pharia_kernel'.startsWith(item.slice(0, eq).split('::')[0]!)) kernel = level;
  }
  return kernel ?? bare ?? 'info';
}

function parseChoice<T extends string>(name: string, value: string, allowed: readonly T[]): T {
  if ((allowed as readonly string[]).includes(value)) return value as T;
  throw bad(name, value, `one of ${allowed.join(', ')}`);
}

export function readConfig(env: Env = process.env): EmulatorConfig {
  const unknown = Object.keys(env)
    .filter((name) => name.startsWith('KB_EMU_') && !(KNOBS as readonly string[]).includes(name))
    .sort();
  if (unknown.length > 0) {
    throw new InputError(
      `${unknown.join(', ')}: not ${unknown.length > 1 ? 'emulator knobs' : 'an emulator knob'}; ` +
        `expected one of ${KNOBS.join(', ')}`,
    );
  }
  // The v1 name wins when both are set, as a current kernel would read only it.
  const addressName = get(env, 'KERNEL_ADDRESS')
    ? 'KERNEL_ADDRESS'
    : get(env, 'PHARIA_KERNEL_ADDRESS')
      ? 'PHARIA_KERNEL_ADDRESS'
      : undefined;
  const address = addressName
    ? parseAddress(addressName, get(env, addressName)!)
    : { ...parseAddress('default', DEFAULT_ADDRESS), source: 'default' };

  const metrics = get(env, 'METRICS_ADDRESS');
  const interval = get(env, 'NAMESPACE_UPDATE_INTERVAL');
  const level = get(env, 'LOG_LEVEL');
  const factor = get(env, 'KB_EMU_SKILL_MEMORY_FACTOR');
  const kb = get(env, 'KB_EMU_SKILL_MEMORY_KB');
  const load = get(env, 'KB_EMU_LOAD_MS');
  const listDelay = get(env, 'KB_EMU_LIST_DELAY_MS');
  const maxInFlight = get(env, 'KB_EMU_MAX_IN_FLIGHT');
  const crashAfter = get(env, 'KB_EMU_CRASH_AFTER');
  const stopDelay = get(env, 'KB_EMU_STOP_DELAY_MS');
  const ignore = get(env, 'KB_EMU_IGNORE_SIGTERM');
  const waitForClients = get(env, 'KB_EMU_WAIT_FOR_CLIENTS');
  const health = get(env, 'KB_EMU_HEALTH');

  // Parse the factor even when the KB value overrides it, so a typo in it
  // is still reported rather than silently ignored.
  const parsedFactor = factor
    ? parsePositiveNumber('KB_EMU_SKILL_MEMORY_FACTOR', factor)
    : DEFAULT_SKILL_MEMORY_FACTOR;
  let skillMemory: EmulatorConfig['skillMemory'] = { kind: 'factor', factor: parsedFactor };
  if (kb) {
    const value = parseUnsigned('KB_EMU_SKILL_MEMORY_KB', kb);
    if (value > MAX_MEMORY_KB) {
      throw bad('KB_EMU_SKILL_MEMORY_KB', kb, `at most ${MAX_MEMORY_KB} (4 GiB)`);
    }
    skillMemory = { kind: 'kb', kb: value };
  }

  return {
    address,
    skillsDir: get(env, 'NAMESPACES__DEV__DIRECTORY') ?? 'skills',
    updateIntervalMs: interval ? parseDuration('NAMESPACE_UPDATE_INTERVAL', interval) : 1000,
    logLevel: level ? parseLogLevel('LOG_LEVEL', level) : 'info',
    metricsAddress: metrics ? parseAddress('METRICS_ADDRESS', metrics) : null,
    tokens: [get(env, 'PHARIA_AI_TOKEN'), get(env, 'AA_API_TOKEN')].filter(
      (t): t is string => t !== undefined,
    ),
    skillMemory,
    loadMs: load ? parseUnsigned('KB_EMU_LOAD_MS', load) : null,
    listDelayMs: listDelay ? parseUnsigned('KB_EMU_LIST_DELAY_MS', listDelay) : 0,
    maxInFlight: maxInFlight ? parseUnsigned('KB_EMU_MAX_IN_FLIGHT', maxInFlight, 1) : Infinity,
    crashAfter: crashAfter ? parseUnsigned('KB_EMU_CRASH_AFTER', crashAfter) : null,
    stopDelayMs: stopDelay ? parseUnsigned('KB_EMU_STOP_DELAY_MS', stopDelay) : 0,
    ignoreSigterm: ignore ? parseBoolean('KB_EMU_IGNORE_SIGTERM', ignore) : false,
    waitForClients: waitForClients
      ? parseBoolean('KB_EMU_WAIT_FOR_CLIENTS', waitForClients)
      : false,
    health: health ? parseChoice('KB_EMU_HEALTH', health, HEALTH_MODES) : 'ok',
  };
}

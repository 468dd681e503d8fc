// Reads run logs, legacy (every value a string, no outcome line) and new
// (numbers, extra fields, an outcome line). Lines carry no type, so they are
// told apart by their keys. Errors name the file, the line and the field.
import { readFile } from 'node:fs/promises';
import { InputError, unreadable } from '../errors.ts';
import type {
  BinaryLine,
  Entry,
  ErrorKind,
  LatencyStats,
  MachineLine,
  OutcomeLine,
  RequestStats,
  RunLog,
  ScriptInfoLine,
} from './types.ts';

type Json = Record<string, unknown>;

/** Reads and parses a run log file. */
export async function readRunLog(path: string): Promise<RunLog> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new InputError(`cannot read run log ${path}: ${unreadable(error)}`);
  }
  return parseRunLog(text, path);
}

/** Up to 60 characters of a line, quoted, for error messages. */
export function excerpt(line: string): string {
  const short = line.length > 60 ? line.slice(0, 60) + '…' : line;
  return JSON.stringify(short);
}

/** Parses the text of a run log; `path` is only used in messages and kept in the result. */
export function parseRunLog(text: string, path: string): RunLog {
  const lines = text.split('\n').map((l) => l.replace(/\r$/, ''));
  const numbered = lines
    .map((content, i) => ({ content, line: i + 1 }))
    .filter((l) => l.content.trim() !== '');
  if (numbered.length === 0) {
    throw new InputError(`${path}: empty file, expected a run log (one JSON object per line)`);
  }

  let machine: MachineLine | undefined;
  let binary: BinaryLine | undefined;
  let script: ScriptInfoLine | undefined;
  let stop: Entry | undefined;
  let outcome: OutcomeLine | undefined;
  let truncated = false;
  const entries: Entry[] = [];

  for (let i = 0; i < numbered.length; i++) {
    const { content, line } = numbered[i]!;
    const at = `${path}:${line}`;
    let value: unknown;
    try {
      value = JSON.parse(content);
    } catch {
      // A run killed mid-write leaves a last line that starts like an object
      // but ends early. Anything else (console text pasted after the log) is an error.
      if (i === numbered.length - 1 && content.trimStart().startsWith('{')) {
        truncated = true;
        break;
      }
      throw new InputError(
        `${at}: not a JSON object: ${excerpt(content)}; a run log holds one JSON object per line`,
      );
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      throw new InputError(`${at}: not a JSON object: ${excerpt(content)}`);
    }
    const obj = value as Json;
    if (outcome) {
      throw new InputError(`${at}: line after the outcome line: ${excerpt(content)}`);
    }

    if ('cmd' in obj) {
      requireHeader(at, machine, binary, script);
      if (stop) throw new InputError(`${at}: entry after the stop entry: ${excerpt(content)}`);
      const entry = readEntry(obj, at);
      if (entry.cmd === 'stop') stop = entry;
      else entries.push(entry);
    } else if ('outcome' in obj) {
      requireHeader(at, machine, binary, script);
      outcome = readOutcome(obj, at);
    } else if ('arch' in obj) {
      if (machine) throw new InputError(`${at}: a second machine line (the first is line 1)`);
      machine = readMachine(obj, at);
    } else if ('bin' in obj) {
      if (binary) throw new InputError(`${at}: a second binary line`);
      if (!machine) throw new InputError(`${at}: binary line before the machine line`);
      binary = readBinary(obj, at);
    } else if ('filename' in obj && 'hash' in obj) {
      if (script) throw new InputError(`${at}: a second script line`);
      if (!binary) throw new InputError(`${at}: script line before the binary line`);
      script = readScript(obj, at);
    } else {
      throw new InputError(
        `${at}: unknown line with keys ${JSON.stringify(Object.keys(obj))}; expected a machine ` +
          `(arch), binary (bin), script (filename, hash), entry (cmd) or outcome line`,
      );
    }
  }

  if (!machine || !binary || !script) {
    const missing = !machine
      ? 'machine (arch)'
      : !binary
        ? 'binary (bin)'
        : 'script (filename, hash)';
    throw new InputError(
      `${path}: no ${missing} line; a run log starts with the machine, binary and script lines`,
    );
  }
  return {
    path,
    machine,
    binary,
    script,
    entries,
    ...(stop ? { stop } : {}),
    ...(outcome ? { outcome } : {}),
    truncated,
    incomplete: !stop,
  };
}

function requireHeader(at: string, ...header: unknown[]): void {
  if (header.some((h) => h === undefined)) {
    throw new InputError(
      `${at}: entry before the machine, binary and script lines; a run log starts with those three`,
    );
  }
}

// ---- strict field readers: numbers may be JSON numbers or numeric strings ----

const NUMERIC = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;

function num(obj: Json, key: string, at: string): number {
  const n = optNum(obj, key, at);
  if (n === null || n === undefined) {
    throw new InputError(`${at}: field "${key}" is missing or null, expected a number`);
  }
  return n;
}

function optNum(obj: Json, key: string, at: string): number | null | undefined {
  const v = obj[key];
  if (v === undefined || v === null) return v;
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  if (typeof v === 'string' && NUMERIC.test(v.trim())) return Number(v.trim());
  throw new InputError(
    `${at}: field "${key}" is ${JSON.stringify(v)}, expected a number (like 12 or "12")`,
  );
}

function str(obj: Json, key: string, at: string): string {
  const v = obj[key];
  if (typeof v !== 'string') {
    throw new InputError(`${at}: field "${key}" is ${JSON.stringify(v)}, expected a string`);
  }
  return v;
}

function optStr(obj: Json, key: string, at: string): string | null | undefined {
  const v = obj[key];
  if (v === undefined || v === null) return v;
  return str(obj, key, at);
}

function optBool(obj: Json, key: string, at: string): boolean | undefined {
  const v = obj[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'boolean') return v;
  throw new InputError(`${at}: field "${key}" is ${JSON.stringify(v)}, expected true or false`);
}

function optObj(obj: Json, key: string, at: string): Json | undefined {
  const v = obj[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'object' || Array.isArray(v)) {
    throw new InputError(`${at}: field "${key}" is ${JSON.stringify(v)}, expected an object`);
  }
  return v as Json;
}

function optStrings(obj: Json, key: string, at: string): string[] | undefined {
  const v = obj[key];
  if (v === undefined || v === null) return undefined;
  if (!Array.isArray(v) || v.some((s) => typeof s !== 'string')) {
    throw new InputError(
      `${at}: field "${key}" is ${JSON.stringify(v)}, expected a list of strings`,
    );
  }
  return v as string[];
}

/** Copies the optional fields that are present (so absent stays absent). */
function assignDefined<T extends object>(target: T, extra: Partial<T>): T {
  for (const [k, v] of Object.entries(extra)) {
    if (v !== undefined) (target as Record<string, unknown>)[k] = v;
  }
  return target;
}

function readMachine(obj: Json, at: string): MachineLine {
  return assignDefined<MachineLine>(
    {
      arch: optStr(obj, 'arch', at) ?? null,
      brand: optStr(obj, 'brand', at) ?? null,
      cores: optNum(obj, 'cores', at) ?? null,
      memory_total: optNum(obj, 'memory_total', at) ?? null,
      memory_available: optNum(obj, 'memory_available', at) ?? null,
    },
    { os: optStr(obj, 'os', at) },
  );
}

function readBinary(obj: Json, at: string): BinaryLine {
  const api = optStr(obj, 'api', at);
  if (api !== undefined && api !== null && api !== 'v1' && api !== '2024') {
    throw new InputError(`${at}: field "api" is ${JSON.stringify(api)}, expected "v1" or "2024"`);
  }
  return assignDefined<BinaryLine>(
    {
      bin: str(obj, 'bin', at),
      hash: optStr(obj, 'hash', at) ?? null,
      modified: optStr(obj, 'modified', at) ?? null,
    },
    {
      command: optStrings(obj, 'command', at),
      emulated: optBool(obj, 'emulated', at),
      api: api ?? undefined,
      commit: optStr(obj, 'commit', at),
      // Kept as written: compare only tells whether two runs' settings differ.
      settings: optObj(obj, 'settings', at) as BinaryLine['settings'],
    },
  );
}

function readScript(obj: Json, at: string): ScriptInfoLine {
  return {
    filename: str(obj, 'filename', at),
    hash: str(obj, 'hash', at),
    modified: optStr(obj, 'modified', at) ?? null,
  };
}

function readOutcome(obj: Json, at: string): OutcomeLine {
  const outcome = str(obj, 'outcome', at);
  if (outcome !== 'complete' && outcome !== 'failed') {
    throw new InputError(
      `${at}: field "outcome" is ${JSON.stringify(outcome)}, expected "complete" or "failed"`,
    );
  }
  return assignDefined<OutcomeLine>(
    { outcome, stamp: optStr(obj, 'stamp', at) ?? '', tool: optStr(obj, 'tool', at) ?? '' },
    { reason: optStr(obj, 'reason', at) ?? undefined },
  );
}

const ERROR_KINDS: readonly ErrorKind[] = ['refused', 'reset', 'timeout', 'http', 'other'];

function readRequests(obj: Json, at: string): RequestStats {
  const errorsObj = optObj(obj, 'errors', `${at} requests`) ?? {};
  const errors: Partial<Record<ErrorKind, number>> = {};
  for (const key of Object.keys(errorsObj)) {
    if (!ERROR_KINDS.includes(key as ErrorKind)) {
      throw new InputError(
        `${at}: requests.errors has kind "${key}", expected one of ${ERROR_KINDS.join(', ')}`,
      );
    }
    errors[key as ErrorKind] = num(errorsObj, key, `${at} requests.errors`);
  }
  const lat = optObj(obj, 'latency', `${at} requests`);
  if (!lat) throw new InputError(`${at}: requests.latency is missing, expected an object`);
  const latAt = `${at} requests.latency`;
  const latency: LatencyStats = {
    min: num(lat, 'min', latAt),
    p50: num(lat, 'p50', latAt),
    p95: num(lat, 'p95', latAt),
    p99: num(lat, 'p99', latAt),
    max: num(lat, 'max', latAt),
  };
  const latencyOf = optStr(obj, 'latency_of', `${at} requests`);
  if (latencyOf != null && latencyOf !== 'ok' && latencyOf !== 'all') {
    throw new InputError(
      `${at}: requests.latency_of is ${JSON.stringify(latencyOf)}, expected "ok" or "all"`,
    );
  }
  return assignDefined<RequestStats>(
    {
      count: num(obj, 'count', `${at} requests`),
      ok: num(obj, 'ok', `${at} requests`),
      errors,
      latency,
    },
    {
      latency_of: latencyOf ?? undefined,
      span_ms: optNum(obj, 'span_ms', `${at} requests`) ?? undefined,
    },
  );
}

function readEntry(obj: Json, at: string): Entry {
  const cmd = str(obj, 'cmd', at);
  const entry: Entry = {
    cmd,
    took: num(obj, 'took', at),
    rss: num(obj, 'rss', at),
    rss_diff: num(obj, 'rss_diff', at),
    // vms is informational only; a log missing it still compares.
    vms: optNum(obj, 'vms', at) ?? 0,
    vms_diff: optNum(obj, 'vms_diff', at) ?? 0,
  };
  const peakSource = optStr(obj, 'peak_source', at);
  if (peakSource != null && peakSource !== 'hwm' && peakSource !== 'samples') {
    throw new InputError(
      `${at}: field "peak_source" is ${JSON.stringify(peakSource)}, expected "hwm" or "samples"`,
    );
  }
  const requestsObj = optObj(obj, 'requests', at);
  const deployedObj = optObj(obj, 'deployed', at);
  let deployed: Record<string, number> | undefined;
  if (deployedObj) {
    deployed = {};
    for (const kind of Object.keys(deployedObj)) {
      deployed[kind] = num(deployedObj, kind, `${at} deployed`);
    }
  }
  const pids = obj['pids'];
  if (pids !== undefined && (!Array.isArray(pids) || pids.some((p) => typeof p !== 'number'))) {
    throw new InputError(
      `${at}: field "pids" is ${JSON.stringify(pids)}, expected a list of numbers`,
    );
  }
  return assignDefined<Entry>(entry, {
    line: optNum(obj, 'line', at) ?? undefined,
    peak_rss: optNum(obj, 'peak_rss', at),
    peak_source: (peakSource ?? undefined) as Entry['peak_source'],
    cpu_ms: optNum(obj, 'cpu_ms', at),
    requests: requestsObj ? readRequests(requestsObj, at) : undefined,
    // null stays null: the deploy did not get that far.
    discover_ms: optNum(obj, 'discover_ms', at),
    first_exec_ms: optNum(obj, 'first_exec_ms', at),
    deployed,
    failed: optBool(obj, 'failed', at),
    failures: optStrings(obj, 'failures', at),
    pids: pids as number[] | undefined,
    killed: optBool(obj, 'killed', at),
    exit_code: optNum(obj, 'exit_code', at),
    signal: optStr(obj, 'signal', at),
  });
}

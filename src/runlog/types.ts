// The run log: one JSON object per line, in the legacy layout (machine,
// binary, script, one entry per script line, `stop`), with new fields beside
// the legacy ones and a last `outcome` line. Readers tell lines apart by
// their keys, because legacy logs carry no line type.

/** Line 1. Legacy logs hold every value as a string; new logs write numbers. */
export interface MachineLine {
  /** `X86_64`, `ARM_8`, ... as the legacy tool named them; null when unreadable. */
  arch: string | null;
  brand: string | null;
  /** Logical CPUs. */
  cores: number | null;
  /** GiB, rounded. */
  memory_total: number | null;
  memory_available: number | null;
  /** `linux`, `darwin`, ... (new). */
  os?: string | null;
}

/** Line 2: the kernel binary. */
export interface BinaryLine {
  /** Resolved path of the executable (for the emulator, its script). */
  bin: string;
  /** SHA-1 hex of the file's bytes; null when it could not be read. */
  hash: string | null;
  /** Change time of the file, `YYMMDD_HHMMSS.mmm`. */
  modified: string | null;
  /** New: the full command line that started the kernel. */
  command?: string[];
  /** New: true when this is kernel-bench's emulated kernel. */
  emulated?: boolean;
  /** New: the API profile spoken. */
  api?: 'v1' | '2024';
  /** New: the git commit of the kernel source, when known. */
  commit?: string | null;
  /** New: how the run was set up; runs whose settings differ should not be mixed. */
  settings?: RunSettings;
}

/**
 * The settings of a run that change its figures. `env` holds the `--env`
 * variables as given, except secrets: a variable whose name contains TOKEN,
 * SECRET, PASSWORD, PASSWD, KEY or CREDENTIAL (any case) is left out and only
 * its name is listed in `env_redacted`.
 */
export interface RunSettings {
  /** The kernel's NAMESPACE_UPDATE_INTERVAL as given, e.g. `1s`. */
  update_interval: string;
  update_interval_ms: number;
  /** Per-request timeout, ms. */
  request_timeout_ms: number;
  /** How long a deployed skill may take to be listed, ms. */
  discover_timeout_ms: number;
  /** `--env` variables given (name → value), secrets left out. */
  env: Record<string, string>;
  /** Names of `--env` variables left out as secrets; absent when none. */
  env_redacted?: string[];
  /** Skill templates the script deploys: kind → path and SHA-1 of its bytes (null if unreadable). */
  templates: Record<string, { path: string; sha1: string | null }>;
  /**
   * The emulated kernel only: the Node.js that runs it, e.g. `node v20.20.2`.
   * Its memory depends on it: a run of cmds/bench.cmds on Node 24 had a 7.6%
   * higher maximum rss than the Node 20 baseline.
   */
  runtime?: string;
}

/** Line 3: the script. */
export interface ScriptInfoLine {
  filename: string;
  hash: string;
  modified: string | null;
}

export type ErrorKind = 'refused' | 'reset' | 'timeout' | 'http' | 'other';

export interface LatencyStats {
  min: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
}

/** Requests sent by one command (all repetitions together). */
export interface RequestStats {
  count: number;
  ok: number;
  /** Failed requests by kind; kinds with no failure are omitted. */
  errors: Partial<Record<ErrorKind, number>>;
  /**
   * Latency in ms of the ok requests, so fast failures (resets, refusals) do
   * not pull it down; of every request when none was ok (see `latency_of`).
   * Logs without `latency_of` (older ones) measured every request.
   */
  latency: LatencyStats;
  /** New: which requests `latency` covers: `ok` ones, or `all` when none was ok. */
  latency_of?: 'ok' | 'all';
  /**
   * New: ms from the first request sent to the last answer (or failure), all
   * requests; for `p_execute_all` the parallel phase without its listing.
   */
  span_ms?: number;
}

/** One script line, or the final `stop`. Memory in KiB, times in ms. */
export interface Entry {
  cmd: string;
  /** Wall time of the command, monotonic clock, ms. */
  took: number;
  /** Resident memory of the kernel (its process tree) after the command. */
  rss: number;
  rss_diff: number;
  vms: number;
  vms_diff: number;
  // ---- new fields ----
  /** 1-based script line; absent on `stop`. */
  line?: number;
  /** Highest resident memory during the command. */
  peak_rss?: number | null;
  /** `hwm`: exact kernel high-water mark (Linux); `samples`: max of the samples. */
  peak_source?: 'hwm' | 'samples';
  /** Kernel CPU time (user + system) used during the command, ms. */
  cpu_ms?: number | null;
  /** For commands that send requests. */
  requests?: RequestStats;
  /**
   * Deploy commands: time until listed, and the first execution, ms (sums over
   * repetitions). Null when it did not happen: a skill never listed, so the
   * first execution was not sent (and the listing wait did not end).
   */
  discover_ms?: number | null;
  first_exec_ms?: number | null;
  /** Skills deployed so far, by kind, after this command (for memory per skill). */
  deployed?: Record<string, number>;
  /** True when any request failed or the command could not complete. */
  failed?: boolean;
  /** A few failure messages (first ones), each naming the request. */
  failures?: string[];
  /** The pids whose memory was counted (the kernel and its descendants). */
  pids?: number[];
  // ---- on `stop` only ----
  /** SIGKILL was needed after the grace period. */
  killed?: boolean;
  exit_code?: number | null;
  signal?: string | null;
}

/** The last line: how the run ended. */
export interface OutcomeLine {
  outcome: 'complete' | 'failed';
  /** Why a failed run ended, naming the command and request where known. */
  reason?: string;
  /** Local start time of the run, the log's stamp. */
  stamp: string;
  /** kernel-bench version that wrote the log. */
  tool: string;
}

export interface RunLog {
  /** Path the log was read from. */
  path: string;
  machine: MachineLine;
  binary: BinaryLine;
  script: ScriptInfoLine;
  entries: Entry[];
  /** The `stop` entry, when the log has one. */
  stop?: Entry;
  outcome?: OutcomeLine;
  /** The last line was cut mid-write and was skipped. */
  truncated: boolean;
  /** No `stop` entry. */
  incomplete: boolean;
}

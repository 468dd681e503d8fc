// The main job: start a kernel, replay a script against it, measure every
// command, and write the run log, the memory samples and the kernel's output.
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { existsSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { join } from 'node:path';
import { EXIT, InputError, KernelError } from '../errors.ts';
import { KernelClient, summarize, type RequestResult } from '../kernel/client.ts';
import {
  freeLoopbackAddress,
  installExitCleanup,
  kernelEnv,
  showCommand,
  startKernel,
  type KernelProcess,
} from '../kernel/process.ts';
import { getProfile, type ApiName } from '../kernel/profiles.ts';
import { now, elapsed } from '../measure/clock.ts';
import { fileInfo, formatStamp, resolveExecutable } from '../measure/fileinfo.ts';
import { readMachine } from '../measure/machine.ts';
import { openFilesLimit } from '../measure/limits.ts';
import { readMemory, readPeak, resetPeak, type MemoryReading } from '../measure/memory.ts';
import { Sampler } from '../measure/sampler.ts';
import { RunLogWriter } from '../runlog/write.ts';
import type { Entry, RunLog, BinaryLine, OutcomeLine, RunSettings } from '../runlog/types.ts';
import { loadScript } from '../script/parse.ts';
import { simulateSkillCounts } from '../script/describe.ts';
import type { Script, ScriptLine } from '../script/types.ts';
import { readConfig } from '../emulator/config.ts';
import { emulatorCommand, templatePaths } from '../emulator/locate.ts';
import { VERSION } from '../version.ts';
import { Executor, type StepResult } from './executor.ts';
import { createProgress, type Progress, type ProgressMode } from './progress.ts';
import { parseDuration } from '../duration.ts';
import { checkTemplate } from './templates.ts';

export interface RunOptions {
  scriptPath: string;
  /** The kernel's argv; undefined starts kernel-bench's emulated kernel. */
  kernel?: string[];
  api?: ApiName;
  /** kind → template .wasm; merged over the emulator's `py` and `rs` templates. */
  skills?: Record<string, string>;
  /** Where the run log, samples and kernel output go (made if missing). */
  outDir: string;
  /** The kernel's NAMESPACE_UPDATE_INTERVAL, e.g. `1s`. */
  updateInterval?: string;
  /** Per-request timeout. */
  requestTimeoutMs?: number;
  /** How long the kernel may take to answer its health route. */
  readyTimeoutMs?: number;
  /** SIGTERM → SIGKILL grace at stop. */
  stopGraceMs?: number;
  /** Memory timeline interval. */
  sampleIntervalMs?: number;
  /** How long a deployed skill may take to be listed; default 3 update intervals, at least 10 s. */
  discoverTimeoutMs?: number;
  /** The kernel's API token (sent as a bearer token, never logged). */
  token?: string;
  /** Extra environment for the kernel (e.g. the emulator's knobs). */
  env?: Record<string, string>;
  logLevel?: string;
  progress?: ProgressMode;
  /** Where progress lines go; default stderr. */
  log?: (line: string) => void;
}

export interface RunResult {
  stamp: string;
  logPath: string;
  samplesPath: string;
  pkLogPath: string;
  outcome: 'complete' | 'failed';
  reason?: string;
  exitCode: number;
  log: RunLog;
}

export const RUN_DEFAULTS = {
  api: 'v1' as ApiName,
  updateInterval: '1s',
  requestTimeoutMs: 60_000,
  readyTimeoutMs: 30_000,
  stopGraceMs: 30_000,
  sampleIntervalMs: 100,
  logLevel: 'info',
  /** Fixed poll interval while waiting for a deployed skill to be listed. */
  pollIntervalMs: 20,
};

/** The HTTP pool never needs more sockets than this, whatever the script asks. */
const MAX_CONNECTIONS = 1024;
/** File descriptors kept for all but connections: logs, /proc files, the kernel's pipes. */
const RESERVED_FILES = 128;
/** How long a kernel found gone by a reading may take to be reaped (its exit event). */
const EXIT_NOTICE_MS = 2000;

/**
 * Every input of a run, checked: the script, the templates, the durations,
 * the emulator's environment, the kernel command. Throws InputError naming
 * the bad one; starts and writes nothing. `kernel-bench ab` checks both sides
 * with it before the first round.
 */
export async function checkRunInputs(options: RunOptions) {
  const api = options.api ?? RUN_DEFAULTS.api;
  const templates: Record<string, string> = { ...templatePaths(), ...options.skills };
  const script = await loadScript(options.scriptPath, { kinds: Object.keys(templates) });
  const used = deployedKinds(script);
  // Given templates are checked even when unused; built-in ones only when used.
  for (const kind of new Set([...Object.keys(options.skills ?? {}), ...used])) {
    await checkTemplate(kind, templates[kind]!);
  }
  const updateInterval = options.updateInterval ?? RUN_DEFAULTS.updateInterval;
  const intervalMs = parseDuration('--update-interval', updateInterval);
  const logLevel = options.logLevel ?? RUN_DEFAULTS.logLevel;
  checkEnvNames(api, options.env ?? {});
  const emulated = options.kernel === undefined;
  if (emulated) checkEmulatorEnv(api, updateInterval, logLevel, options);
  const { argv, executable } = emulated
    ? emulatorProgram()
    : await absoluteCommand(options.kernel!);
  return {
    api,
    templates,
    script,
    used,
    updateInterval,
    intervalMs,
    logLevel,
    emulated,
    argv,
    executable,
  };
}

export async function runScript(options: RunOptions): Promise<RunResult> {
  // Every input is checked before anything starts or is written.
  const {
    api,
    templates,
    script,
    used,
    updateInterval,
    intervalMs,
    logLevel,
    emulated,
    argv,
    executable,
  } = await checkRunInputs(options);
  const profile = getProfile(api);
  const discoverTimeoutMs = options.discoverTimeoutMs ?? defaultDiscoverTimeoutMs(intervalMs);
  const requestTimeoutMs = options.requestTimeoutMs ?? RUN_DEFAULTS.requestTimeoutMs;
  await makeOutDir(options.outDir);

  const write = options.log ?? ((line: string) => process.stderr.write(line + '\n'));
  const progress = createProgress(options.progress ?? 'auto', write);
  progress.say(
    emulated
      ? `kernel-bench ${VERSION}: no --kernel given, running the built-in emulated kernel (${api} API)`
      : `kernel-bench ${VERSION}: kernel ${showCommand(argv)} (${api} API)`,
  );

  const stamp = formatStamp(new Date());
  const logPath = join(options.outDir, `${stamp}_run.log`);
  const samplesPath = join(options.outDir, `${stamp}_samples.jsonl`);
  const pkLogPath = join(options.outDir, `${stamp}_pk.log`);
  const writer = new RunLogWriter(logPath);
  const entries: Entry[] = [];
  let stopEntry: Entry | undefined;

  const [machine, binary, scriptFile] = await Promise.all([
    readMachine(),
    binaryLine(argv, executable, emulated, api, {
      update_interval: updateInterval,
      update_interval_ms: intervalMs,
      request_timeout_ms: requestTimeoutMs,
      discover_timeout_ms: discoverTimeoutMs,
      ...splitSecrets(options.env ?? {}),
      // The emulator is started with this process's node (emulatorCommand).
      ...(emulated ? { runtime: `node ${process.version}` } : {}),
      templates: Object.fromEntries(
        await Promise.all(
          [...used].sort().map(async (kind) => {
            const info = await fileInfo(templates[kind]!);
            return [kind, { path: info.path, sha1: info.sha1 }] as const;
          }),
        ),
      ),
    }),
    fileInfo(options.scriptPath),
  ]);
  const scriptLine = {
    filename: options.scriptPath,
    hash: script.hash,
    modified: scriptFile.modified,
  };
  writer.header(machine, binary, scriptLine);

  // Everything the run creates lives in one fresh temporary directory, the
  // only thing it deletes afterwards.
  const workDir = await mkdtemp(join(tmpdir(), 'kernel-bench-'));
  const skillsDir = join(workDir, 'skills');
  await mkdir(skillsDir);

  let outcome: OutcomeLine = { outcome: 'complete', stamp, tool: VERSION };
  let kernel: KernelProcess | undefined;
  let sampler: Sampler | undefined;
  let client: KernelClient | undefined;
  let current = 'start';
  // The line being measured, for the entry an interrupt writes of it.
  let live: { state: LineState; executor: Executor } | null = null;
  // Without this, our own SIGINT listener below would replace Node's default
  // exit: a Ctrl-C only closed the log and the run went on. The cleanup kills
  // the kernel group and exits with 128 + the signal number (130 for Ctrl-C).
  installExitCleanup();
  const onSignal = (signal: NodeJS.Signals) => {
    // Runs before the cleanup (prepended): record why the log ends, synchronously.
    // Known gap: samples and pk-log lines still buffered in memory are lost.
    if (live && sampler) {
      // What the line measured so far: its finished repetitions' requests, the
      // last sample's memory. The kernel is killed next, so no reading after.
      const { state, executor } = live;
      const repeats = state.line.repeat > 1 ? ` after ${state.done} of ${state.line.repeat}` : '';
      writer.entry(
        entryOf(state, executor, {
          took: elapsed(state.start),
          reading: null,
          after: sampler.lastReading() ?? state.before,
          peak: sampler.maxRssSinceMark(),
          peakSource: 'samples',
          cut: `interrupted by ${signal}${repeats}`,
        }),
      );
    }
    writer.outcome({
      ...outcome,
      outcome: 'failed',
      reason: `interrupted by ${signal} during "${current}"`,
    });
    rmSync(workDir, { recursive: true, force: true });
    progress.close();
    // stderr whatever `options.log` is: the user at the terminal must see where the log is.
    process.stderr.write(`interrupted: run log ${logPath} (incomplete)\n`);
  };
  process.prependOnceListener('SIGINT', onSignal);
  process.prependOnceListener('SIGTERM', onSignal);

  try {
    const address = await freeLoopbackAddress();
    const counts = simulateSkillCounts(script);
    const widest = Math.max(
      16,
      ...script.lines.map((line, i) => parallelism(line, counts[i] ?? 0)),
    );
    const files = openFilesLimit();
    const room = files === null ? Infinity : Math.max(16, files - RESERVED_FILES);
    const connections = Math.min(MAX_CONNECTIONS, widest, room);
    if (connections < Math.min(MAX_CONNECTIONS, widest)) {
      progress.say(
        `at most ${connections} connections to the kernel: this process may open ${files} files ` +
          `(ulimit -n); the rest of a burst of ${widest} waits for a free connection`,
      );
    }
    client = new KernelClient({
      baseUrl: `http://${address}`,
      api,
      token: options.token,
      connections,
      // Every request of the widest line may wait: none is refused by the harness itself.
      maxQueue: widest,
      timeoutMs: requestTimeoutMs,
    });
    const env = {
      ...profile.env({
        address,
        skillsDir,
        updateInterval,
        logLevel,
        token: options.token,
      }),
      ...options.env,
    };
    const readyClient = client;
    kernel = await startKernel({
      command: argv,
      env,
      // The 2024 API has no namespace variable: its kernels serve ./skills.
      cwd: profile.skillsDirFromCwd ? workDir : process.cwd(),
      pkLogPath,
      ready: () => readyClient.health(),
      readyTimeoutMs: options.readyTimeoutMs ?? RUN_DEFAULTS.readyTimeoutMs,
    });
    sampler = new Sampler({
      rootPid: kernel.pid,
      intervalMs: options.sampleIntervalMs ?? RUN_DEFAULTS.sampleIntervalMs,
      file: samplesPath,
    });
    const executor = new Executor({
      client,
      skillsDir,
      templates,
      pollIntervalMs: RUN_DEFAULTS.pollIntervalMs,
      discoverTimeoutMs,
      onWaiting: (ms, missing) => progress.waiting(ms, missing, discoverTimeoutMs),
    });

    let last: MemoryReading | null = await readMemory(kernel.pid);
    for (const [index, line] of script.lines.entries()) {
      current = line.text;
      const entry = await measureLine({
        line,
        index,
        script,
        kernel,
        executor,
        sampler,
        progress,
        last,
        onStart: (state) => (live = { state, executor }),
      });
      live = null;
      entries.push(entry.entry);
      writer.entry(entry.entry);
      progress.done(index, script.lines.length, entry.entry);
      last = entry.after;
      if (!kernel.running()) {
        const exit = await kernel.exited;
        outcome = {
          ...outcome,
          outcome: 'failed',
          reason: `the kernel ended during "${line.text}" (line ${line.line}) with ${exitText(exit)}`,
        };
        break;
      }
    }

    if (outcome.outcome === 'complete') {
      current = 'stop';
      // Our idle keep-alive sockets must not count in the kernel's stop time.
      await client.close();
      const before = last ?? { rss: 0, vms: 0 };
      const stopped = await kernel.stop(options.stopGraceMs ?? RUN_DEFAULTS.stopGraceMs);
      stopEntry = {
        cmd: 'stop',
        took: Math.round(stopped.took),
        rss: 0,
        rss_diff: -before.rss,
        vms: 0,
        vms_diff: -before.vms,
        killed: stopped.killed,
        exit_code: stopped.code,
        signal: stopped.signal,
      };
      if (stopped.killed) {
        // A kernel that ignores SIGTERM is a failed run: its stop time is unknown.
        const grace = options.stopGraceMs ?? RUN_DEFAULTS.stopGraceMs;
        stopEntry.failed = true;
        stopEntry.failures = [`no exit within ${grace} ms of SIGTERM: killed with SIGKILL`];
        outcome = {
          ...outcome,
          outcome: 'failed',
          reason: `the kernel did not stop within ${grace} ms of SIGTERM and was killed`,
        };
      }
      writer.entry(stopEntry);
      progress.done(script.lines.length, script.lines.length, stopEntry);
    }
  } catch (error) {
    if (!(error instanceof KernelError)) throw error;
    // startKernel's messages already end with the last output lines: don't repeat them.
    const last = error.logTail.at(-1);
    const tail =
      last !== undefined && !error.message.includes(last)
        ? `\nlast kernel output:\n${error.logTail.join('\n')}`
        : '';
    outcome = { ...outcome, outcome: 'failed', reason: `${error.message}${tail}` };
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await sampler?.stop();
    await client?.close();
    // Unconditional: a wrapper may have exited while its children live on.
    await kernel?.kill();
    progress.close();
    await rm(workDir, { recursive: true, force: true });
  }
  writer.outcome(outcome);
  if (outcome.reason) progress.say(`run failed: ${outcome.reason}`);
  progress.say(`run log: ${logPath}`);
  // A kernel that never became ready leaves no samples; one that never started, no kernel log.
  if (existsSync(samplesPath)) progress.say(`samples: ${samplesPath}`);
  if (existsSync(pkLogPath)) progress.say(`kernel log: ${pkLogPath}`);

  return {
    stamp,
    logPath,
    samplesPath,
    pkLogPath,
    outcome: outcome.outcome,
    reason: outcome.reason,
    exitCode: outcome.outcome === 'complete' ? EXIT.ok : EXIT.kernel,
    log: {
      path: logPath,
      machine,
      binary,
      script: scriptLine,
      entries,
      stop: stopEntry,
      outcome,
      truncated: false,
      incomplete: stopEntry === undefined,
    },
  };
}

interface LineContext {
  line: ScriptLine;
  index: number;
  script: Script;
  kernel: KernelProcess;
  executor: Executor;
  sampler: Sampler;
  progress: Progress;
  /** The reading after the previous command. */
  last: MemoryReading | null;
  /** Told the line's state as it starts, so an interrupt can write what it has. */
  onStart: (state: LineState) => void;
}

/** A line being measured: what its finished repetitions gave so far. */
export interface LineState {
  line: ScriptLine;
  before: MemoryReading | null;
  start: number;
  /** Repetitions finished. */
  done: number;
  requests: RequestResult[];
  problems: string[];
  /** Null once any repetition's skills were not listed or not executed. */
  discoverMs: number | null;
  firstExecMs: number | null;
}

/** Runs one script line (all its repetitions) and measures it as one entry. */
async function measureLine(
  ctx: LineContext,
): Promise<{ entry: Entry; after: MemoryReading | null }> {
  const { line, index, kernel, executor, sampler, progress } = ctx;
  // A failed reading here is one of the kernel's state before; the one after says why.
  const before = (await readMemory(kernel.pid).catch(() => null)) ?? ctx.last;
  const exactPeak = before ? await resetPeak(before.pids) : false;
  sampler.setCommand(index);
  sampler.markCommandStart();
  progress.start(index, ctx.script.lines.length, line.text, line.repeat);

  const state: LineState = {
    line,
    before,
    start: now(),
    done: 0,
    requests: [],
    problems: [],
    discoverMs: 0,
    firstExecMs: 0,
  };
  ctx.onStart(state);
  for (; state.done < line.repeat; state.done++) {
    let step: StepResult;
    try {
      step = await executor.step(line.command);
    } catch (error) {
      // A file we could not copy, say: recorded, and the run goes on while the kernel lives.
      state.problems.push((error as Error).message);
      state.discoverMs = state.firstExecMs = null;
      if (!kernel.running()) break;
      continue;
    }
    state.requests.push(...step.requests);
    state.problems.push(...step.problems);
    state.discoverMs =
      state.discoverMs === null || step.discoverMs === null
        ? null
        : state.discoverMs + step.discoverMs;
    state.firstExecMs =
      state.firstExecMs === null || step.firstExecMs === null
        ? null
        : state.firstExecMs + step.firstExecMs;
    progress.tick(state.done + 1);
    if (!kernel.running()) break;
  }
  const took = elapsed(state.start);

  const { reading, gone, problem } = await readAfter(kernel);
  if (problem) state.problems.push(problem);
  // A kernel that ended mid-command has no "after": keep the last real reading
  // rather than store a zero as if it had been measured.
  const after = reading ?? sampler.lastReading() ?? before;
  let peak: number | null = null;
  if (reading && exactPeak) peak = await readPeak(reading.pids).catch(() => null);
  const exact = peak !== null;
  if (!exact) peak = sampler.maxRssSinceMark();
  const entry = entryOf(state, executor, {
    took,
    reading,
    after,
    peak,
    peakSource: exact ? 'hwm' : 'samples',
    cut: gone ? 'the kernel ended during this command' : null,
  });
  return { entry, after };
}

/**
 * The reading after a command. Without one, the kernel counts as ended only
 * once it has exited: one gone from /proc but not yet reaped (a zombie) is
 * waited for, so the next command is not sent to it; one still running whose
 * /proc could not be read (the harness out of file descriptors, say) is a
 * failed reading, not a dead kernel.
 */
async function readAfter(
  kernel: KernelProcess,
): Promise<{ reading: MemoryReading | null; gone: boolean; problem: string | null }> {
  let error: Error | null = null;
  try {
    const reading = await readMemory(kernel.pid);
    if (reading) return { reading, gone: false, problem: null };
  } catch (e) {
    error = e as Error;
  }
  if (kernel.running()) {
    await Promise.race([kernel.exited, sleep(EXIT_NOTICE_MS, undefined, { ref: false })]);
  }
  if (!kernel.running()) return { reading: null, gone: true, problem: null };
  return {
    reading: null,
    gone: false,
    problem:
      "the kernel's memory could not be read after this command, though it still runs" +
      (error ? `: ${error.message}` : ''),
  };
}

/**
 * The entry of a line from its state and the readings after it. `cut` is the
 * first failure when the line did not run to its end (the kernel ended, an
 * interrupt); `reading` is null then, and `after` the last reading there is.
 */
export function entryOf(
  state: LineState,
  executor: Executor,
  end: {
    took: number;
    reading: MemoryReading | null;
    after: MemoryReading | null;
    peak: number | null;
    peakSource: 'hwm' | 'samples';
    cut: string | null;
  },
): Entry {
  const { line, before, requests, problems } = state;
  const { reading, after } = end;
  const peak = end.peak !== null && after ? Math.max(end.peak, after.rss) : end.peak;
  const entry: Entry = {
    cmd: line.text,
    took: end.took,
    rss: after?.rss ?? 0,
    rss_diff: after && before ? after.rss - before.rss : 0,
    vms: after?.vms ?? 0,
    vms_diff: after && before ? after.vms - before.vms : 0,
    line: line.line,
    peak_rss: peak,
    peak_source: end.peakSource,
    cpu_ms: reading && before ? Math.round(reading.cpuMs - before.cpuMs) : null,
  };
  if (requests.length > 0) entry.requests = summarize(requests);
  if (line.command.kind === 'add' || line.command.kind === 'p_add') {
    entry.discover_ms = state.discoverMs;
    entry.first_exec_ms = state.firstExecMs;
  }
  entry.deployed = { ...executor.deployed };
  entry.pids = after?.pids ?? [];
  const failures = [
    ...problems,
    // The client's error text already starts with the request.
    ...requests.filter((r) => !r.ok).map((r) => r.error ?? `${r.request}: HTTP ${r.status}`),
  ];
  if (end.cut) failures.unshift(end.cut);
  if (failures.length > 0) {
    entry.failed = true;
    entry.failures = examples(failures, 5);
  }
  return entry;
}

/**
 * Up to `most` distinct failure texts, one of each kind first: texts that
 * differ only in numbers (a skill's, a time's) are one kind. Otherwise 10,000
 * timeouts, each "after N ms", left no room for the resets among them.
 */
export function examples(failures: string[], most: number): string[] {
  const distinct = [...new Set(failures)];
  const kinds = new Set<string>();
  const first: string[] = [];
  const rest: string[] = [];
  for (const text of distinct) {
    const kind = text.replace(/\d+(\.\d+)?/g, '#');
    (kinds.has(kind) ? rest : first).push(text);
    kinds.add(kind);
  }
  return [...first, ...rest].slice(0, most);
}

/** Requests one line may have in flight at once, given the skills listed then. */
function parallelism(line: ScriptLine, skills: number): number {
  switch (line.command.kind) {
    case 'p_execute_all':
      return skills * line.command.times;
    case 'p_add':
      return line.command.count;
    default:
      return 1;
  }
}

function deployedKinds(script: Script): Set<string> {
  return new Set(
    script.lines.flatMap((l) =>
      l.command.kind === 'add' || l.command.kind === 'p_add' ? [l.command.skillKind] : [],
    ),
  );
}

/** max(10 s, 3 update intervals): a kernel lists a new skill at its next rescan at the latest. */
export function defaultDiscoverTimeoutMs(updateIntervalMs: number): number {
  return Math.max(10_000, 3 * updateIntervalMs);
}

/** Names that mark a secret; such `--env` variables are never written to the log. */
const SECRET_NAME = /TOKEN|SECRET|PASSWORD|PASSWD|KEY|CREDENTIAL/i;

function splitSecrets(env: Record<string, string>): Pick<RunSettings, 'env' | 'env_redacted'> {
  const kept: Record<string, string> = {};
  const redacted: string[] = [];
  for (const [name, value] of Object.entries(env)) {
    if (SECRET_NAME.test(name)) redacted.push(name);
    else kept[name] = value;
  }
  return redacted.length > 0 ? { env: kept, env_redacted: redacted.sort() } : { env: kept };
}

/**
 * `--env` must not set what kernel-bench sets itself: the run log would then
 * record one setting while the kernel ran with another (NAMESPACE_UPDATE_INTERVAL
 * from --env made the kernel rescan every 5 s while `settings` said 1 s), or
 * the harness would look for the kernel where it is not.
 */
function checkEnvNames(api: ApiName, env: Record<string, string>): void {
  const profile = getProfile(api);
  const owners: Record<string, string> = {
    [profile.addressVar]: 'kernel-bench gives the kernel a free loopback port',
    NAMESPACES__DEV__DIRECTORY: 'kernel-bench makes a fresh skills directory for each run',
    NAMESPACE_UPDATE_INTERVAL: 'use --update-interval',
    LOG_LEVEL: 'use --log-level',
  };
  // The token variable may differ from the one the harness sends (to see a
  // kernel refuse it): nothing recorded depends on it.
  for (const name of Object.keys(env)) {
    const why = owners[name];
    if (why) throw new InputError(`--env ${name}: kernel-bench sets this variable; ${why}`);
  }
}

/**
 * The emulated kernel reads its environment in its own process; a bad value
 * there would surface as a kernel that never became ready (exit 3). Read the
 * same environment here first, so it is an input error before anything starts.
 */
function checkEmulatorEnv(
  api: ApiName,
  updateInterval: string,
  logLevel: string,
  options: RunOptions,
): void {
  const env = kernelEnv({
    // The address and directory are made by the run; placeholders stand in.
    ...getProfile(api).env({
      address: '127.0.0.1:1',
      skillsDir: 'skills',
      updateInterval,
      logLevel,
      token: options.token,
    }),
    ...options.env,
  });
  try {
    readConfig(env);
  } catch (error) {
    if (!(error instanceof InputError)) throw error;
    throw new InputError(
      `the emulator's environment (--env, --log-level, --update-interval): ${error.message}`,
    );
  }
}

async function makeOutDir(dir: string): Promise<void> {
  try {
    await mkdir(dir, { recursive: true });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why =
      code === 'EEXIST' || code === 'ENOTDIR'
        ? 'a file is in the way'
        : code === 'EACCES' || code === 'EPERM'
          ? 'permission denied'
          : (code ?? (error as Error).message);
    throw new InputError(
      `--out ${dir}: cannot make the directory (${why}); expected a directory path`,
    );
  }
}

/** The emulator's argv; its "executable" for the binary line is its script. */
function emulatorProgram(): { argv: string[]; executable: string } {
  const argv = emulatorCommand();
  return { argv, executable: argv[argv.length - 1]! };
}

/**
 * The program as an absolute path (the kernel may start elsewhere), checked
 * before anything starts; `executable` is where PATH led, for the binary line.
 */
async function absoluteCommand(argv: string[]): Promise<{ argv: string[]; executable: string }> {
  const [program, ...args] = argv;
  if (!program) throw new InputError('--kernel: the command is empty');
  const path = await resolveExecutable(program);
  if (path === null) {
    throw new InputError(
      program.includes('/')
        ? `--kernel: ${program} does not exist or is not executable; expected the path of an executable`
        : `--kernel: ${program} is not found on PATH; expected a command on PATH or the path of an executable`,
    );
  }
  // A bare name stays as given in the argv; the binary line records the path.
  return { argv: [program.includes('/') ? path : program, ...args], executable: path };
}

async function binaryLine(
  argv: string[],
  executable: string,
  emulated: boolean,
  api: ApiName,
  settings: RunSettings,
): Promise<BinaryLine> {
  const info = await fileInfo(executable);
  return {
    bin: info.path,
    hash: info.sha1,
    modified: info.modified,
    command: argv,
    emulated,
    api,
    settings,
  };
}

function exitText(exit: { code: number | null; signal: string | null }): string {
  return exit.signal ? `signal ${exit.signal}` : `exit code ${exit.code}`;
}

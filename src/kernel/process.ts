// The kernel as a child process: start it in its own process group, copy its
// output to the pk log, wait until it is ready, stop it (SIGTERM, then SIGKILL
// after a grace period) and make sure nothing of it is left behind, even when
// the harness itself is interrupted.

import { createWriteStream, type WriteStream } from 'node:fs';
import { once } from 'node:events';
import { performance } from 'node:perf_hooks';
import type { Readable } from 'node:stream';
import { execa } from 'execa';
import { quote } from 'shell-quote';
import getPort from 'get-port';
import pidtree from 'pidtree';
import stripAnsi from 'strip-ansi';
import { KernelError } from '../errors.ts';
import { groupMembers, isAlive } from './procfs.ts';

export interface KernelExit {
  code: number | null;
  signal: string | null;
}

export interface StopResult extends KernelExit {
  /** ms, monotonic, from SIGTERM until the kernel process exited. */
  took: number;
  /** SIGKILL was needed: the kernel, or a process of its group, outlived the grace period. */
  killed: boolean;
}

export interface KernelProcess {
  pid: number;
  command: string[];
  /** The kernel process itself has not exited yet. */
  running(): boolean;
  /** Resolves when the kernel process exits (never rejects). */
  exited: Promise<KernelExit>;
  /** The last `n` (default 20, at most 50) lines of output, ANSI codes removed, no timestamps. */
  logTail(n?: number): string[];
  /** Append a harness line (tagged `kb`) to the pk log, e.g. a memory sample. */
  note(text: string): void;
  /**
   * SIGTERM to the process group, wait up to `graceMs`, then SIGKILL the group.
   * Afterwards no process of the group (nor a descendant seen before the stop) is left,
   * and the pk log is flushed and closed. Calling it again returns the same result.
   */
  stop(graceMs: number): Promise<StopResult>;
  /** SIGKILL the whole group at once; waits for it to be gone and closes the pk log. */
  kill(): Promise<void>;
}

export interface StartKernelOptions {
  /** Executable and arguments; run without a shell. */
  command: string[];
  /** Added to the harness environment (GitHub tokens are removed from the result). */
  env: Record<string, string>;
  cwd: string;
  /** Output file; see {@link PK_LOG_FORMAT}. */
  pkLogPath: string;
  /** Polled every ~50 ms until it resolves true; a rejection counts as false. */
  ready: () => Promise<boolean>;
  readyTimeoutMs: number;
}

/**
 * Format of the pk log: a `#` header line with the command, pid and local ISO
 * start time, then one line per output line:
 * `<ms since start, 1 decimal, right-aligned> <out|err|kb> <text>`,
 * where `kb` lines are notes written by kernel-bench itself.
 */
export const PK_LOG_FORMAT = '<ms since start> <out|err|kb> <text>';

const TAIL_KEEP = 50;
const POLL_MS = 50;
/** After SIGKILL a process must be gone quickly; beyond this something is badly wrong. */
const KILL_WAIT_MS = 5000;
/** How long to wait for the last output of a kernel that exited, for error messages. */
const OUTPUT_DRAIN_MS = 1000;
/** A line longer than this without a newline is written out in pieces (bounded memory). */
const MAX_LINE = 64 * 1024;

/** Variables a kernel must never see: they grant access to the repository or the run. */
const SECRET_VARS = new Set([
  'GITHUB_TOKEN',
  'GH_TOKEN',
  'GH_ENTERPRISE_TOKEN',
  'GITHUB_PAT',
  'INPUT_GITHUB-TOKEN',
  'INPUT_GITHUB_TOKEN',
  'INPUT_TOKEN',
  'ACTIONS_RUNTIME_TOKEN',
  'ACTIONS_RUNTIME_URL',
  'ACTIONS_RESULTS_URL',
  'ACTIONS_CACHE_URL',
  'ACTIONS_ID_TOKEN_REQUEST_TOKEN',
  'ACTIONS_ID_TOKEN_REQUEST_URL',
]);

/** The environment for a kernel: harness env + `extra`, minus GitHub credentials. */
export function kernelEnv(extra: Record<string, string>): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries({ ...process.env, ...extra })) {
    if (value === undefined || SECRET_VARS.has(name.toUpperCase())) continue;
    env[name] = value;
  }
  return env;
}

// ---------------------------------------------------------------- registry

const live = new Set<Kernel>();
let cleanupInstalled = false;

/** Pids of kernels started by this process whose group may still have processes. */
export function liveKernels(): number[] {
  return [...live].map((k) => k.pid);
}

/** SIGKILL every live kernel group, synchronously (safe inside an 'exit' handler). */
export function killAllKernelsSync(): void {
  for (const kernel of live) kernel.killGroupSync();
}

/**
 * Kill every live kernel group when the harness ends: on 'exit' (synchronously),
 * and on SIGINT/SIGTERM/SIGHUP, after which the harness exits with 128 + signal
 * number (130 for Ctrl-C). Installing twice is harmless. The handlers do not keep
 * the event loop alive.
 */
export function installExitCleanup(): void {
  if (cleanupInstalled) return;
  cleanupInstalled = true;
  process.on('exit', killAllKernelsSync);
  const codes = { SIGINT: 130, SIGTERM: 143, SIGHUP: 129 } as const;
  for (const [signal, code] of Object.entries(codes)) {
    process.on(signal, () => {
      killAllKernelsSync();
      process.exit(code);
    });
  }
}

// ---------------------------------------------------------------- helpers

/** `127.0.0.1:<port>` with a port free right now (it could be taken before the kernel binds it). */
export async function freeLoopbackAddress(): Promise<string> {
  const port = await getPort({ host: '127.0.0.1' });
  return `127.0.0.1:${port}`;
}

/** Sleep; the timer is live, so an awaited wait keeps the process running (a wrapper's child may hold nothing else). */
function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));
}

/** `promise`, or `fallback` after `ms`; the timer is cleared as soon as either settles. */
async function within<T, F>(promise: Promise<T>, ms: number, fallback: F): Promise<T | F> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<F>((resolve) => {
    timer = setTimeout(() => resolve(fallback), Math.max(0, ms));
  });
  try {
    return await Promise.race([promise, late]);
  } finally {
    clearTimeout(timer);
  }
}

function localIso(date: Date): string {
  const pad = (n: number, w = 2) => String(Math.trunc(Math.abs(n))).padStart(w, '0');
  const offset = -date.getTimezoneOffset();
  const sign = offset >= 0 ? '+' : '-';
  return (
    `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}` +
    `T${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}` +
    `.${pad(date.getMilliseconds(), 3)}${sign}${pad(offset / 60)}:${pad(offset % 60)}`
  );
}

/** A command line as a user would type it back into a shell. */
export function showCommand(command: string[]): string {
  return quote(command);
}

function tailText(lines: string[]): string {
  return lines.length === 0 ? ' (no output)' : `; last output:\n  ${lines.join('\n  ')}`;
}

function describeExit(exit: KernelExit): string {
  return exit.signal !== null ? `was killed by ${exit.signal}` : `exited with code ${exit.code}`;
}

// ---------------------------------------------------------------- the process

class Kernel implements KernelProcess {
  readonly pid: number;
  readonly command: string[];
  readonly exited: Promise<KernelExit>;
  private exit: KernelExit | null = null;
  private exitAt = 0;
  private readonly tail: string[] = [];
  private readonly t0 = performance.now();
  private readonly outputDone: Promise<unknown>;
  private logClosed: Promise<void> | null = null;
  /** Set when writing the pk log failed (disk full...); the run goes on without it. */
  private logFailed = false;
  private stopping: Promise<StopResult> | null = null;

  constructor(
    pid: number,
    command: string[],
    private readonly log: WriteStream,
    streams: Readable[],
    /** The exit and its monotonic time, taken in the 'exit' listener itself. */
    exitEvent: Promise<{ exit: KernelExit; at: number }>,
  ) {
    this.pid = pid;
    this.command = command;
    log.on('error', () => {
      this.logFailed = true;
    });
    this.writeLine(
      '#',
      `pk log of ${showCommand(command)} (pid ${pid}), started ${localIso(new Date())}; lines: ${PK_LOG_FORMAT}`,
      false,
    );
    const tags = ['out', 'err'];
    this.outputDone = Promise.all(streams.map((s, i) => this.follow(s, tags[i] ?? 'out')));
    this.exited = exitEvent.then(({ exit, at }) => {
      this.exitAt = at;
      this.exit = exit;
      if (groupMembers(this.pid).length === 0) live.delete(this);
      return exit;
    });
  }

  private follow(stream: Readable, tag: string): Promise<void> {
    let rest = '';
    stream.setEncoding('utf8');
    stream.on('data', (chunk: string) => {
      rest += chunk;
      let at: number;
      while ((at = rest.indexOf('\n')) >= 0) {
        this.writeLine(tag, rest.slice(0, at));
        rest = rest.slice(at + 1);
      }
      while (rest.length > MAX_LINE) {
        this.writeLine(tag, rest.slice(0, MAX_LINE));
        rest = rest.slice(MAX_LINE);
      }
    });
    return new Promise((resolve) => {
      const finish = () => {
        // A last line without a newline still counts.
        if (rest !== '') this.writeLine(tag, rest);
        rest = '';
        resolve();
      };
      stream.once('end', finish);
      stream.once('close', finish);
      stream.once('error', finish);
    });
  }

  private writeLine(tag: string, raw: string, keep = true): void {
    const text = stripAnsi(raw.endsWith('\r') ? raw.slice(0, -1) : raw);
    if (keep && tag !== 'kb') {
      this.tail.push(text);
      if (this.tail.length > TAIL_KEEP) this.tail.shift();
    }
    if (this.logClosed || this.logFailed) return;
    const line =
      tag === '#'
        ? `# ${text}`
        : `${(performance.now() - this.t0).toFixed(1).padStart(10)} ${tag} ${text}`;
    this.log.write(line + '\n');
  }

  running(): boolean {
    return this.exit === null;
  }

  logTail(n = 20): string[] {
    return this.tail.slice(-Math.max(0, Math.min(n, TAIL_KEEP)));
  }

  note(text: string): void {
    for (const line of text.split('\n')) this.writeLine('kb', line);
  }

  /** The exit, if the kernel has exited (set before `exited` resolves for awaiting code). */
  exitInfo(): KernelExit | null {
    return this.exit;
  }

  signalGroup(signal: NodeJS.Signals): void {
    try {
      process.kill(-this.pid, signal);
    } catch {
      // The group is gone; signal the leader only while we know it is ours.
      if (this.exit === null) {
        try {
          process.kill(this.pid, signal);
        } catch {
          // already gone
        }
      }
    }
  }

  killGroupSync(): void {
    this.signalGroup('SIGKILL');
  }

  async waitOutput(ms: number): Promise<void> {
    await within(this.outputDone, ms, undefined);
  }

  private async waitExit(ms: number): Promise<boolean> {
    if (this.exit) return true;
    await within(this.exited, ms, undefined);
    return this.exit !== null;
  }

  /** Wait until no living process is in the group, up to `ms`. */
  private async waitGroupGone(ms: number): Promise<boolean> {
    const deadline = performance.now() + ms;
    for (;;) {
      if (groupMembers(this.pid).length === 0) return true;
      if (performance.now() >= deadline) return false;
      await delay(20);
    }
  }

  private closeLog(): Promise<void> {
    if (!this.logClosed) {
      this.logClosed = new Promise((resolve) => {
        this.log.end(() => resolve());
        this.log.once('error', () => resolve());
      });
    }
    return this.logClosed;
  }

  /** Descendants now, so that ones that left the group can still be found after the stop. */
  private async descendants(): Promise<number[]> {
    try {
      return await pidtree(this.pid);
    } catch {
      return []; // no children, or `ps` missing
    }
  }

  /** Kill what is left of the group and any escaped descendant; true when SIGKILL was needed. */
  private async reap(waitMs: number, before: number[]): Promise<boolean> {
    let killed = false;
    if (!(await this.waitGroupGone(waitMs))) {
      this.signalGroup('SIGKILL');
      killed = true;
      if (!(await this.waitGroupGone(KILL_WAIT_MS))) {
        throw new KernelError(
          `processes ${groupMembers(this.pid).join(', ')} of kernel group ${this.pid} survived SIGKILL`,
          this.logTail(),
        );
      }
    }
    // A descendant that moved to its own group (setsid) escaped the group signal.
    // Its pid was seen moments ago, so reuse by an unrelated process is very unlikely.
    for (const pid of before) {
      if (pid !== this.pid && isAlive(pid)) {
        try {
          process.kill(pid, 'SIGKILL');
          killed = true;
        } catch {
          // gone meanwhile
        }
      }
    }
    live.delete(this);
    return killed;
  }

  stop(graceMs: number): Promise<StopResult> {
    this.stopping ??= this.doStop(graceMs);
    return this.stopping;
  }

  private async doStop(graceMs: number): Promise<StopResult> {
    if (this.exit) {
      // It ended by itself: nothing to time, but leftovers of its group still go.
      const killed = await this.reap(0, []);
      await this.waitOutput(OUTPUT_DRAIN_MS);
      await this.closeLog();
      return { took: 0, killed, ...this.exit };
    }
    const before = await this.descendants();
    const t0 = performance.now();
    this.writeLine('kb', `SIGTERM to process group ${this.pid}`);
    this.signalGroup('SIGTERM');
    let killed = false;
    if (!(await this.waitExit(graceMs))) {
      this.writeLine(
        'kb',
        `still running after ${graceMs} ms: SIGKILL to process group ${this.pid}`,
      );
      this.signalGroup('SIGKILL');
      killed = true;
      if (!(await this.waitExit(KILL_WAIT_MS))) {
        throw new KernelError(
          `kernel (pid ${this.pid}) did not exit even after SIGKILL`,
          this.logTail(),
        );
      }
    }
    // A wrapper (`sh -c 'kernel; :'`) dies of SIGTERM at once while the kernel
    // under it is still shutting down: the stop lasts until the group is gone
    // (known gap: to within the 20 ms poll of waitGroupGone).
    let endAt = this.exitAt;
    if (!killed && groupMembers(this.pid).length > 0) {
      const left = Math.max(0, t0 + graceMs - performance.now());
      if (await this.waitGroupGone(left)) endAt = performance.now();
    }
    const took = Math.round((endAt - t0) * 10) / 10;
    // Other group members get what is left of the grace period.
    if (await this.reap(Math.max(0, t0 + graceMs - performance.now()), before)) killed = true;
    await this.waitOutput(OUTPUT_DRAIN_MS);
    const exit = this.exit as KernelExit | null;
    this.writeLine(
      'kb',
      `stopped after ${took} ms, ${exit ? describeExit(exit) : 'exit unknown'}${killed ? ', SIGKILL needed' : ''}`,
    );
    await this.closeLog();
    return { took, killed, code: exit?.code ?? null, signal: exit?.signal ?? null };
  }

  async kill(): Promise<void> {
    const before = this.exit ? [] : await this.descendants();
    this.signalGroup('SIGKILL');
    await this.waitExit(KILL_WAIT_MS);
    await this.reap(0, before);
    await this.waitOutput(OUTPUT_DRAIN_MS);
    await this.closeLog();
  }
}

async function openLog(path: string): Promise<WriteStream> {
  const log = createWriteStream(path, { flags: 'w' });
  try {
    await once(log, 'open');
  } catch (error) {
    throw new KernelError(
      `cannot write the kernel log ${path}: ${(error as Error).message}; expected a writable file path`,
    );
  }
  return log;
}

/**
 * Start the kernel and wait until `ready()` says so. Throws KernelError when the
 * command cannot be started, exits before it is ready, or is not ready within
 * `readyTimeoutMs` (then its group is killed first).
 */
export async function startKernel(opts: StartKernelOptions): Promise<KernelProcess> {
  const [file, ...args] = opts.command;
  if (file === undefined || file === '') {
    throw new KernelError('the kernel command is empty; expected an executable and its arguments');
  }
  const shown = showCommand(opts.command);
  const log = await openLog(opts.pkLogPath);
  const subprocess = execa(file, args, {
    cwd: opts.cwd,
    env: kernelEnv(opts.env),
    extendEnv: false,
    // Own process group: the whole kernel (and any wrapper's children) can be signalled at once.
    detached: true,
    stdin: 'ignore',
    stdout: 'pipe',
    stderr: 'pipe',
    // Output goes to the pk log only; buffering it would grow without bound.
    buffer: false,
    reject: false,
    // We stop and clean up ourselves (execa's cleanup does not cover detached groups).
    cleanup: false,
    forceKillAfterDelay: false,
  });
  const pid = subprocess.pid;
  if (pid === undefined) {
    const result = await subprocess;
    await new Promise<void>((resolve) => log.end(() => resolve()));
    const code =
      'code' in result && typeof result.code === 'string' ? result.code : 'unknown error';
    throw new KernelError(
      `cannot start the kernel command ${shown} (cwd ${opts.cwd}): ${code}; ` +
        'expected an existing executable file and an existing working directory',
    );
  }
  // With reject:false the promise only resolves; keep a stray stream error from surfacing as unhandled.
  subprocess.then(
    () => undefined,
    () => undefined,
  );
  const exitEvent = new Promise<{ exit: KernelExit; at: number }>((resolve) => {
    subprocess.once('exit', (code, signal) =>
      resolve({ exit: { code, signal }, at: performance.now() }),
    );
  });
  const kernel = new Kernel(
    pid,
    [...opts.command],
    log,
    [subprocess.stdout, subprocess.stderr].filter((s): s is NonNullable<typeof s> => s !== null),
    exitEvent,
  );
  live.add(kernel);

  const started = performance.now();
  const deadline = started + opts.readyTimeoutMs;
  const exited = kernel.exited.then(() => false);
  for (;;) {
    const exit = kernel.exitInfo();
    if (exit) {
      await kernel.waitOutput(OUTPUT_DRAIN_MS);
      await kernel.stop(0); // reaps leftovers of a wrapper's group and closes the log
      throw new KernelError(
        `kernel ${shown} ${describeExit(exit)} before it was ready${tailText(kernel.logTail(10))}`,
        kernel.logTail(),
      );
    }
    const remaining = deadline - performance.now();
    if (remaining <= 0) {
      await kernel.kill();
      const seconds = Math.round(opts.readyTimeoutMs / 100) / 10;
      throw new KernelError(
        `kernel ${shown} was not ready within ${seconds} s (killed)${tailText(kernel.logTail(10))}`,
        kernel.logTail(),
      );
    }
    // A ready() that hangs must not hold us past the bound.
    const ok = await within(
      Promise.race([opts.ready().catch(() => false), exited]),
      remaining,
      false,
    );
    if (ok && kernel.running()) return kernel;
    await within(exited, POLL_MS, false);
  }
}

// Periodic readings of the kernel's tree while a script runs: a trace
// (samples.jsonl) and, off Linux, the per-command peak (max of the samples).

import { createWriteStream, type WriteStream } from 'node:fs';
import { now } from './clock.ts';
import {
  readMemory,
  readMemoryOnly,
  readProcMemory,
  type MemoryReading,
  type ReadOptions,
  type Reading,
} from './memory.ts';
import { treePids } from './tree.ts';

const FLUSH_EVERY_MS = 1000;
const isLinux = process.platform === 'linux';

export interface SamplerOptions {
  /** The kernel (or its wrapper) process. */
  rootPid: number;
  /** Path of samples.jsonl, opened for append. */
  file: string;
  /** Time between two samples, ms. */
  intervalMs?: number;
  /**
   * How often the process tree is listed again, ms; it is also redone as soon
   * as a counted pid vanishes. On Linux the list comes from /proc (cheap);
   * elsewhere, or without /proc/PID/task/TID/children, it runs `ps` (about
   * 5 ms of the harness's CPU), too dear for every tick.
   */
  treeEveryMs?: number;
  /**
   * How often CPU is read, ms (through pidusage, about 1 ms of CPU per call:
   * every 100 ms tick would blow the sampler's 1% budget). Lines between
   * two CPU reads have `cpu_ms: null`.
   */
  cpuEveryMs?: number;
  /** Where readings come from; for tests of the portable path. */
  source?: ReadOptions['source'];
}

/** One line of samples.jsonl. */
export interface SampleLine {
  /** ms since the sampler started, monotonic, whole. */
  t: number;
  /** Command index set by setCommand; null before the first command. */
  cmd: number | null;
  /** KiB. */
  rss: number;
  vms: number;
  /** Cumulative CPU of the tree, ms; null on lines where it was not read (see cpuEveryMs). */
  cpu_ms: number | null;
  /** Number of processes counted. */
  pids: number;
}

/**
 * Starts sampling `rootPid` as soon as it is constructed (a first sample at
 * once, then every intervalMs). Ends by itself when the root is gone; call
 * stop() to flush and close the file in any case.
 */
export class Sampler {
  readonly intervalMs: number;
  readonly treeEveryMs: number;
  readonly cpuEveryMs: number;
  /** Ticks skipped because the previous read was still running. */
  skipped = 0;
  /** Lines written. */
  count = 0;
  /**
   * The first failure opening or writing the file, or listing the tree;
   * sampling goes on where it can. For the caller to report as a warning.
   */
  error: Error | null = null;

  #options: SamplerOptions;
  #stream: WriteStream;
  #last: MemoryReading | null = null;
  #timer: NodeJS.Timeout | null = null;
  #startAt = 0;
  #pids: number[];
  #treeAt = -Infinity;
  #pending = '';
  #flushedAt = 0;
  #cpuAt = -Infinity;
  #cmd: number | null = null;
  #mark = 0;
  #max: number | null = null;
  #busy: Promise<void> | null = null;
  #ended = false;
  #closed: Promise<void> | null = null;
  #resolveEnded!: () => void;
  #endedPromise = new Promise<void>((resolve) => (this.#resolveEnded = resolve));

  constructor(options: SamplerOptions) {
    this.#options = options;
    this.intervalMs = options.intervalMs ?? 100;
    this.treeEveryMs = options.treeEveryMs ?? 10_000;
    this.cpuEveryMs = options.cpuEveryMs ?? 1000;
    this.#pids = [options.rootPid];
    if (!(this.intervalMs > 0)) {
      throw new RangeError(`sampler interval: got ${this.intervalMs}, expected a number of ms > 0`);
    }
    // The file opens in the background; lines written meanwhile are buffered.
    this.#stream = createWriteStream(options.file, { flags: 'a' });
    this.#stream.on('error', (error) => {
      this.error ??= new Error(`samples file ${options.file}: ${error.message}`, { cause: error });
    });
    this.#startAt = now();
    this.#flushedAt = this.#startAt;
    this.#timer = setInterval(() => this.#tick(), this.intervalMs);
    // A sampler must never be what keeps the CLI running.
    this.#timer.unref();
    this.#tick();
  }

  /** The command now running (its index in the script); written on each sample. */
  setCommand(index: number | null): void {
    this.#cmd = index;
  }

  /** Starts a new peak window for maxRssSinceMark. */
  markCommandStart(): void {
    this.#mark++;
    this.#max = null;
  }

  /**
   * Highest rss (KiB) of the samples taken since markCommandStart; null when
   * none was. A sample whose read began before the mark is not counted.
   */
  maxRssSinceMark(): number | null {
    return this.#max;
  }

  /** The latest reading, null before the first one. Its cpuMs is the latest CPU read (≤ cpuEveryMs old). */
  lastReading(): MemoryReading | null {
    return this.#last;
  }

  /** True once the root process was found gone (or stop() was called). */
  get ended(): boolean {
    return this.#ended;
  }

  /** Resolves when the sampler has ended, by itself or through stop(). */
  whenEnded(): Promise<void> {
    return this.#endedPromise;
  }

  /** Stops sampling, waits for a read in progress, flushes and closes the file. */
  async stop(): Promise<void> {
    this.#end();
    await this.#busy;
    await this.#finish();
  }

  #tick(): void {
    if (this.#ended) return;
    // Never pile up reads on a loaded machine: skip this tick instead.
    if (this.#busy) {
      this.skipped++;
      return;
    }
    // Most ticks on Linux read memory only: done synchronously, with no
    // promise chain (the sampler's budget is 1% of a core, and a 100 ms timer
    // wake-up alone costs about 0.15 ms of CPU on a small VM).
    if (this.#useProc() && !this.#cpuDue() && !this.#treeDue()) {
      this.#record(this.#cmd, this.#mark, readProcMemory(this.#readPids()));
      return;
    }
    this.#busy = this.#sample().finally(() => (this.#busy = null));
  }

  #useProc(): boolean {
    return (this.#options.source ?? (isLinux ? 'proc' : 'portable')) === 'proc';
  }

  #cpuDue(): boolean {
    return now() - this.#cpuAt >= this.cpuEveryMs;
  }

  #treeDue(): boolean {
    return now() - this.#treeAt >= this.treeEveryMs;
  }

  /** The known pids, root first. */
  #readPids(): number[] {
    const root = this.#options.rootPid;
    return [root, ...this.#pids.filter((p) => p !== root)];
  }

  async #sample(): Promise<void> {
    const cmd = this.#cmd;
    const mark = this.#mark;
    const root = this.#options.rootPid;
    if (this.#treeDue()) {
      this.#treeAt = now();
      try {
        const pids = await treePids(root, this.#options.source);
        if (pids.length === 0) return this.#gone();
        this.#pids = pids;
      } catch (error) {
        // Keep counting the pids known so far.
        this.error ??= error as Error;
      }
    }
    let reading: Reading | null;
    const withCpu = this.#cpuDue();
    try {
      const options = { pids: this.#pids, source: this.#options.source };
      reading = withCpu ? await readMemory(root, options) : await readMemoryOnly(root, options);
    } catch (error) {
      this.error ??= error as Error;
      return;
    }
    this.#record(cmd, mark, reading);
  }

  /** Writes one sample line (batched), keeps the peak window; ends the sampler when the root is gone. */
  #record(cmd: number | null, mark: number, reading: Reading | null): void {
    if (this.#ended) return; // stopped while reading: the file may be closing
    if (!reading) return this.#gone();
    // A child went away: list the tree again on the next tick.
    if (reading.pids.length < this.#pids.length) this.#treeAt = -Infinity;
    if (reading.cpuMs !== null) this.#cpuAt = reading.at;
    this.#last = { ...reading, cpuMs: reading.cpuMs ?? this.#last?.cpuMs ?? 0 };
    const line: SampleLine = {
      t: Math.round(reading.at - this.#startAt),
      cmd,
      rss: reading.rss,
      vms: reading.vms,
      cpu_ms: reading.cpuMs,
      pids: reading.pids.length,
    };
    this.#pending += JSON.stringify(line) + '\n';
    if (reading.at - this.#flushedAt >= FLUSH_EVERY_MS) this.#flush();
    this.count++;
    if (mark === this.#mark && (this.#max === null || reading.rss > this.#max)) {
      this.#max = reading.rss;
    }
  }

  /** The root is gone: record nothing for this tick, stop by ourselves. */
  #gone(): void {
    this.#end();
    void this.#finish();
  }

  #end(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
    this.#ended = true;
    this.#resolveEnded();
  }

  /** Lines are written in batches: one write per tick was a fifth of the sampler's CPU. */
  #flush(): void {
    this.#flushedAt = now();
    if (this.#pending && !this.#stream.destroyed) this.#stream.write(this.#pending);
    this.#pending = '';
  }

  #finish(): Promise<void> {
    this.#flush();
    const stream = this.#stream;
    this.#closed ??= new Promise<void>((resolve) => {
      if (stream.closed || stream.destroyed) return resolve();
      stream.once('close', () => resolve());
      stream.end();
    });
    return this.#closed;
  }
}

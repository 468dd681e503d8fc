// Memory and CPU of the kernel's process tree. Linux reads /proc directly
// (exact kB, and a resettable high-water mark); elsewhere pidusage and `ps`.
// Memory in KiB, CPU in ms.

import { writeFile } from 'node:fs/promises';
import { accessSync, closeSync, constants as fsConstants, openSync, readSync } from 'node:fs';
import pidusage from 'pidusage';
import { execa } from 'execa';
import { now } from './clock.ts';
import { isGoneError, treePids } from './tree.ts';

export interface MemoryReading {
  /** Resident memory, KiB, summed over `pids`. */
  rss: number;
  /** Virtual size, KiB, summed over `pids` (0 when `ps` failed off Linux). */
  vms: number;
  /**
   * CPU time (user + system), ms, summed over the live pids. A child that has
   * exited drops out of the sum, so this can go down between two readings.
   */
  cpuMs: number;
  /** The pids counted: the root first, then the descendants still alive. */
  pids: number[];
  /** performance.now() when the reading started. */
  at: number;
}

export interface ReadOptions {
  /**
   * Pids to read instead of listing the tree (the sampler reuses a list: off
   * Linux, listing runs `ps`). The root is always read.
   */
  pids?: number[];
  /** `proc` (Linux /proc) or `portable` (pidusage + ps). Default by platform. */
  source?: 'proc' | 'portable';
}

const isLinux = process.platform === 'linux';

/**
 * One reading of the tree under `rootPid`. Null when the root is gone
 * (exited, or a zombie waiting to be reaped): never a zero presented as a
 * measurement. Descendants that vanish while being read are left out.
 */
export async function readMemory(
  rootPid: number,
  options: ReadOptions = {},
): Promise<MemoryReading | null> {
  const reading = await read(rootPid, options, true);
  return reading && reading.cpuMs !== null ? (reading as MemoryReading) : null;
}

/**
 * Like readMemory, but CPU is only read where it comes for free (off Linux):
 * pidusage costs about 1 ms of CPU per call, the sampler's whole budget.
 */
export function readMemoryOnly(
  rootPid: number,
  options: ReadOptions = {},
): Promise<Reading | null> {
  return read(rootPid, options, false);
}

/** A reading whose CPU may not have been read. */
export type Reading = Omit<MemoryReading, 'cpuMs'> & { cpuMs: number | null };

async function read(
  rootPid: number,
  options: ReadOptions,
  withCpu: boolean,
): Promise<Reading | null> {
  const source = options.source ?? (isLinux ? 'proc' : 'portable');
  const pids = options.pids
    ? [rootPid, ...options.pids.filter((p) => p !== rootPid)]
    : await treePids(rootPid, source);
  if (pids.length === 0) return null;
  return source === 'proc' ? readProc(pids, withCpu) : readPortable(pids);
}

async function readProc(pids: number[], withCpu: boolean): Promise<Reading | null> {
  const reading = readProcMemory(pids);
  if (!reading || !withCpu) return reading;
  const cpuMs = await readCpu(reading.pids);
  // The root vanished after its status was read.
  if (cpuMs === null) return null;
  return { ...reading, cpuMs };
}

/**
 * Memory of `pids` (the root first) from /proc, synchronously and without
 * CPU (`cpuMs: null`): the sampler's every-tick reading on Linux, where a
 * promise chain per tick would cost more than the reads themselves. Null
 * when the root is gone.
 */
export function readProcMemory(pids: number[]): Reading | null {
  const at = now();
  const statuses = pids.map(readStatus);
  if (!statuses[0]) return null;
  const counted: number[] = [];
  let rss = 0;
  let vms = 0;
  statuses.forEach((status, i) => {
    if (!status) return;
    counted.push(pids[i]!);
    rss += status.rss;
    vms += status.vms;
  });
  return { rss, vms, cpuMs: null, pids: counted, at };
}

async function readPortable(pids: number[]): Promise<Reading | null> {
  const at = now();
  const stats = await usage(pids);
  const root = pids[0]!;
  if (!stats?.[root]) return null;
  const counted = pids.filter((pid) => stats[pid]);
  let bytes = 0;
  let cpuMs = 0;
  for (const pid of counted) {
    bytes += stats[pid]!.memory;
    cpuMs += stats[pid]!.ctime;
  }
  const vms = await psVsz(counted);
  return { rss: Math.round(bytes / 1024), vms, cpuMs: Math.round(cpuMs), pids: counted, at };
}

/** Per-pid pidusage stats; pids that vanished are absent; null when none could be read. */
async function usage(pids: number[]): Promise<Record<number, pidusage.Status | undefined> | null> {
  try {
    // pidusage resolves a single pid to the stat itself, a list to a map.
    if (pids.length === 1) return { [pids[0]!]: await pidusage(pids[0]!) };
    return await pidusage(pids);
  } catch {
    return null;
  }
}

async function readCpu(pids: number[]): Promise<number | null> {
  const stats = await usage(pids);
  if (!stats?.[pids[0]!]) return null;
  let total = 0;
  for (const pid of pids) total += stats[pid]?.ctime ?? 0;
  return Math.round(total);
}

/**
 * Virtual size through `ps` (KiB on Linux and macOS). Known gap: when `ps`
 * fails this reads 0 rather than failing the whole reading; vms on macOS is
 * hundreds of GB of reserved space and means little anyway.
 */
async function psVsz(pids: number[]): Promise<number> {
  const result = await execa('ps', ['-o', 'vsz=', '-p', pids.join(',')], { reject: false });
  if (result.failed && !result.stdout) return 0;
  let total = 0;
  for (const line of result.stdout.split('\n')) {
    const value = Number.parseInt(line.trim(), 10);
    if (Number.isFinite(value)) total += value;
  }
  return total;
}

interface Status {
  rss: number;
  vms: number;
  hwm: number | null;
}

// Open /proc/PID/status files, one per pid read so far. Rereading an open
// file costs half the CPU of opening it each time (the sampler's budget is
// 1% of a core), and an fd stays bound to its process: once that process is
// gone, reads fail with ESRCH even if the pid is reused.
const statusFds = new Map<number, number>();
const statusBuffer = Buffer.alloc(16 * 1024);

/**
 * The memory lines of /proc/PID/status, or null for a gone, zombie or exiting
 * process. Read synchronously on purpose: /proc is generated in memory and
 * answers in microseconds, while an async read costs many times the CPU in
 * thread-pool round trips.
 */
function readStatus(pid: number): Status | null {
  let fd = statusFds.get(pid);
  let text: string;
  try {
    if (fd === undefined) {
      fd = openSync(`/proc/${pid}/status`, 'r');
      statusFds.set(pid, fd);
    }
    const length = readSync(fd, statusBuffer, 0, statusBuffer.length, 0);
    text = statusBuffer.toString('latin1', 0, length);
  } catch (error) {
    if (fd !== undefined) forgetStatus(pid, fd);
    // Vanished between listing and reading (ENOENT), or since the last reading (ESRCH).
    if (isGoneError(error)) return null;
    // EMFILE (out of file descriptors), EACCES: the process may well live on.
    throw new Error(`cannot read /proc/${pid}/status: ${(error as Error).message}`, {
      cause: error,
    });
  }
  // A zombie (or a process past releasing its memory) has no VmRSS line.
  const state = /^State:\s*(\S)/m.exec(text)?.[1];
  if (state === 'Z' || state === 'X') return null;
  const rss = kbField(text, 'VmRSS');
  if (rss === null) return null;
  return { rss, vms: kbField(text, 'VmSize') ?? 0, hwm: kbField(text, 'VmHWM') };
}

function forgetStatus(pid: number, fd: number): void {
  statusFds.delete(pid);
  try {
    closeSync(fd);
  } catch {
    // already closed: nothing to release
  }
}

function kbField(text: string, name: string): number | null {
  const at = text.indexOf(`\n${name}:`);
  if (at < 0) return null;
  const value = Number.parseInt(text.slice(at + name.length + 2, at + name.length + 40).trim(), 10);
  return Number.isFinite(value) ? value : null;
}

// 'unknown' until resetPeak has been tried; a failure sticks, so a run
// never mixes `hwm` and `samples` peaks.
let hwmState: 'unknown' | 'ok' | 'failed' = 'unknown';

/**
 * Resets the high-water mark (VmHWM) of each pid to its current RSS, so that
 * readPeak then gives the peak since this call. Linux only: false elsewhere,
 * or when the kernel refuses (no permission, a kernel older than 4.0).
 * Pids that vanished are skipped; false when none was reset.
 */
export async function resetPeak(pids: number[]): Promise<boolean> {
  if (!isLinux) return false;
  let reset = 0;
  let refused = false;
  await Promise.all(
    pids.map(async (pid) => {
      try {
        await writeFile(`/proc/${pid}/clear_refs`, '5');
        reset++;
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        if (code !== 'ENOENT' && code !== 'ESRCH') refused = true;
      }
    }),
  );
  const ok = reset > 0 && !refused;
  if (!ok && refused) hwmState = 'failed';
  else if (ok && hwmState === 'unknown') hwmState = 'ok';
  return ok;
}

/**
 * Sum of VmHWM (KiB) over the pids still alive, i.e. the peak since the last
 * resetPeak. For one process this is exact; for a tree it is the sum of
 * per-process peaks, an upper bound of the tree's simultaneous peak (the
 * children may have peaked at different times). Null off Linux or when no
 * pid could be read.
 */
export async function readPeak(pids: number[]): Promise<number | null> {
  if (!isLinux) return null;
  const statuses = pids.map(readStatus);
  let total = 0;
  let any = false;
  for (const status of statuses) {
    if (status?.hwm == null) continue;
    total += status.hwm;
    any = true;
  }
  return any ? total : null;
}

/**
 * Where per-command peaks come from on this machine: `hwm` (Linux, resetPeak
 * works) or `samples` (max of the sampler's readings). Meant to be asked
 * after the first resetPeak; before it, answers from whether our own
 * /proc/self/clear_refs is writable.
 */
export function peakSource(): 'hwm' | 'samples' {
  if (!isLinux || hwmState === 'failed') return 'samples';
  if (hwmState === 'unknown') {
    try {
      accessSync('/proc/self/clear_refs', fsConstants.W_OK);
    } catch {
      return 'samples';
    }
  }
  return 'hwm';
}

/**
 * Closes the /proc files kept open and drops pidusage's cached state and its
 * (unref'd) cleanup interval. Call at the end of a run; reading again after
 * it works and reopens what it needs.
 */
export function closeMeasurements(): void {
  for (const [pid, fd] of statusFds) forgetStatus(pid, fd);
  pidusage.clear();
}

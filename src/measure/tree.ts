// The kernel's process tree: the kernel may be started through a wrapper
// (`sh -c './kernel'`), and then the memory that matters is in the children.

import { readdirSync, readFileSync } from 'node:fs';
import { pidtree } from 'pidtree';

/** Null until tried: whether this Linux lists children in /proc. */
let procChildren: boolean | null = null;

/**
 * The root pid followed by all its descendants. A root that no longer exists
 * gives `[]` (the kernel exited between two readings: not an error here).
 * With `source` `proc` (the default on Linux) the list comes from /proc;
 * otherwise, or where /proc does not list children, from `ps`, which costs
 * the harness about 5 ms of CPU and a process each time: run before and after
 * every command, it was the largest item of the harness's CPU profile in the
 * throughput benchmark (600 ms of 4.6 s).
 */
export async function treePids(
  rootPid: number,
  source: 'proc' | 'portable' = process.platform === 'linux' ? 'proc' : 'portable',
): Promise<number[]> {
  if (source === 'proc' && procChildren !== false) {
    const pids = procTreePids(rootPid);
    if (pids) {
      procChildren = true;
      return pids;
    }
    // A root exiting while it was read also lacks the file: that is no verdict on /proc.
    if (!isAlive(rootPid)) return [];
    procChildren = false;
  }
  return psTreePids(rootPid);
}

/**
 * treePids through `ps` (pidtree). Any failure but a gone root (e.g. no `ps`
 * on PATH) is thrown.
 */
export async function psTreePids(rootPid: number): Promise<number[]> {
  try {
    const pids = await pidtree(rootPid, { root: true });
    // pidtree puts the root first; keep that order for callers that rely on it.
    return pids;
  } catch (error) {
    if (!isAlive(rootPid)) return [];
    throw new Error(
      `cannot list the process tree of pid ${rootPid}: ${(error as Error).message} ` +
        '(kernel-bench runs `ps -A -o ppid,pid` through pidtree; is `ps` installed?)',
      { cause: error },
    );
  }
}

/**
 * The root and its descendants from /proc/PID/task/TID/children (Linux 3.5+
 * built with CONFIG_PROC_CHILDREN, as the common distributions are): no `ps`
 * to spawn, which costs the harness about 5 ms of CPU each time. `[]` when the
 * root is gone; null when the kernel does not offer the file (use psTreePids).
 * Descendants that exit while being listed are left out.
 */
export function procTreePids(rootPid: number): number[] | null {
  const out: number[] = [];
  const queue = [rootPid];
  while (queue.length) {
    const pid = queue.shift()!;
    let tasks: string[];
    try {
      tasks = readdirSync(`/proc/${pid}/task`);
    } catch (error) {
      // EMFILE or EACCES say nothing about the process: not "gone".
      if (!isGoneError(error)) throw listError(pid, error);
      if (pid === rootPid) return [];
      continue; // exited meanwhile
    }
    out.push(pid);
    for (const tid of tasks) {
      let text: string;
      try {
        text = readFileSync(`/proc/${pid}/task/${tid}/children`, 'latin1');
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        // The thread ended meanwhile: its children file went with it.
        if (code === 'ENOENT' && pid === rootPid && tid === String(pid)) return null;
        if (!isGoneError(error)) throw listError(pid, error);
        continue;
      }
      for (const child of text.split(' ')) {
        const n = Number.parseInt(child, 10);
        if (n > 0 && !out.includes(n) && !queue.includes(n)) queue.push(n);
      }
    }
  }
  return out;
}

/** The error of reading a /proc file of a process that is gone. */
export function isGoneError(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException | null)?.code;
  return code === 'ENOENT' || code === 'ESRCH';
}

function listError(pid: number, error: unknown): Error {
  return new Error(`cannot list the process tree at /proc/${pid}: ${(error as Error).message}`, {
    cause: error,
  });
}

/** True when a process with this pid exists (zombies included). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

// The kernel's process tree: the kernel may be started through a wrapper
// (`sh -c './kernel'`), and then the memory that matters is in the children.

import { pidtree } from 'pidtree';

/**
 * The root pid followed by all its descendants. A root that no longer exists
 * gives `[]` (the kernel exited between two readings: not an error here).
 * Any other failure (e.g. no `ps` on PATH, which pidtree runs) is thrown.
 */
export async function treePids(rootPid: number): Promise<number[]> {
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

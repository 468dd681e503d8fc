// Zombie-aware liveness checks. `kill(pid, 0)` succeeds on a zombie, and in
// some containers PID 1 never reaps orphans, so a killed grandchild would look
// alive forever. On Linux we read /proc instead; elsewhere we fall back to
// signal 0 (there the zombie case is not handled).

import { readFileSync, readdirSync } from 'node:fs';

const hasProc = process.platform === 'linux';

interface Stat {
  state: string;
  pgrp: number;
}

/** Fields of /proc/<pid>/stat; null when the process does not exist. */
function readStat(pid: number): Stat | null {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return null;
  }
  // `pid (comm) state ppid pgrp ...`; comm may hold spaces and parentheses.
  const rest = text.slice(text.lastIndexOf(')') + 2).split(' ');
  return { state: rest[0] ?? '', pgrp: Number(rest[2]) };
}

function signalZero(target: number): boolean {
  try {
    process.kill(target, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** True when the process exists and is not a zombie. */
export function isAlive(pid: number): boolean {
  if (!hasProc) return signalZero(pid);
  const stat = readStat(pid);
  return stat !== null && stat.state !== 'Z' && stat.state !== 'X';
}

/**
 * Living (non-zombie) members of process group `pgid`. Without /proc the
 * members cannot be listed: returns `[pgid]` while any member answers signal 0.
 */
export function groupMembers(pgid: number): number[] {
  if (!hasProc) return signalZero(-pgid) ? [pgid] : [];
  const members: number[] = [];
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return signalZero(-pgid) ? [pgid] : [];
  }
  for (const name of entries) {
    const pid = Number(name);
    if (!Number.isInteger(pid) || pid <= 0) continue;
    const stat = readStat(pid);
    if (stat && stat.pgrp === pgid && stat.state !== 'Z' && stat.state !== 'X') members.push(pid);
  }
  return members;
}

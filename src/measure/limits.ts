// Limits of this process that bound how hard the harness can drive a kernel.

import { readFileSync } from 'node:fs';

/**
 * The open-files soft limit of this process (`ulimit -n`, as raised by Node
 * at start-up, which lifts it to the hard limit), from /proc/self/limits;
 * null where that file is missing (macOS) or says `unlimited`. Each
 * connection to the kernel is one file descriptor: with a hard limit of 1024
 * and 1024 connections, a burst failed with EMFILE.
 */
export function openFilesLimit(path = '/proc/self/limits'): number | null {
  let text: string;
  try {
    text = readFileSync(path, 'latin1');
  } catch {
    return null;
  }
  // "Max open files            1024                 1048576              files"
  const soft = /^Max open files\s+(\d+)\s/m.exec(text)?.[1];
  return soft === undefined ? null : Number(soft);
}

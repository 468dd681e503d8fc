// Appends run-log lines. Each line is written whole with one write and synced
// before the next command starts, so a crash or a kill leaves a valid log of
// everything measured up to that point.
import { closeSync, fsyncSync, openSync, writeSync } from 'node:fs';
import type { BinaryLine, Entry, MachineLine, OutcomeLine, ScriptInfoLine } from './types.ts';

export class RunLogWriter {
  private fd: number | null;

  constructor(readonly path: string) {
    // 'wx': a run never overwrites an earlier log of the same stamp.
    this.fd = openSync(path, 'wx');
  }

  private line(value: object): void {
    if (this.fd === null) return;
    writeSync(this.fd, JSON.stringify(value) + '\n');
    fsyncSync(this.fd);
  }

  header(machine: MachineLine, binary: BinaryLine, script: ScriptInfoLine): void {
    this.line(machine);
    this.line(binary);
    this.line(script);
  }

  entry(entry: Entry): void {
    this.line(entry);
  }

  /** Synchronous on purpose: it is also called from signal handlers. */
  outcome(outcome: OutcomeLine): void {
    this.line(outcome);
    this.close();
  }

  close(): void {
    if (this.fd === null) return;
    closeSync(this.fd);
    this.fd = null;
  }
}

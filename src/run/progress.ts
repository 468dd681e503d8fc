// What a user watching a long run sees: on a terminal one live line (command,
// repetitions done, estimated time left); elsewhere one plain line per
// command with its figures.
import { createLogUpdate } from 'log-update';
import type { Entry } from '../runlog/types.ts';
import { formatNumber } from '../compare/format.ts';

export type ProgressMode = 'auto' | 'tty' | 'plain' | 'none';

export interface Progress {
  /** A command starts (index counts from 0). */
  start(index: number, total: number, cmd: string, repeat: number): void;
  /** One repetition of the current command is done. */
  tick(done: number): void;
  /** The current deploy has waited `ms` for skills to be listed (called every few seconds). */
  waiting(ms: number, missing: string[], limitMs: number): void;
  /** The command ended; its entry is final. */
  done(index: number, total: number, entry: Entry): void;
  /** A line that must stay visible (the first line, warnings, the end). */
  say(line: string): void;
  close(): void;
}

export function createProgress(mode: ProgressMode, write: (line: string) => void): Progress {
  const resolved = mode === 'auto' ? (process.stderr.isTTY ? 'tty' : 'plain') : mode;
  if (resolved === 'none') {
    return { start() {}, tick() {}, waiting() {}, done() {}, say: write, close() {} };
  }
  if (resolved === 'plain') {
    let label = '';
    return {
      start(index, total, cmd) {
        label = `${position(index, total)} ${cmd}`;
      },
      tick() {},
      waiting: (ms, missing, limitMs) => write(`${label}: ${waitingText(ms, missing, limitMs)}`),
      done: (index, total, entry) => write(`${position(index, total)} ${describeEntry(entry)}`),
      say: write,
      close() {},
    };
  }
  return liveProgress();
}

function liveProgress(): Progress {
  const live = createLogUpdate(process.stderr, { showCursor: true });
  let label = '';
  let started = 0;
  let repeat = 1;
  let timer: NodeJS.Timeout | undefined;
  let done = 0;
  let note = '';
  const render = () => {
    const spent = performance.now() - started;
    let eta = '';
    if (done > 0 && done < repeat) {
      const left = ((spent / done) * (repeat - done)) / 1000;
      eta = `, about ${left < 1 ? '<1' : Math.round(left)} s left`;
    }
    const reps = repeat > 1 ? ` ${done}/${repeat}` : '';
    live(`${label}${reps} (${(spent / 1000).toFixed(1)} s${eta})${note}`);
  };
  return {
    start(index, total, cmd, count) {
      label = `${position(index, total)} ${cmd}`;
      started = performance.now();
      repeat = count;
      done = 0;
      note = '';
      render();
      timer = setInterval(render, 500);
      timer.unref();
    },
    tick(count) {
      done = count;
      note = '';
      render();
    },
    waiting(ms, missing, limitMs) {
      note = ` ${waitingText(ms, missing, limitMs)}`;
      render();
    },
    done(index, total, entry) {
      clearInterval(timer);
      live(`${position(index, total)} ${describeEntry(entry)}`);
      live.done();
    },
    say(line) {
      live.clear();
      process.stderr.write(line + '\n');
    },
    close() {
      clearInterval(timer);
      live.done();
    },
  };
}

/** One line per entry: `add_py: 3171 ms, rss 835,216 KiB (+834,992), peak …, 1/1 ok`. */
export function describeEntry(entry: Entry): string {
  const parts = [`${entry.took} ms`];
  if (entry.cmd !== 'stop' || entry.rss !== 0) {
    parts.push(`rss ${formatNumber(entry.rss)} KiB (${signed(entry.rss_diff)})`);
  }
  if (entry.peak_rss != null) parts.push(`peak ${formatNumber(entry.peak_rss)} KiB`);
  if (entry.discover_ms !== undefined) {
    parts.push(
      entry.discover_ms === null
        ? 'not listed'
        : `listed after ${entry.discover_ms} ms, first run ${entry.first_exec_ms ?? '-'} ms`,
    );
  }
  if (entry.requests) {
    const { count, ok, errors, latency } = entry.requests;
    const kinds = Object.entries(errors)
      .map(([kind, n]) => `${n} ${kind}`)
      .join(', ');
    parts.push(`${ok}/${count} ok${kinds ? ` (${kinds})` : ''}`);
    if (count > 1) parts.push(`p95 ${latency.p95} ms`);
  }
  if (entry.killed) parts.push('KILLED after the grace period');
  let line = `${entry.cmd}: ${parts.join(', ')}`;
  if (entry.failed) line += ` FAILED${entry.failures?.length ? `: ${entry.failures[0]}` : ''}`;
  return line;
}

function waitingText(ms: number, missing: string[], limitMs: number): string {
  const names = missing.length > 3 ? `${missing.slice(0, 3).join(', ')}, …` : missing.join(', ');
  return (
    `waiting ${(ms / 1000).toFixed(0)} s for ${missing.length} skill(s) to be listed ` +
    `(${names}; gives up after ${+(limitMs / 1000).toFixed(1)} s, --discover-timeout)`
  );
}

function signed(n: number): string {
  return (n >= 0 ? '+' : '-') + formatNumber(Math.abs(n));
}

/** `[3/8]`, and `[end]` for the stop that follows the last line. */
function position(index: number, total: number): string {
  return index < total ? `[${index + 1}/${total}]` : '[end]';
}

// Log lines in the shape the real kernel's tracing subscriber writes to
// stdout: dimmed timestamp, coloured level, dimmed target, message. Always
// coloured, as the real kernel is, so the harness's ANSI stripping is exercised.

import type { LogLevel } from './config.ts';

const RANK: Record<LogLevel, number> = { off: 0, error: 1, warn: 2, info: 3, debug: 4, trace: 5 };
const COLOUR = { error: 31, warn: 33, info: 32, debug: 34, trace: 35 } as const;
type Level = keyof typeof COLOUR;

const dim = (text: string) => `\x1b[2m${text}\x1b[0m`;

export class Logger {
  constructor(
    private readonly level: LogLevel,
    private readonly write: (line: string) => void = (line) => process.stdout.write(line),
  ) {}

  enabled(level: Level): boolean {
    return RANK[level] <= RANK[this.level];
  }

  log(level: Level, target: string, message: string): void {
    if (!this.enabled(level)) return;
    const name = `\x1b[${COLOUR[level]}m${level.toUpperCase().padStart(5)}\x1b[0m`;
    const time = new Date().toISOString().replace('Z', '000Z');
    this.write(`${dim(time)} ${name} ${dim(`pharia_kernel::${target}`)}${dim(':')} ${message}\n`);
  }

  error(target: string, message: string): void {
    this.log('error', target, message);
  }
  warn(target: string, message: string): void {
    this.log('warn', target, message);
  }
  info(target: string, message: string): void {
    this.log('info', target, message);
  }
  debug(target: string, message: string): void {
    this.log('debug', target, message);
  }
  trace(target: string, message: string): void {
    this.log('trace', target, message);
  }
}

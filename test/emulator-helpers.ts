// Starts the emulated kernel as a real child process for the emulator tests:
// the argv from emulatorCommand(), a free port, a temporary skills directory.

import { mkdtemp, rm } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { execa, type ResultPromise } from 'execa';
import getPort from 'get-port';
import stripAnsi from 'strip-ansi';
import { emulatorCommand } from '../src/emulator/locate.ts';

/** Generous: a loaded 2-core machine may take seconds to start node with tsx. */
export const START_TIMEOUT_MS = 30_000;

export interface Emulator {
  child: ResultPromise<{ reject: false; env: Record<string, string>; extendEnv: false }>;
  pid: number;
  port: number;
  dir: string;
  url(route: string): string;
  /** Everything written to stdout so far, ANSI codes removed. */
  stdout(): string;
  /** The same with its ANSI codes. */
  rawStdout(): string;
  stderr(): string;
  /** Resolves with the first line matching `pattern` that appears after `from` characters. */
  waitForLog(pattern: RegExp, from?: number, timeoutMs?: number): Promise<string>;
  /** SIGKILL if still running, remove the directory. Safe to call twice. */
  dispose(): Promise<void>;
}

export interface StartOptions {
  env?: Record<string, string>;
  /** Wait until health answers 200 (default); false waits for the listening log line. */
  waitHealthy?: boolean;
}

export async function startEmulator(options: StartOptions = {}): Promise<Emulator> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'kb-emu-'));
  const port = await getPort({ host: '127.0.0.1' });
  const [file, ...args] = emulatorCommand();
  // A clean environment, so variables of the machine running the tests
  // (say KERNEL_ADDRESS) cannot change what is tested.
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    KERNEL_ADDRESS: `127.0.0.1:${port}`,
    NAMESPACES__DEV__DIRECTORY: dir,
    ...options.env,
  };
  const child = execa(file!, args, { env, extendEnv: false, reject: false, cwd: dir });
  let out = '';
  let err = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
  child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString('utf8')));

  const emulator: Emulator = {
    child,
    pid: child.pid!,
    port,
    dir,
    url: (route) => `http://127.0.0.1:${port}${route}`,
    stdout: () => stripAnsi(out),
    rawStdout: () => out,
    stderr: () => err,
    async waitForLog(pattern, from = 0, timeoutMs = START_TIMEOUT_MS) {
      const deadline = Date.now() + timeoutMs;
      while (Date.now() < deadline) {
        const line = stripAnsi(out)
          .slice(from)
          .split('\n')
          .find((l) => pattern.test(l));
        if (line !== undefined) return line;
        if (child.exitCode !== null) break;
        await sleep(20);
      }
      throw new Error(`no log line matching ${pattern}; stdout:\n${out}\nstderr:\n${err}`);
    },
    async dispose() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await child;
      await rm(dir, { recursive: true, force: true });
    },
  };

  try {
    if (options.waitHealthy === false) {
      await emulator.waitForLog(/Listening on/);
    } else {
      await waitHealthy(emulator);
    }
  } catch (error) {
    await emulator.dispose();
    throw error;
  }
  return emulator;
}

async function waitHealthy(emulator: Emulator): Promise<void> {
  const deadline = Date.now() + START_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (emulator.child.exitCode !== null) break;
    try {
      const res = await fetch(emulator.url('/health'));
      if (res.status === 200) return;
    } catch {
      // Not listening yet.
    }
    await sleep(50);
  }
  throw new Error(
    `emulator not healthy; stdout:\n${emulator.stdout()}\nstderr:\n${emulator.stderr()}`,
  );
}

/** Resident KiB of a process, from /proc (Linux only). */
export function rssKiB(pid: number): number {
  const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (!match) throw new Error(`no VmRSS for pid ${pid}`);
  return Number(match[1]);
}

export async function getJson(
  url: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: unknown }> {
  const res = await fetch(url, { headers });
  return { status: res.status, body: await res.json() };
}

export async function postJson(
  url: string,
  value: unknown,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: unknown }> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof value === 'string' ? value : JSON.stringify(value),
  });
  return { status: res.status, body: await res.json() };
}

export async function deleteJson(url: string): Promise<{ status: number; body: unknown }> {
  const res = await fetch(url, { method: 'DELETE' });
  return { status: res.status, body: await res.json() };
}

/** Polls `check` until it returns true; throws `what` on timeout. */
export async function until(
  what: string,
  check: () => boolean | Promise<boolean>,
  timeoutMs = 15_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await sleep(25);
  }
  throw new Error(`timed out waiting for ${what}`);
}

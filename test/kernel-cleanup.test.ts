// The harness's own end must take its kernels with it: Ctrl-C, process.exit,
// and a normal return (where nothing of ours may keep the process alive).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { execa } from 'execa';

const HARNESS = join(import.meta.dirname, 'fixtures', 'kernel', 'harness.ts');
const ROOT = join(import.meta.dirname, '..');

function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const state = stat.slice(stat.lastIndexOf(')') + 2)[0];
    return state !== 'Z' && state !== 'X';
  } catch {
    return false;
  }
}

/** Start the harness in `mode`; resolves with the kernel pid it prints, and the harness run. */
async function harness(mode: string) {
  const run = execa(process.execPath, ['--import', 'tsx', HARNESS, mode], {
    cwd: ROOT,
    reject: false,
    timeout: 60_000,
  });
  let out = '';
  const pid = await new Promise<number>((resolve, reject) => {
    run.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const match = /\{"pid":(\d+)\}/.exec(out);
      if (match) resolve(Number(match[1]));
    });
    run.then((r) => reject(new Error(`harness ended before printing the pid: ${r.stderr}`)));
  });
  return { pid, run };
}

async function gone(pid: number, ms = 5000): Promise<boolean> {
  for (let waited = 0; waited < ms; waited += 50) {
    if (!alive(pid)) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return !alive(pid);
}

test('Ctrl-C on the harness kills its kernel and exits 130', { timeout: 90_000 }, async () => {
  const { pid, run } = await harness('wait');
  assert.equal(alive(pid), true);
  run.kill('SIGINT');
  const result = await run;
  assert.equal(result.exitCode, 130, result.stderr);
  assert.equal(await gone(pid), true, `kernel ${pid} outlived the harness`);
});

test('process.exit with a running kernel kills it synchronously', { timeout: 90_000 }, async () => {
  const { pid, run } = await harness('exit');
  const result = await run;
  assert.equal(result.exitCode, 0, result.stderr);
  assert.equal(await gone(pid), true, `kernel ${pid} outlived the harness`);
});

test('after a normal stop the harness ends by itself', { timeout: 90_000 }, async () => {
  const { pid, run } = await harness('stop');
  const result = await run;
  // execa's `timeout` would have killed it (and set timedOut) had something kept it alive.
  assert.equal(result.timedOut, false);
  assert.equal(result.exitCode, 0, result.stderr);
  assert.equal(alive(pid), false);
});

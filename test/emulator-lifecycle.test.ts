// Stopping, crashing, saturating, refusing: the emulated kernel as a process.

import assert from 'node:assert/strict';
import { copyFile } from 'node:fs/promises';
import http from 'node:http';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, describe, test } from 'node:test';
import { execa } from 'execa';
import { emulatorCommand, templatePaths } from '../src/emulator/locate.ts';
import { getJson, postJson, startEmulator, type Emulator } from './emulator-helpers.ts';

/** A request on a fresh connection, so a reset shows as the error it is. */
function rawGet(url: string): Promise<{ status: number } | { error: string }> {
  return new Promise((resolve) => {
    const req = http.get(url, { agent: false }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode ?? 0 }));
    });
    req.on('error', (error: NodeJS.ErrnoException) =>
      resolve({ error: error.code ?? error.message }),
    );
  });
}

async function withSkill(emu: Emulator, name = 'a'): Promise<void> {
  await copyFile(templatePaths().rs, path.join(emu.dir, `${name}.wasm`));
  await emu.waitForLog(new RegExp(`New skill: dev/${name}$`));
}

describe('emulated kernel process', () => {
  const started: Emulator[] = [];
  const start = async (env: Record<string, string> = {}, waitHealthy = true) => {
    const emu = await startEmulator({ env, waitHealthy });
    started.push(emu);
    return emu;
  };
  after(async () => {
    await Promise.all(started.map((e) => e.dispose()));
  });

  test('SIGTERM: exits 0 promptly, logging the shutdown', async () => {
    const emu = await start();
    await withSkill(emu);
    await postJson(emu.url('/v1/skills/dev/a/run'), { topic: 'x' });
    const sent = Date.now();
    emu.child.kill('SIGTERM');
    const result = await emu.child;
    // Generous for a loaded machine; a healthy run takes a few ms.
    assert.ok(Date.now() - sent < 5000, `took ${Date.now() - sent} ms`);
    assert.equal(result.exitCode, 0);
    assert.match(emu.stdout(), /Received SIGTERM, shutting down/);
    assert.match(emu.stdout(), /Shutdown complete/);
  });

  test('KB_EMU_STOP_DELAY_MS delays the exit', async () => {
    const emu = await start({ KB_EMU_STOP_DELAY_MS: '800' });
    const sent = Date.now();
    emu.child.kill('SIGTERM');
    const result = await emu.child;
    assert.equal(result.exitCode, 0);
    assert.ok(Date.now() - sent >= 800, `exited after ${Date.now() - sent} ms`);
  });

  test('KB_EMU_IGNORE_SIGTERM keeps it alive and answering', async () => {
    const emu = await start({ KB_EMU_IGNORE_SIGTERM: '1' });
    emu.child.kill('SIGTERM');
    await emu.waitForLog(/Received SIGTERM; ignoring it/);
    await sleep(300);
    assert.equal(emu.child.exitCode, null);
    assert.equal((await fetch(emu.url('/health'))).status, 200);
    emu.child.kill('SIGKILL');
    assert.equal((await emu.child).signal, 'SIGKILL');
  });

  test('KB_EMU_CRASH_AFTER: the execution after N panics with exit code 101', async () => {
    const emu = await start({ KB_EMU_CRASH_AFTER: '2' });
    await withSkill(emu);
    for (const topic of ['one', 'two']) {
      assert.equal((await postJson(emu.url('/v1/skills/dev/a/run'), { topic })).status, 200);
    }
    await assert.rejects(postJson(emu.url('/v1/skills/dev/a/run'), { topic: 'three' }));
    const result = await emu.child;
    assert.equal(result.exitCode, 101);
    assert.match(
      emu.stderr(),
      /panicked at .*\nemulated crash after 2 skill executions \(KB_EMU_CRASH_AFTER=2\)/,
    );
  });

  test('KB_EMU_MAX_IN_FLIGHT resets connections beyond the limit', async () => {
    const emu = await start({ KB_EMU_MAX_IN_FLIGHT: '2' });
    await withSkill(emu);
    const holding = [1, 2].map(() =>
      postJson(emu.url('/v1/skills/dev/a/run'), { topic: 'hold', wait_time: 3000 }),
    );
    await emu.waitForLog(/Loaded dev\/a/);
    await sleep(200);
    assert.deepEqual(await rawGet(emu.url('/v1/skills')), { error: 'ECONNRESET' });
    assert.deepEqual(await rawGet(emu.url('/health')), { error: 'ECONNRESET' });
    const answers = await Promise.all(holding);
    assert.deepEqual(
      answers.map((a) => a.status),
      [200, 200],
    );
    assert.deepEqual(await rawGet(emu.url('/health')), { status: 200 });
    assert.match(emu.stdout(), /WARN pharia_kernel::shell: Saturated \(2 requests in flight\)/);
  });

  test('KB_EMU_HEALTH=never answers 503 on both health routes, yet serves skills', async () => {
    const emu = await start({ KB_EMU_HEALTH: 'never' }, false);
    assert.equal((await fetch(emu.url('/health'))).status, 503);
    assert.equal((await fetch(emu.url('/healthcheck'))).status, 503);
    assert.deepEqual(await getJson(emu.url('/v1/skills')), { status: 200, body: [] });
  });

  test('a token requires Authorization: Bearer on every route but health', async () => {
    const emu = await start({ PHARIA_AI_TOKEN: 'secret-v1', AA_API_TOKEN: 'secret-2024' });
    await withSkill(emu);
    assert.equal((await fetch(emu.url('/health'))).status, 200);
    const none = await getJson(emu.url('/v1/skills'));
    assert.deepEqual(none, {
      status: 401,
      body: { error: 'Missing Authorization header: expected "Bearer <token>"' },
    });
    assert.equal(
      (await getJson(emu.url('/skills'), { authorization: 'Bearer wrong' })).status,
      401,
    );
    assert.equal(
      (await getJson(emu.url('/cached_skills'), { authorization: 'secret-v1' })).status,
      401,
    );
    const run = await postJson(emu.url('/v1/skills/dev/a/run'), { topic: 'x' });
    assert.equal(run.status, 401);
    for (const token of ['secret-v1', 'secret-2024']) {
      const auth = { authorization: `Bearer ${token}` };
      assert.deepEqual(await getJson(emu.url('/v1/skills'), auth), {
        status: 200,
        body: ['dev/a'],
      });
      const ran = await postJson(
        emu.url('/execute_skill'),
        { skill: 'dev/a', input: { topic: 't' } },
        auth,
      );
      assert.equal(ran.status, 200);
    }
  });
});

describe('emulated kernel configuration errors', () => {
  const [file, ...args] = emulatorCommand();
  const run = (env: Record<string, string>) =>
    execa(file!, args, {
      env: { PATH: process.env.PATH ?? '', ...env },
      extendEnv: false,
      reject: false,
      timeout: 30_000,
    });

  const cases: [Record<string, string>, RegExp][] = [
    [
      { KERNEL_ADDRESS: 'localhost' },
      /KERNEL_ADDRESS="localhost" is not valid: expected host:port/,
    ],
    [
      { NAMESPACE_UPDATE_INTERVAL: 'soon' },
      /NAMESPACE_UPDATE_INTERVAL="soon" is not valid: expected a duration/,
    ],
    [
      { KB_EMU_MAX_IN_FLIGHT: '0' },
      /KB_EMU_MAX_IN_FLIGHT="0" is not valid: expected an integer of at least 1/,
    ],
    [
      { KB_EMU_IGNORE_SIGTERM: 'yes' },
      /KB_EMU_IGNORE_SIGTERM="yes" is not valid: expected one of 1, true, 0, false/,
    ],
    [{ LOG_LEVEL: 'loud' }, /LOG_LEVEL="loud" is not valid/],
  ];

  test('bad values exit 2 naming the variable and the value', async () => {
    // In parallel: each is a full node start.
    const results = await Promise.all(cases.map(([env]) => run(env)));
    results.forEach((result, i) => {
      assert.equal(result.exitCode, 2, `${JSON.stringify(cases[i]![0])}: ${result.stderr}`);
      assert.match(result.stderr, cases[i]![1]);
      assert.match(result.stderr, /^kernel-bench emulator: /);
    });
  });

  test('an address already in use exits 2 naming the variable', async () => {
    const busy = http.createServer();
    await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', resolve));
    try {
      const port = (busy.address() as { port: number }).port;
      const result = await run({ PHARIA_KERNEL_ADDRESS: `127.0.0.1:${port}` });
      assert.equal(result.exitCode, 2);
      assert.match(
        result.stderr,
        new RegExp(`PHARIA_KERNEL_ADDRESS=127\\.0\\.0\\.1:${port}: cannot listen \\(EADDRINUSE\\)`),
      );
    } finally {
      busy.close();
    }
  });
});

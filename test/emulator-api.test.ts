// Both API generations of the emulated kernel, over real HTTP to a real child process.

import assert from 'node:assert/strict';
import { copyFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { templatePaths } from '../src/emulator/locate.ts';
import {
  deleteJson,
  getJson,
  postJson,
  startEmulator,
  until,
  type Emulator,
} from './emulator-helpers.ts';

describe('emulated kernel API', () => {
  let emu: Emulator;

  before(async () => {
    emu = await startEmulator({ env: { LOG_LEVEL: 'trace', NAMESPACE_UPDATE_INTERVAL: '2s' } });
    await copyFile(templatePaths().rs, path.join(emu.dir, 'a.wasm'));
    await copyFile(templatePaths().rs, path.join(emu.dir, 'b.wasm'));
    await writeFile(path.join(emu.dir, 'broken.wasm'), 'this is not wasm');
    // Core header, then garbage: passes the header check, fails to compile.
    await writeFile(
      path.join(emu.dir, 'invalid.wasm'),
      Buffer.from([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, 99, 99]),
    );
    for (const ignored of ['.c.wasm.tmp', 'd.wasm.tmp', 'notes.txt', '.hidden.wasm']) {
      await writeFile(path.join(emu.dir, ignored), 'x');
    }
    await until('the next rescan to list the copied skills', async () => {
      const listed = (await getJson(emu.url('/v1/skills'))).body as string[];
      return listed.length === 4;
    });
  });

  after(async () => {
    await emu?.dispose();
  });

  test('health answers ok on both routes', async () => {
    for (const route of ['/health', '/healthcheck']) {
      const res = await fetch(emu.url(route));
      assert.equal(res.status, 200);
      assert.equal(await res.text(), 'ok');
    }
  });

  test('both listings show every NAME.wasm as dev/NAME and skip temporary and hidden files', async () => {
    const expected = ['dev/a', 'dev/b', 'dev/broken', 'dev/invalid'];
    assert.deepEqual(await getJson(emu.url('/skills')), { status: 200, body: expected });
    assert.deepEqual(await getJson(emu.url('/v1/skills')), { status: 200, body: expected });
  });

  test('2024 execute_skill and v1 run answer the greeting', async () => {
    const old = await postJson(emu.url('/execute_skill'), {
      skill: 'dev/a',
      input: { topic: 'Alice', memory: 100, wait_time: 20 },
    });
    assert.equal(old.status, 200);
    assert.equal(old.body, 'Hello Alice (held 100 KB in 1 chunk for 20 ms)');
    const v1 = await postJson(emu.url('/v1/skills/dev/b/run'), {
      topic: 'Bob',
      memory: 1000,
      wait_time: 0,
    });
    assert.equal(v1.status, 200);
    assert.match(v1.body as string, /^Hello Bob \(held 1000 KB in \d+ chunks for 0 ms\)$/);
    // 1000 KB in chunks of 100-300 KB takes 4 to 10 of them.
    const chunks = Number(/in (\d+) chunks/.exec(v1.body as string)![1]);
    assert.ok(chunks >= 4 && chunks <= 10, `chunks ${chunks}`);
  });

  test('missing numbers default to 0', async () => {
    const res = await postJson(emu.url('/v1/skills/dev/a/run'), { topic: 'Cecilia' });
    assert.deepEqual(res, { status: 200, body: 'Hello Cecilia (held 0 KB in 0 chunks for 0 ms)' });
  });

  test('cached skills list and both drop forms', async () => {
    await postJson(emu.url('/v1/skills/dev/a/run'), { topic: 'x' });
    await postJson(emu.url('/v1/skills/dev/b/run'), { topic: 'x' });
    assert.deepEqual(await getJson(emu.url('/cached_skills')), {
      status: 200,
      body: ['dev/a', 'dev/b'],
    });
    assert.deepEqual(await deleteJson(emu.url('/cached_skills/dev%2Fa')), {
      status: 200,
      body: true,
    });
    assert.deepEqual(await deleteJson(emu.url('/cached_skills/dev/b')), {
      status: 200,
      body: true,
    });
    assert.deepEqual(await getJson(emu.url('/cached_skills')), { status: 200, body: [] });
    // Dropping what is not cached (or does not exist) is not an error.
    assert.deepEqual(await deleteJson(emu.url('/cached_skills/dev/a')), {
      status: 200,
      body: false,
    });
    assert.deepEqual(await deleteJson(emu.url('/cached_skills/dev%2Fnope')), {
      status: 200,
      body: false,
    });
  });

  test('the first execution loads the skill into the cache, the second reuses it', async () => {
    await deleteJson(emu.url('/cached_skills/dev/a'));
    assert.deepEqual((await getJson(emu.url('/cached_skills'))).body, []);
    const from = emu.stdout().length;
    // Three at once share one load.
    const results = await Promise.all(
      [1, 2, 3].map(() => postJson(emu.url('/v1/skills/dev/a/run'), { topic: 'x' })),
    );
    assert.deepEqual(
      results.map((r) => r.status),
      [200, 200, 200],
    );
    assert.deepEqual((await getJson(emu.url('/cached_skills'))).body, ['dev/a']);
    await postJson(emu.url('/v1/skills/dev/a/run'), { topic: 'again' });
    const loads = emu
      .stdout()
      .slice(from)
      .split('\n')
      .filter((l) => /Loaded dev\/a /.test(l));
    assert.equal(loads.length, 1, loads.join('\n'));
    assert.match(
      loads[0]!,
      /INFO pharia_kernel::skill_loader: Loaded dev\/a \(core, 65536 bytes\)/,
    );
  });

  test('unknown skills are 404 with a JSON error', async () => {
    const v1 = await postJson(emu.url('/v1/skills/dev/nope/run'), { topic: 'x' });
    assert.deepEqual(v1, { status: 404, body: { error: 'Skill "dev/nope" not found' } });
    const old = await postJson(emu.url('/execute_skill'), {
      skill: 'other/a',
      input: { topic: 'x' },
    });
    assert.deepEqual(old, { status: 404, body: { error: 'Skill "other/a" not found' } });
  });

  test('bad JSON, bad bodies and bad input are 400', async () => {
    const badJson = await postJson(emu.url('/v1/skills/dev/a/run'), '{"topic":');
    assert.equal(badJson.status, 400);
    assert.match(
      (badJson.body as { error: string }).error,
      /POST \/v1\/skills\/dev\/a\/run: body is not valid JSON/,
    );
    const noSkill = await postJson(emu.url('/execute_skill'), { input: {} });
    assert.equal(noSkill.status, 400);
    assert.match((noSkill.body as { error: string }).error, /expected \{"skill": "dev\/NAME"/);
    const badMemory = await postJson(emu.url('/v1/skills/dev/a/run'), {
      topic: 'x',
      memory: 'lots',
    });
    assert.deepEqual(badMemory, {
      status: 400,
      body: { error: 'Input for dev/a: "memory" must be an integer from 0 to 4194304, got "lots"' },
    });
    const noTopic = await postJson(emu.url('/execute_skill'), {
      skill: 'dev/a',
      input: { memory: 1 },
    });
    assert.equal(noTopic.status, 400);
    assert.match((noTopic.body as { error: string }).error, /"topic" must be a string, got null/);
  });

  test('a request without a JSON content type is 415', async () => {
    const res = await fetch(emu.url('/v1/skills/dev/a/run'), {
      method: 'POST',
      body: '{"topic":"x"}',
    });
    assert.equal(res.status, 415);
    assert.match(
      ((await res.json()) as { error: string }).error,
      /expected header Content-Type: application\/json/,
    );
  });

  test('files that are not valid WebAssembly fail to load with 500', async () => {
    const broken = await postJson(emu.url('/v1/skills/dev/broken/run'), { topic: 'x' });
    assert.equal(broken.status, 500);
    assert.match(
      (broken.body as { error: string }).error,
      /Loading dev\/broken failed: .*broken\.wasm is not a WebAssembly module or component/,
    );
    const invalid = await postJson(emu.url('/execute_skill'), {
      skill: 'dev/invalid',
      input: { topic: 'x' },
    });
    assert.equal(invalid.status, 500);
    assert.match(
      (invalid.body as { error: string }).error,
      /invalid\.wasm is not a valid WebAssembly module: /,
    );
    assert.ok(
      !((await getJson(emu.url('/cached_skills'))).body as string[]).includes('dev/invalid'),
    );
  });

  test('unknown routes are 404, wrong methods 405', async () => {
    assert.equal((await getJson(emu.url('/nope'))).status, 404);
    assert.equal((await getJson(emu.url('/v1/skills/dev/a/run'))).status, 405);
  });

  test('a new file is listed only after the next rescan; a removed one goes and leaves the cache', async () => {
    // Right after a rescan, the next one is 2 s away: plenty of time to look.
    const from = emu.stdout().length;
    await emu.waitForLog(/Rescanned .*: \d+ skills/, from);
    await copyFile(templatePaths().rs, path.join(emu.dir, 'late.wasm'));
    assert.ok(!((await getJson(emu.url('/v1/skills'))).body as string[]).includes('dev/late'));
    assert.equal((await postJson(emu.url('/v1/skills/dev/late/run'), { topic: 'x' })).status, 404);
    const seen = emu.stdout().length;
    await emu.waitForLog(/New skill: dev\/late$/, seen);
    assert.ok(((await getJson(emu.url('/skills'))).body as string[]).includes('dev/late'));

    assert.equal((await postJson(emu.url('/v1/skills/dev/late/run'), { topic: 'x' })).status, 200);
    assert.ok(((await getJson(emu.url('/cached_skills'))).body as string[]).includes('dev/late'));
    await rm(path.join(emu.dir, 'late.wasm'));
    await emu.waitForLog(/Skill removed: dev\/late$/, seen);
    assert.ok(!((await getJson(emu.url('/v1/skills'))).body as string[]).includes('dev/late'));
    assert.ok(!((await getJson(emu.url('/cached_skills'))).body as string[]).includes('dev/late'));
  });

  test('log lines carry ANSI colours and the real kernel layout', () => {
    assert.match(emu.rawStdout(), /\x1b\[32m INFO\x1b\[0m \x1b\[2mpharia_kernel::shell\x1b\[0m/);
    assert.match(
      emu.stdout(),
      /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z  INFO pharia_kernel::shell: Listening on http:\/\/127\.0\.0\.1:\d+$/m,
    );
  });
});

describe('emulated kernel load time (KB_EMU_LOAD_MS)', () => {
  test('a load takes the configured time in all; later executions do not wait', async () => {
    const emu = await startEmulator({
      env: { KB_EMU_LOAD_MS: '400', NAMESPACE_UPDATE_INTERVAL: '50ms' },
    });
    try {
      await copyFile(templatePaths().py, path.join(emu.dir, 'p.wasm'));
      await until('the skill to be listed', async () =>
        ((await getJson(emu.url('/v1/skills'))).body as string[]).includes('dev/p'),
      );
      const from = emu.stdout().length;
      const first = performance.now();
      assert.equal((await postJson(emu.url('/v1/skills/dev/p/run'), { topic: 'x' })).status, 200);
      const firstMs = performance.now() - first;
      const loaded = await emu.waitForLog(/Loaded dev\/p /, from);
      const loadMs = Number(/ in (\d+) ms/.exec(loaded)?.[1]);
      // Timers may fire up to a millisecond early and the log rounds.
      assert.ok(loadMs >= 398, loaded);
      assert.ok(firstMs >= 398, `first execution took ${firstMs} ms`);
      const second = performance.now();
      assert.equal((await postJson(emu.url('/v1/skills/dev/p/run'), { topic: 'y' })).status, 200);
      const secondMs = performance.now() - second;
      assert.ok(secondMs < 398, `a cached skill waited for a load: ${secondMs} ms`);
    } finally {
      await emu.dispose();
    }
  });
});

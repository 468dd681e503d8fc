// The emulated kernel really holds and frees memory: RSS read from /proc.
// Bands are wide because a JS process's RSS moves on its own (V8 heap).

import assert from 'node:assert/strict';
import { copyFile } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, describe, test } from 'node:test';
import { templatePaths } from '../src/emulator/locate.ts';
import {
  deleteJson,
  postJson,
  rssKiB,
  startEmulator,
  until,
  type Emulator,
} from './emulator-helpers.ts';

const linux = process.platform === 'linux';
const MIB_KIB = 1024;

describe('emulated kernel memory', { skip: !linux && 'reads /proc' }, () => {
  const started: Emulator[] = [];
  after(async () => {
    await Promise.all(started.map((e) => e.dispose()));
  });

  test('loading a skill holds the configured memory; dropping it gives it back', async () => {
    const emu = await startEmulator({ env: { KB_EMU_SKILL_MEMORY_KB: String(96 * MIB_KIB) } });
    started.push(emu);
    await copyFile(templatePaths().rs, path.join(emu.dir, 'a.wasm'));
    await emu.waitForLog(/New skill: dev\/a$/);
    // Let start-up settle, then take the floor.
    await postJson(emu.url('/v1/skills/dev/nope/run'), { topic: 'warm-up' });
    await sleep(200);
    const before = rssKiB(emu.pid);
    assert.equal((await postJson(emu.url('/v1/skills/dev/a/run'), { topic: 'x' })).status, 200);
    const loaded = rssKiB(emu.pid);
    const grown = loaded - before;
    assert.ok(
      grown > 80 * MIB_KIB && grown < 140 * MIB_KIB,
      `grew by ${grown} KiB, expected about 96 MiB`,
    );
    assert.deepEqual(await deleteJson(emu.url('/cached_skills/dev/a')), {
      status: 200,
      body: true,
    });
    const dropped = rssKiB(emu.pid);
    assert.ok(
      loaded - dropped > 80 * MIB_KIB,
      `dropping freed only ${loaded - dropped} KiB of ~96 MiB`,
    );
  });

  test('the default factor holds 24x the .wasm size (py ~24 MiB, rs ~1.5 MiB)', async () => {
    const emu = await startEmulator({ env: { METRICS_ADDRESS: '127.0.0.1:0' } });
    started.push(emu);
    const line = await emu.waitForLog(/Metrics on http:\/\/127\.0\.0\.1:\d+/);
    const metricsPort = Number(/:(\d+)\/metrics/.exec(line)![1]);
    await copyFile(templatePaths().py, path.join(emu.dir, 'p.wasm'));
    await copyFile(templatePaths().rs, path.join(emu.dir, 'r.wasm'));
    await emu.waitForLog(/New skill: dev\/r$/);
    const metrics = async () => (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
    assert.match(await metrics(), /^kernel_skill_memory_bytes 0$/m);
    await postJson(emu.url('/v1/skills/dev/p/run'), { topic: 'x' });
    assert.match(
      await metrics(),
      new RegExp(`^kernel_skill_memory_bytes ${24 * 1024 * 1024}$`, 'm'),
    );
    await postJson(emu.url('/v1/skills/dev/r/run'), { topic: 'x' });
    const text = await metrics();
    assert.match(
      text,
      new RegExp(`^kernel_skill_memory_bytes ${24 * 1024 * 1024 + 24 * 64 * 1024}$`, 'm'),
    );
    assert.match(text, /^kernel_skills_listed 2$/m);
    assert.match(text, /^kernel_skills_cached 2$/m);
    assert.match(text, /^# TYPE kernel_skill_executions_total counter$/m);
    assert.match(text, /^kernel_skill_executions_total 2$/m);
    assert.match(text, /^process_resident_memory_bytes \d{7,}$/m);
  });

  test('an execution holds its memory while it waits and frees it before answering', async () => {
    const emu = await startEmulator({ env: { KB_EMU_SKILL_MEMORY_KB: '0' } });
    started.push(emu);
    await copyFile(templatePaths().rs, path.join(emu.dir, 'a.wasm'));
    await emu.waitForLog(/New skill: dev\/a$/);
    await postJson(emu.url('/v1/skills/dev/a/run'), { topic: 'load' });
    await sleep(200);
    const before = rssKiB(emu.pid);
    const running = postJson(emu.url('/v1/skills/dev/a/run'), {
      topic: 'x',
      memory: 80 * MIB_KIB,
      wait_time: 4000,
    });
    let peak = 0;
    await until('the execution to hold its memory', () => {
      peak = Math.max(peak, rssKiB(emu.pid) - before);
      return peak > 70 * MIB_KIB;
    });
    const answer = await running;
    assert.equal(answer.status, 200);
    assert.match(answer.body as string, /^Hello x \(held 81920 KB in \d+ chunks for 4000 ms\)$/);
    const afterwards = rssKiB(emu.pid) - before;
    assert.ok(afterwards < 30 * MIB_KIB, `still ${afterwards} KiB above the floor after answering`);
  });
});

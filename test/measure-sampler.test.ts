import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { Sampler, type SampleLine } from '../src/measure/sampler.ts';
import { closeMeasurements } from '../src/measure/memory.ts';
import { MIB, startChild, until } from './fixtures/measure/helpers.ts';

const dir = await mkdtemp(join(tmpdir(), 'kernel-bench-sampler-'));
after(async () => {
  closeMeasurements();
  await rm(dir, { recursive: true, force: true });
});

async function lines(file: string): Promise<SampleLine[]> {
  const text = await readFile(file, 'utf8');
  return text
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as SampleLine);
}

test('writes one line per sample with the command index set', { timeout: 30_000 }, async () => {
  const child = await startChild();
  const file = join(dir, 'cmds.jsonl');
  await writeFile(file, '{"earlier":"run"}\n'); // opened for append: kept
  const sampler = new Sampler({ rootPid: child.pid, file, intervalMs: 25, cpuEveryMs: 100 });
  try {
    await until(() => sampler.count >= 1, 'a first sample');
    sampler.setCommand(0);
    let seen = sampler.count;
    await until(() => sampler.count >= seen + 3, 'samples during command 0');
    sampler.setCommand(1);
    seen = sampler.count;
    await until(() => sampler.count >= seen + 3, 'samples during command 1');
  } finally {
    await sampler.stop();
    await child.stop();
  }
  const text = await readFile(file, 'utf8');
  assert.ok(text.startsWith('{"earlier":"run"}\n'));
  const samples = (await lines(file)).slice(1);
  assert.equal(samples.length, sampler.count);
  assert.deepEqual(Object.keys(samples[0]!), ['t', 'cmd', 'rss', 'vms', 'cpu_ms', 'pids']);
  assert.equal(samples[0]!.cmd, null);
  const cmds = samples.map((s) => s.cmd);
  // In order: null (before any command), then 0s, then 1s.
  const firstZero = cmds.indexOf(0);
  const firstOne = cmds.indexOf(1);
  assert.ok(firstZero > 0 && firstOne > firstZero, `cmds: ${cmds.join(',')}`);
  assert.ok(
    cmds.slice(firstOne).every((c) => c === 1),
    `cmds: ${cmds.join(',')}`,
  );
  assert.ok(cmds.filter((c) => c === 0).length >= 2, `cmds: ${cmds.join(',')}`);
  for (const [i, s] of samples.entries()) {
    assert.ok(s.rss > 10 * MIB && s.vms > s.rss, `line ${i}: ${JSON.stringify(s)}`);
    assert.equal(s.pids, 1);
    assert.ok(Number.isInteger(s.t) && s.t >= 0);
    if (i > 0) assert.ok(s.t >= samples[i - 1]!.t, 't never goes back');
  }
  // CPU is read on the first sample and then at most every cpuEveryMs.
  assert.equal(typeof samples[0]!.cpu_ms, 'number');
  assert.ok(samples.some((s) => s.cpu_ms === null) || process.platform !== 'linux');
  assert.ok(sampler.lastReading()!.rss > 10 * MIB);
});

test('maxRssSinceMark sees memory held during the command', { timeout: 30_000 }, async () => {
  const child = await startChild();
  const sampler = new Sampler({
    rootPid: child.pid,
    file: join(dir, 'peak.jsonl'),
    intervalMs: 25,
  });
  try {
    await until(() => sampler.count >= 1, 'a first sample');
    const idle = sampler.lastReading()!.rss;
    sampler.markCommandStart();
    assert.equal(sampler.maxRssSinceMark(), null, 'no sample since the mark yet');
    await child.ask('hold', 'held');
    const seen = sampler.count;
    await until(() => sampler.count >= seen + 2, 'samples while holding');
    await child.ask('free', 'freed');
    const peak = sampler.maxRssSinceMark();
    assert.ok(peak !== null && peak - idle >= 45 * MIB, `peak ${peak}, idle ${idle}`);
    sampler.markCommandStart();
    await until(() => sampler.maxRssSinceMark() !== null, 'a sample after the new mark');
    assert.ok(sampler.maxRssSinceMark()! < peak);
  } finally {
    await sampler.stop();
    await child.stop();
  }
});

test(
  'stops by itself when the process is killed, never writing a zero',
  { timeout: 30_000 },
  async () => {
    const child = await startChild({ shell: true });
    const file = join(dir, 'killed.jsonl');
    const sampler = new Sampler({ rootPid: child.pid, file, intervalMs: 20 });
    await until(() => sampler.count >= 3, 'three samples');
    child.process.kill('SIGKILL');
    await child.process;
    await Promise.race([
      sampler.whenEnded(),
      new Promise((_, reject) =>
        setTimeout(() => reject(new Error('sampler never ended')), 10_000),
      ),
    ]);
    assert.equal(sampler.ended, true);
    const count = sampler.count;
    await sampler.stop();
    await sampler.stop(); // twice is harmless
    assert.equal(sampler.count, count, 'nothing recorded after the end');
    const samples = await lines(file);
    assert.equal(samples.length, count);
    for (const s of samples) {
      assert.ok(s.rss > 0 && s.vms > 0 && s.pids >= 1, `line ${JSON.stringify(s)}`);
    }
    assert.ok(
      samples.some((s) => s.pids === 2),
      'the shell and its node child were both counted',
    );
    assert.ok(sampler.lastReading()!.rss > 0);
  },
);

test('does not keep the process alive', { timeout: 60_000 }, async () => {
  const script = fileURLToPath(new URL('./fixtures/measure/sampler-alive.ts', import.meta.url));
  const file = join(dir, 'alive.jsonl');
  // Without the fix, this child would run until the timeout kills it.
  const result = await execa(process.execPath, ['--import', 'tsx', script, file], {
    cwd: fileURLToPath(new URL('..', import.meta.url)),
    timeout: 45_000,
    reject: false,
  });
  assert.equal(result.timedOut, false, 'the child exited by itself');
  assert.equal(result.exitCode, 0, result.stderr);
  const report = JSON.parse(result.stdout) as { count: number; ended: boolean };
  assert.ok(report.count >= 3, result.stdout);
  assert.equal(report.ended, false);
});

test('refuses a bad interval', () => {
  assert.throws(
    () => new Sampler({ rootPid: process.pid, file: join(dir, 'bad.jsonl'), intervalMs: 0 }),
    /sampler interval: got 0, expected a number of ms > 0/,
  );
});

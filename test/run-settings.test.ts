// End-to-end: what a run records about its own setup (so runs of different
// setups are not mixed), a deploy whose skill is never listed, and what the
// end of a run prints.

import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { defaultDiscoverTimeoutMs, examples } from '../src/run/runner.ts';
import { ROOT, cleanup, readRun, runCli, tempDir, writeScript } from './fixtures/run/cli.ts';

after(cleanup);

const sha1 = (path: string) => createHash('sha1').update(readFileSync(path)).digest('hex');

test('the discover timeout defaults to 3 update intervals, at least 10 s', () => {
  assert.equal(defaultDiscoverTimeoutMs(100), 10_000);
  assert.equal(defaultDiscoverTimeoutMs(3_000), 10_000);
  assert.equal(defaultDiscoverTimeoutMs(5_000), 15_000);
});

test(
  'settings in the binary line; a skill never listed has null discover and first-execution times',
  { timeout: 120_000 },
  async () => {
    const dir = tempDir();
    const script = writeScript(dir, 'never.cmds', ['add_rs', 'skills']);
    const out = join(dir, 'out');
    // The kernel rescans once an hour: the new skill is never listed.
    const cli = await runCli([
      'run',
      script,
      '--out',
      out,
      '--progress',
      'plain',
      '--update-interval',
      '1h',
      '--discover-timeout',
      '2500ms',
      '--timeout',
      '20s',
      '--env',
      'KB_EMU_LOAD_MS=5',
      '--env',
      'MY_API_TOKEN=hunter2',
      '--env',
      'db_password=hunter3',
    ]);
    assert.equal(cli.code, 0, cli.stderr);
    const run = readRun(out);
    const template = join(ROOT, 'templates/sample_rs.wasm');
    assert.deepEqual(run.binary.settings, {
      update_interval: '1h',
      update_interval_ms: 3_600_000,
      request_timeout_ms: 20_000,
      discover_timeout_ms: 2500,
      env: { KB_EMU_LOAD_MS: '5' },
      env_redacted: ['MY_API_TOKEN', 'db_password'],
      templates: { rs: { path: template, sha1: sha1(template) } },
      // The CLI ran with this node, and started the emulated kernel with it.
      runtime: `node ${process.version}`,
    });
    const text = readFileSync(join(out, `${run.stamp}_run.log`), 'utf8');
    assert.ok(!text.includes('hunter'), 'no secret value in the log');

    const add = run.entries[0]!;
    assert.equal(add.cmd, 'add_rs');
    assert.equal(add.discover_ms, null);
    assert.equal(add.first_exec_ms, null);
    assert.equal(add.requests, undefined, 'no execution was sent');
    assert.deepEqual(add.failures, ['not listed by the kernel within 2500 ms: sample_rs1']);
    assert.ok(add.took >= 2500, `took ${add.took}`);
    // The listing after it still runs.
    assert.equal(run.entries[1]?.requests?.ok, 1);

    // Progress says the deploy is waiting, then that it was not listed.
    assert.match(
      cli.stderr,
      /^\[1\/2\] add_rs: waiting 2 s for 1 skill\(s\) to be listed \(sample_rs1; gives up after 2\.5 s, --discover-timeout\)$/m,
    );
    assert.match(cli.stderr, /^\[1\/2\] add_rs: 2\d{3} ms, .*, not listed FAILED: not listed/m);

    // The end names every file of the run, one line each, and they exist.
    for (const [label, suffix] of [
      ['run log', '_run.log'],
      ['samples', '_samples.jsonl'],
      ['kernel log', '_pk.log'],
    ] as const) {
      const path = join(out, `${run.stamp}${suffix}`);
      assert.ok(cli.stderr.split('\n').includes(`${label}: ${path}`), `${label} line`);
      assert.ok(existsSync(path), path);
    }
    // The table's last column has a header.
    const header = cli.stdout.split('\n').find((l) => l.startsWith('| cmd'));
    assert.match(header ?? '', /\| p95 ms \| status \|$/);
    assert.match(cli.stdout, /^\| add_rs +\|.*\| FAILED \|$/m);
  },
);

test('failure examples: one of each kind first, kinds differing only in numbers are one', () => {
  const timeouts = Array.from(
    { length: 8 },
    (_, i) =>
      `POST /v1/skills/dev/sample_rs${i + 1}/run to http://127.0.0.1:1: timed out after ${1000 + i} ms`,
  );
  const reset =
    'POST /v1/skills/dev/sample_rs1/run to http://127.0.0.1:1: connection reset (ECONNRESET)';
  const problem = 'not listed by the kernel within 10000 ms: sample_rs9';
  assert.deepEqual(examples([problem, ...timeouts, reset, reset], 5), [
    problem,
    timeouts[0],
    reset,
    timeouts[1],
    timeouts[2],
  ]);
  assert.deepEqual(examples(['a', 'a', 'b'], 5), ['a', 'b']);
});

test(
  'a deploy whose first run fails times no load: first_exec_ms is null',
  { timeout: 60_000 },
  async () => {
    const dir = tempDir();
    const script = writeScript(dir, 'slowload.cmds', ['add_py']);
    const out = join(dir, 'out');
    // The load takes 3 s, the request may take 1 s: the first run times out.
    const cli = await runCli([
      'run',
      script,
      '--out',
      out,
      '--progress',
      'plain',
      '--update-interval',
      '100ms',
      '--timeout',
      '1s',
      '--env',
      'KB_EMU_LOAD_MS=3000',
      '--no-report',
    ]);
    assert.equal(cli.code, 0, cli.stderr);
    const add = readRun(out).entries[0]!;
    assert.equal(add.requests?.errors.timeout, 1);
    assert.equal(typeof add.discover_ms, 'number');
    assert.equal(add.first_exec_ms, null);
    assert.match(add.failures![0]!, /timed out .*\(limit 1000 ms\)$/);
  },
);

test(
  '--kernel emulator is the built-in emulated kernel, as in ab and the action',
  { timeout: 60_000 },
  async () => {
    const dir = tempDir();
    const script = writeScript(dir, 'one.cmds', ['skills']);
    const out = join(dir, 'out');
    const cli = await runCli(['run', script, '--out', out, '--kernel', 'emulator', '--no-report']);
    assert.equal(cli.code, 0, cli.stderr);
    const run = readRun(out);
    assert.equal(run.binary.emulated, true);
    assert.match(String(run.binary.bin), /src\/emulator\/main\.ts$|dist\/emulator\.js$/);
  },
);

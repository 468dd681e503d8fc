// End-to-end: many requests at once. A saturated kernel resets connections;
// the run must end by itself, count every request, and go on to the stop.

import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { execa } from 'execa';
import type { Entry } from '../src/runlog/types.ts';
import {
  cleanup,
  readRun,
  ROOT,
  runCli,
  strayChildren,
  tempDir,
  writeScript,
} from './fixtures/run/cli.ts';

after(cleanup);

const FAST = ['--progress', 'plain', '--update-interval', '100ms'];

function failedCount(entry: Entry): number {
  return Object.values(entry.requests!.errors).reduce((a, b) => a + (b ?? 0), 0);
}

test(
  'saturation: 300 requests of 3 s against a kernel taking 250 end by themselves',
  { timeout: 120_000 },
  async () => {
    const dir = tempDir();
    const script = writeScript(dir, 'saturate.cmds', [
      'p_add_rs 10',
      'p_execute_all JohnDoe 42 3000 30',
      'skills',
    ]);
    const out = join(dir, 'out');
    const cli = await runCli([
      'run',
      script,
      '--out',
      out,
      ...FAST,
      '--timeout',
      '20s',
      '--env',
      'KB_EMU_MAX_IN_FLIGHT=250',
    ]);
    assert.equal(cli.code, 0, cli.stderr);
    const run = readRun(out);
    const burst = run.entries[1]!;
    assert.equal(burst.cmd, 'p_execute_all JohnDoe 42 3000 30');
    assert.equal(burst.requests?.count, 300);
    assert.equal(burst.requests!.ok + failedCount(burst), 300);
    assert.ok((burst.requests!.errors.reset ?? 0) > 0, JSON.stringify(burst.requests));
    assert.ok(burst.requests!.ok > 0 && burst.requests!.ok <= 250, `ok ${burst.requests!.ok}`);
    assert.equal(burst.failed, true);
    assert.match(
      burst.failures![0]!,
      /^POST \/v1\/skills\/dev\/sample_rs\d+\/run to http:\/\/127\.0\.0\.1:\d+: connection reset/,
    );
    // The resets come back at once; the latency is of the ok ones, which all waited 3 s.
    assert.equal(burst.requests!.latency_of, 'ok');
    assert.ok(burst.requests!.latency.min >= 3000, JSON.stringify(burst.requests!.latency));
    // Within the request timeout: nothing waited for an answer that never came.
    assert.ok(burst.took >= 3000 && burst.took < 20_000, `took ${burst.took}`);
    // The parallel phase: at least the slowest request, at most the command (which also lists).
    const span = burst.requests!.span_ms!;
    assert.ok(span >= burst.requests!.latency.max && span <= burst.took, `span ${span}`);
    // The run goes on: the listing after it, and the stop.
    assert.equal(run.entries[2]?.requests?.ok, 1);
    assert.equal(run.stop?.killed, false);
    assert.equal(run.outcome?.outcome, 'complete');
    assert.deepEqual(strayChildren(), []);
  },
);

test(
  '1000 requests at once: every one counted, the progress line says how many failed and why',
  { timeout: 120_000 },
  async () => {
    const dir = tempDir();
    const script = writeScript(dir, 'thousand.cmds', [
      'p_add_rs 10',
      'p_execute_all X 0 0 100',
      'p_execute_all Y 0 1000 100',
    ]);
    const out = join(dir, 'out');
    // 400 at once is plenty for instant answers, too few for 1000 answers of 1 s.
    const cli = await runCli([
      'run',
      script,
      '--out',
      out,
      ...FAST,
      '--env',
      'KB_EMU_MAX_IN_FLIGHT=400',
    ]);
    assert.equal(cli.code, 0, cli.stderr);
    const run = readRun(out);
    const [, quick, slow] = run.entries;
    for (const entry of [quick!, slow!]) {
      assert.equal(entry.requests?.count, 1000, entry.cmd);
      assert.equal(entry.requests!.ok + failedCount(entry), 1000, entry.cmd);
    }
    const line = (n: number) => cli.stderr.split('\n').find((l) => l.startsWith(`[${n}/3] `))!;
    assert.match(
      line(2),
      new RegExp(`^\\[2/3\\] p_execute_all X 0 0 100: .* ${quick!.requests!.ok}/1000 ok`),
    );
    const resets = slow!.requests!.errors.reset ?? 0;
    assert.ok(resets > 0 && slow!.requests!.ok >= 1, JSON.stringify(slow!.requests));
    assert.match(
      line(3),
      new RegExp(
        `: .* ${slow!.requests!.ok}/1000 ok \\((.*, )?${resets} reset(, .*)?\\), p95 .* FAILED: `,
      ),
    );
    assert.equal(run.outcome?.outcome, 'complete');
    assert.equal(run.stop?.killed, false);
  },
);

test(
  'a burst wider than the open-files limit: fewer connections, said once, every request answered',
  { timeout: 120_000, skip: process.platform !== 'linux' && 'reads /proc/self/limits' },
  async () => {
    const dir = tempDir();
    const script = writeScript(dir, 'wide.cmds', ['p_add_rs 10', 'p_execute_all T 0 0 110']);
    const out = join(dir, 'out');
    // 1100 connections at once with a hard limit of 1024 files failed with
    // EMFILE, and the failed /proc reading after it passed for a dead kernel.
    const cli = await execa(
      'sh',
      [
        '-c',
        'ulimit -n 1024 && exec "$0" "$@"',
        process.execPath,
        '--import',
        'tsx',
        'src/cli/main.ts',
        'run',
        script,
        '--out',
        out,
        '--no-report',
        ...FAST,
      ],
      { cwd: ROOT, reject: false, timeout: 90_000 },
    );
    assert.equal(cli.exitCode, 0, cli.stderr);
    assert.match(
      cli.stderr,
      /^at most 896 connections to the kernel: this process may open 1024 files \(ulimit -n\); the rest of a burst of 1100 waits for a free connection$/m,
    );
    const run = readRun(out);
    const burst = run.entries[1]!;
    assert.equal(burst.failed, undefined, burst.failures?.join('; '));
    assert.equal(burst.requests!.ok, 1100);
    assert.equal(run.outcome?.outcome, 'complete');
  },
);

test(
  '12,000 requests at once: every one sent and answered, none refused by the harness itself',
  { timeout: 120_000 },
  async () => {
    const dir = tempDir();
    // Past the client's old fixed queue (10,000 waiting beside 1,024 in flight),
    // which failed 976 of them as `other` without sending them.
    const script = writeScript(dir, 'wide.cmds', ['p_add_rs 12', 'p_execute_all T 0 0 1000']);
    const out = join(dir, 'out');
    const cli = await runCli(['run', script, '--out', out, '--no-report', ...FAST]);
    assert.equal(cli.code, 0, cli.stderr);
    const burst = readRun(out).entries[1]!;
    assert.equal(burst.failed, undefined, burst.failures?.join('; '));
    assert.equal(burst.requests!.count, 12_000);
    assert.equal(burst.requests!.ok, 12_000);
  },
);

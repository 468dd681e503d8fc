// End-to-end: kernels that misbehave (crash, never ready, ignore SIGTERM,
// killed from outside) and a harness interrupted by Ctrl-C. Each run must end
// by itself with the right exit code, keep what was measured, name the cause,
// and leave no process behind.

import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  cleanup,
  gone,
  readRun,
  runCli,
  startCli,
  strayChildren,
  tempDir,
  whenStderr,
  writeScript,
} from './fixtures/run/cli.ts';

after(cleanup);

const FAST = ['--progress', 'plain', '--update-interval', '100ms'];

/** The kernel pid from the pk log header in `out`, waiting until it is written. */
async function kernelPidIn(out: string): Promise<number> {
  for (let i = 0; i < 400; i++) {
    const pk = readdirSync(out).find((f) => f.endsWith('_pk.log'));
    const pid = pk && /\(pid (\d+)\)/.exec(readFileSync(join(out, pk), 'utf8'))?.[1];
    if (pid) return Number(pid);
    await sleep(25);
  }
  throw new Error(`no pk log with a pid in ${out}`);
}

test(
  'a kernel that crashes: exit 3, entries up to the crash, the reason, nothing left',
  { timeout: 120_000 },
  async () => {
    const dir = tempDir();
    const script = writeScript(dir, 'crash.cmds', [
      'add_rs',
      'execute_skill sample_rs1 A 0 0',
      // The third execution (after the deploy's and A's) panics.
      'execute_skill sample_rs1 B 0 0',
      'execute_skill sample_rs1 C 0 0',
      'skills',
    ]);
    const out = join(dir, 'out');
    const cli = await runCli([
      'run',
      script,
      '--out',
      out,
      ...FAST,
      '--env',
      'KB_EMU_CRASH_AFTER=2',
    ]);
    assert.equal(cli.code, 3, cli.stderr);
    const run = readRun(out);
    assert.deepEqual(
      run.entries.map((e) => [e.cmd, e.failed ?? false]),
      [
        ['add_rs', false],
        ['execute_skill sample_rs1 A 0 0', false],
        ['execute_skill sample_rs1 B 0 0', true],
      ],
    );
    const crashed = run.entries[2]!;
    assert.equal(crashed.failures?.[0], 'the kernel ended during this command');
    assert.equal(crashed.requests?.count, 1);
    assert.equal(crashed.requests?.ok, 0);
    assert.equal(run.stop, undefined);
    assert.equal(run.outcome?.outcome, 'failed');
    assert.match(
      run.outcome!.reason!,
      /"execute_skill sample_rs1 B 0 0" \(line 3\).*exit code 101/,
    );
    assert.match(cli.stderr, /run failed: .*exit code 101/);
    // A kernel that is gone has no memory to report: no zero passed off as a reading.
    for (const e of run.entries) assert.ok(e.rss > 0, `${e.cmd}: rss ${e.rss}`);
    assert.ok(run.samples.every((s) => s.rss > 0));
    assert.match(run.pk, / err .*emulated crash after 2 skill executions/);

    const pid = run.entries[0]!.pids![0]!;
    assert.equal(pid, run.kernelPid);
    assert.ok(await gone(pid), `kernel ${pid} is gone`);
    assert.deepEqual(strayChildren(), []);
  },
);

test(
  'a kernel that never becomes ready: exit 3 after --ready-timeout, with its last output',
  { timeout: 120_000 },
  async () => {
    const dir = tempDir();
    const script = writeScript(dir, 'ready.cmds', ['add_rs', 'skills']);
    const out = join(dir, 'out');
    const child = startCli([
      'run',
      script,
      '--out',
      out,
      ...FAST,
      '--ready-timeout',
      '2s',
      '--env',
      'KB_EMU_HEALTH=never',
    ]);
    // Timed from the first line, which is written just before the kernel starts:
    // node and tsx starting up on a loaded machine are not the kernel's wait.
    await whenStderr(child, /running the built-in emulated kernel/);
    const t0 = performance.now();
    const result = await child;
    const ms = performance.now() - t0;
    assert.equal(result.exitCode, 3, String(result.stderr));
    assert.ok(ms >= 1900 && ms < 2000 + 8000, `ended ${Math.round(ms)} ms after the start`);

    const run = readRun(out);
    assert.deepEqual(run.entries, []);
    assert.equal(run.outcome?.outcome, 'failed');
    const reason = run.outcome!.reason!;
    assert.match(reason, /was not ready within 2 s/);
    // The kernel's last lines, once (not repeated).
    assert.equal(reason.split('Listening on http://127.0.0.1:').length - 1, 1, reason);
    assert.match(
      String(result.stderr),
      /not ready within 2 s[^]*Listening on http:\/\/127\.0\.0\.1:\d+/,
    );
    assert.ok(await gone(run.kernelPid!), 'the kernel was killed');
    assert.deepEqual(strayChildren(), []);
  },
);

test(
  'a kernel that ignores SIGTERM is killed after --stop-grace: failed run, exit 3',
  { timeout: 120_000 },
  async () => {
    const dir = tempDir();
    const script = writeScript(dir, 'term.cmds', ['add_rs', 'skills']);
    const out = join(dir, 'out');
    const cli = await runCli([
      'run',
      script,
      '--out',
      out,
      ...FAST,
      '--stop-grace',
      '1s',
      '--env',
      'KB_EMU_IGNORE_SIGTERM=1',
    ]);
    assert.equal(cli.code, 3, cli.stderr);
    const run = readRun(out);
    assert.equal(run.entries.length, 2);
    assert.ok(run.entries.every((e) => !e.failed));
    const stop = run.stop!;
    assert.equal(stop.killed, true);
    assert.equal(stop.signal, 'SIGKILL');
    assert.equal(stop.failed, true);
    assert.ok(stop.took >= 990 && stop.took < 6000, `stop took ${stop.took}`);
    assert.equal(run.outcome?.outcome, 'failed');
    assert.match(run.outcome!.reason!, /did not stop within 1000 ms of SIGTERM/);
    assert.match(run.pk, / kb still running after 1000 ms: SIGKILL/);
    assert.ok(await gone(run.kernelPid!));
    assert.deepEqual(strayChildren(), []);
  },
);

const LONG = ['add_rs', 'execute_skill sample_rs1 A 0 3000', 'skills'];

test(
  'a kernel killed from outside mid-command: the sampler stops, the signal is recorded',
  { timeout: 120_000 },
  async () => {
    const dir = tempDir();
    const script = writeScript(dir, 'killed.cmds', LONG);
    const out = join(dir, 'out');
    const child = startCli(['run', script, '--out', out, ...FAST, '--sample-interval', '50ms']);
    await whenStderr(child, /^\[1\/3\] add_rs/);
    const pid = await kernelPidIn(out);
    await sleep(400); // well inside the 3 s execution
    process.kill(pid, 'SIGKILL');
    const result = await child;
    assert.equal(result.exitCode, 3, String(result.stderr));

    const run = readRun(out);
    assert.deepEqual(
      run.entries.map((e) => [e.cmd, e.failed ?? false]),
      [
        ['add_rs', false],
        ['execute_skill sample_rs1 A 0 3000', true],
      ],
    );
    const killed = run.entries[1]!;
    assert.equal(killed.failures?.[0], 'the kernel ended during this command');
    assert.ok(killed.took < 3000, `ended with the kernel, took ${killed.took}`);
    assert.ok(killed.rss > 0, 'the last real reading, not a zero');
    assert.match(
      run.outcome!.reason!,
      /"execute_skill sample_rs1 A 0 3000" \(line 2\) with signal SIGKILL/,
    );
    // Every sample line is whole and real.
    const raw = readFileSync(join(out, `${run.stamp}_samples.jsonl`), 'utf8');
    assert.ok(raw.endsWith('\n'));
    assert.ok(run.samples.length >= 3);
    assert.ok(run.samples.every((s) => s.rss > 0 && s.pids >= 1));
    assert.ok(
      run.samples.some((s) => s.cmd === 1),
      'sampled during the killed command',
    );
    assert.deepEqual(strayChildren(), []);
  },
);

test(
  'Ctrl-C: exit 130, the line in progress is kept cut short, the log says where, the kernel is gone',
  { timeout: 120_000 },
  async () => {
    const dir = tempDir();
    const script = writeScript(dir, 'interrupt.cmds', LONG);
    const out = join(dir, 'out');
    const child = startCli(['run', script, '--out', out, ...FAST]);
    await whenStderr(child, /^\[1\/3\] add_rs/);
    const pid = await kernelPidIn(out);
    await sleep(400);
    child.kill('SIGINT');
    const result = await child;
    assert.equal(
      result.exitCode,
      130,
      `exit ${result.exitCode} ${result.signal}: ${result.stderr}`,
    );

    const run = readRun(out);
    assert.equal(run.lines.at(-1), run.outcome as unknown, 'the outcome is the last line');
    assert.equal(run.outcome?.outcome, 'failed');
    assert.equal(
      run.outcome?.reason,
      'interrupted by SIGINT during "execute_skill sample_rs1 A 0 3000"',
    );
    // The line in progress is kept, cut short: its time so far and the last sampled memory.
    assert.deepEqual(
      run.entries.map((e) => [e.cmd, e.failed ?? false]),
      [
        ['add_rs', false],
        ['execute_skill sample_rs1 A 0 3000', true],
      ],
    );
    const cut = run.entries[1]!;
    assert.equal(cut.failures?.[0], 'interrupted by SIGINT');
    assert.ok(cut.took >= 300 && cut.took < 3000, `took ${cut.took}`);
    assert.ok(cut.rss > 0 && cut.peak_source === 'samples', JSON.stringify(cut));
    assert.equal(cut.cpu_ms, null);
    // The user is told where the partial log is.
    assert.ok(
      String(result.stderr)
        .split('\n')
        .includes(`interrupted: run log ${join(out, `${run.stamp}_run.log`)} (incomplete)`),
      String(result.stderr),
    );
    assert.ok(await gone(pid), `kernel ${pid} is gone`);
    assert.deepEqual(strayChildren(), []);
  },
);

test(
  'a listing the kernel refuses is a failed request, counted like any other',
  { timeout: 60_000 },
  async () => {
    const dir = tempDir();
    const script = writeScript(dir, 'refused.cmds', [
      'skills',
      'cached_skills',
      'execute_all Bob 0 0',
    ]);
    const out = join(dir, 'out');
    // The emulator then wants a bearer token that the run does not send: 401 on every listing.
    const cli = await runCli([
      'run',
      script,
      '--out',
      out,
      ...FAST,
      '--env',
      'PHARIA_AI_TOKEN=s3cret',
    ]);
    assert.equal(cli.code, 0, cli.stderr);
    const run = readRun(out);
    for (const [entry, route] of [
      [run.entries[0]!, '/v1/skills'],
      [run.entries[1]!, '/cached_skills'],
      // execute_all lists first: the listing failed, nothing was executed.
      [run.entries[2]!, '/v1/skills'],
    ] as const) {
      assert.equal(entry.failed, true, entry.cmd);
      assert.deepEqual(entry.requests?.errors, { http: 1 }, entry.cmd);
      assert.equal(entry.requests?.count, 1, entry.cmd);
      assert.match(entry.failures![0]!, new RegExp(`^GET ${route}: HTTP 401: `), entry.cmd);
    }
    assert.equal(run.outcome?.outcome, 'complete');
    assert.deepEqual(strayChildren(), []);
  },
);

import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { InputError } from '../src/errors.ts';
import { parseRunLog, readRunLog } from '../src/runlog/read.ts';
import { synthLog } from './fixtures/compare/synth.ts';

const LOGS = join(import.meta.dirname, 'fixtures', 'logs');
const A = join(LOGS, '241022_204217.730_run.log');
const B = join(LOGS, '241022_204217.737_run.log');

/** Asserts an InputError whose message contains every part; returns the message. */
async function refused(run: () => unknown, ...parts: string[]): Promise<string> {
  let error: unknown;
  try {
    await run();
  } catch (e) {
    error = e;
  }
  assert.ok(error instanceof InputError, `expected an InputError, got ${String(error)}`);
  for (const part of parts)
    assert.ok(error.message.includes(part), `"${error.message}" lacks "${part}"`);
  assert.ok(!error.message.includes('    at '), 'no stack trace in the message');
  return error.message;
}

test('a legacy log (every value a string) reads as numbers', async () => {
  const log = await readRunLog(A);
  assert.equal(log.machine.arch, 'ARM_8');
  assert.equal(log.machine.brand, 'Apple M3 Pro');
  assert.equal(log.machine.cores, 12);
  assert.equal(log.machine.memory_total, 36);
  assert.equal(log.binary.hash, '753c4e8aaf004e75367a3cb0de8c22db44d135aa');
  assert.equal(log.script.filename, 'bench.cmds');
  assert.equal(log.script.hash, '3c6d21c18c26d4130b6f57d617d2131cedd58d1d');
  assert.equal(log.entries.length, 8);
  assert.deepEqual(log.entries[0], {
    cmd: 'add_py',
    took: 3171,
    rss: 835216,
    rss_diff: 834992,
    vms: 412911888,
    vms_diff: 2786672,
  });
  assert.equal(log.entries[7]!.cmd, 'cached_skills');
  assert.equal(log.entries[7]!.took, 0);
  assert.equal(log.stop?.took, 6067);
  assert.equal(log.stop?.rss_diff, -1537472);
  assert.equal(log.truncated, false);
  assert.equal(log.incomplete, false);
  assert.equal(log.outcome, undefined);
});

test('strings and numbers mixed in one log read the same as all strings', async () => {
  const legacy = await readRunLog(B);
  const mixed = await readRunLog(join(LOGS, 'mixed_run.log'));
  assert.deepEqual({ ...mixed, path: '' }, { ...legacy, path: '' });
  assert.equal(mixed.entries[1]!.took, 16145);
});

test('a non-numeric value is refused naming file, line and field', async () => {
  const text = synthLog({ entries: [{ cmd: 'skills', took: 2 }] }).replace(
    '"took":2',
    '"took":"abc"',
  );
  await refused(
    () => parseRunLog(text, 'x_run.log'),
    'x_run.log:4',
    '"took"',
    '"abc"',
    'expected a number',
  );
});

test('a missing required field is refused naming it', async () => {
  const text = synthLog({ entries: [{ cmd: 'skills', took: 2 }] }).replace('"took":2,', '');
  await refused(() => parseRunLog(text, 'x_run.log'), 'x_run.log:4', '"took"', 'missing');
});

test('new fields are read: requests, peak, deployed, killed, outcome', () => {
  const text = synthLog({
    entries: [
      { cmd: 'add_py', took: 10, rss: 500, peak_rss: 600, deployed: { py: 1 } },
      { cmd: 'skills', took: 2, p95: 7, errors: 3 },
    ],
    stop: { took: 5000, killed: true },
    outcome: 'failed',
    reason: 'the kernel needed SIGKILL',
  });
  const log = parseRunLog(text, 'new_run.log');
  assert.equal(log.entries[0]!.peak_rss, 600);
  assert.deepEqual(log.entries[0]!.deployed, { py: 1 });
  assert.equal(log.entries[1]!.requests?.latency.p95, 7);
  assert.deepEqual(log.entries[1]!.requests?.errors, { refused: 3 });
  assert.equal(log.stop?.killed, true);
  assert.equal(log.outcome?.outcome, 'failed');
  assert.equal(log.outcome?.reason, 'the kernel needed SIGKILL');
});

test('a last line cut mid-write is skipped and the log marked truncated', async () => {
  const log = await readRunLog(join(LOGS, 'truncated_run.log'));
  assert.equal(log.truncated, true);
  assert.equal(log.incomplete, true);
  assert.deepEqual(
    log.entries.map((e) => e.cmd),
    [
      'add_py',
      '4 add_py',
      'skills',
      'execute_skill sample_py1 Alice 100 20',
      'execute_all Bob 20 10',
    ],
  );
  // The same with a newline after the cut line: still the final line.
  const withNewline = parseRunLog(
    synthLog({ entries: [{ cmd: 'skills', took: 1 }] }) + '{"cmd": "sto\n',
    'y',
  );
  assert.equal(withNewline.truncated, true);
  assert.equal(withNewline.incomplete, false);
  assert.equal(withNewline.entries.length, 1);
});

test('a log without stop is incomplete', async () => {
  const log = await readRunLog(join(LOGS, 'incomplete_run.log'));
  assert.equal(log.incomplete, true);
  assert.equal(log.truncated, false);
  assert.equal(log.stop, undefined);
  assert.equal(log.entries.length, 8);
});

test('an empty file is refused naming the file', async () => {
  const path = join(LOGS, 'empty_run.log');
  await refused(() => readRunLog(path), path, 'empty file');
});

test('non-JSON text is refused naming file, line 1 and an excerpt', async () => {
  const path = join(LOGS, 'notjson_run.log');
  await refused(
    () => readRunLog(path),
    `${path}:1`,
    '"kernel-bench 0.1.0"',
    'one JSON object per line',
  );
});

test('a console transcript pasted after the JSON lines is refused at its first line', async () => {
  const path = join(LOGS, 'pasted_run.log');
  await refused(() => readRunLog(path), `${path}:13`, '"$ python3 bench.py cmds/bench.cmds"');
  // One pasted line at the end is not mistaken for a cut line: it does not start like an object.
  const one = synthLog({ entries: [{ cmd: 'skills', took: 1 }] }) + 'Done.\n';
  await refused(() => parseRunLog(one, 'one_run.log'), 'one_run.log:7', '"Done."');
});

test('missing header lines are refused clearly', async () => {
  const lines = synthLog({ entries: [{ cmd: 'skills', took: 1 }] }).split('\n');
  await refused(
    () => parseRunLog(lines.slice(1).join('\n'), 'h_run.log'),
    'h_run.log:1',
    'binary line before the machine line',
  );
  await refused(
    () => parseRunLog(lines.slice(3).join('\n'), 'h_run.log'),
    'h_run.log:1',
    'entry before the machine, binary and script lines',
  );
  await refused(
    () => parseRunLog(lines.slice(0, 2).join('\n'), 'h_run.log'),
    'h_run.log',
    'no script',
  );
});

test('a missing file is refused naming it', async () => {
  await refused(() => readRunLog(join(LOGS, 'nope_run.log')), 'nope_run.log', 'no such file');
});

test('new fields are kept: run settings, latency_of, and null deploy times', () => {
  const settings = {
    update_interval: '100ms',
    update_interval_ms: 100,
    request_timeout_ms: 60000,
    discover_timeout_ms: 10000,
    env: { KB_EMU_SKILL_MEMORY_KB: '20000' },
    templates: { rs: { path: '/t/sample_rs.wasm', sha1: 'ab12' } },
  };
  const text = [
    { arch: 'X86_64', brand: 'x', cores: 2, memory_total: 24, memory_available: 20, os: 'linux' },
    { bin: '/k', hash: 'h', modified: null, api: 'v1', settings },
    { filename: 's.cmds', hash: 'sh', modified: null },
    {
      cmd: 'add_rs',
      took: 5,
      rss: 10,
      rss_diff: 1,
      vms: 20,
      vms_diff: 2,
      discover_ms: null,
      first_exec_ms: null,
      failed: true,
      requests: {
        count: 2,
        ok: 1,
        errors: { reset: 1 },
        latency: { min: 3000, p50: 3000, p95: 3000, p99: 3000, max: 3000 },
        latency_of: 'ok',
      },
    },
  ]
    .map((line) => JSON.stringify(line))
    .join('\n');
  const log = parseRunLog(text + '\n', 'new_run.log');
  assert.deepEqual(log.binary.settings, settings);
  assert.equal(log.entries[0]!.requests!.latency_of, 'ok');
  assert.equal(log.entries[0]!.discover_ms, null);
  assert.equal(log.entries[0]!.first_exec_ms, null);
  assert.equal(log.incomplete, true);
  const bad = text.replace('"latency_of":"ok"', '"latency_of":"some"');
  assert.throws(
    () => parseRunLog(bad, 'bad_run.log'),
    /bad_run\.log:4: requests\.latency_of is "some", expected "ok" or "all"/,
  );
});

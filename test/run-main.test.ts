// End-to-end: `kernel-bench run` against the emulated kernel, as a child
// process, for runs that complete: the bench script, both API profiles, a
// custom skill kind, the token, and a wall clock that jumps.

import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  ROOT,
  cleanup,
  gone,
  numericStrings,
  readRun,
  runCli,
  strayChildren,
  tempDir,
  writeScript,
} from './fixtures/run/cli.ts';

after(cleanup);

const BENCH_HASH = '3c6d21c18c26d4130b6f57d617d2131cedd58d1d';
const PK_LINE = /^\s*\d+\.\d (out|err|kb) /;

test(
  'the main job: cmds/bench.cmds gives a complete run log, samples and pk log',
  { timeout: 180_000 },
  async () => {
    const out = join(tempDir(), 'runs');
    const cli = await runCli([
      'run',
      'cmds/bench.cmds',
      '--out',
      out,
      '--progress',
      'plain',
      '--update-interval',
      '200ms',
    ]);
    assert.equal(cli.code, 0, cli.stderr);
    assert.match(
      cli.stderr.split('\n')[0]!,
      /no --kernel given, running the built-in emulated kernel \(v1 API\)/,
    );

    const run = readRun(out);
    assert.equal(typeof run.machine.cores, 'number');
    assert.equal(typeof run.machine.memory_total, 'number');
    assert.equal(run.binary.emulated, true);
    assert.match(String(run.binary.bin), /src\/emulator\/main\.ts$/);
    assert.equal(run.script.hash, BENCH_HASH);
    assert.equal(run.script.filename, 'cmds/bench.cmds');

    assert.deepEqual(
      run.entries.map((e) => [e.cmd, e.line]),
      [
        ['add_py', 11],
        ['4 add_py', 15],
        ['skills', 18],
        ['execute_skill sample_py1 Alice 100 20', 23],
        ['execute_all Bob 20 10', 27],
        ['10 execute_all Cecilia 0 0', 31],
        ['skills', 34],
        ['cached_skills', 35],
      ],
    );
    assert.ok(run.stop, 'a stop entry');
    assert.equal(run.stop.killed, false);
    assert.equal(run.stop.rss, 0);
    assert.equal(run.outcome?.outcome, 'complete');
    assert.equal(run.lines.at(-1), run.outcome as unknown, 'the outcome is the last line');

    // New logs write numbers, never the legacy strings.
    assert.deepEqual(numericStrings(run.lines), []);
    for (const entry of [...run.entries, run.stop]) {
      for (const key of ['took', 'rss', 'rss_diff', 'vms', 'vms_diff'] as const) {
        assert.equal(typeof entry[key], 'number', `${entry.cmd}.${key}`);
      }
    }
    for (const entry of run.entries) {
      assert.ok(entry.rss > 0, `${entry.cmd}: rss ${entry.rss}`);
      assert.equal(entry.failed, undefined, `${entry.cmd}: ${entry.failures?.join('; ')}`);
      assert.equal(entry.pids?.[0], run.kernelPid);
    }
    const [add1, add4, , exec, all, all10] = run.entries;
    assert.ok(exec!.took >= 20, `execute_skill with a 20 ms wait took ${exec!.took}`);
    assert.deepEqual(exec!.requests?.count, 1);
    assert.equal(all!.requests?.count, 5);
    assert.equal(all10!.requests?.count, 50);
    assert.equal(all10!.requests?.ok, 50);
    for (const [add, deployed] of [
      [add1!, 1],
      [add4!, 5],
    ] as const) {
      assert.equal(typeof add.discover_ms, 'number');
      assert.equal(typeof add.first_exec_ms, 'number');
      assert.ok(add.discover_ms! >= 0 && add.first_exec_ms! > 0);
      assert.deepEqual(add.deployed, { py: deployed });
    }
    assert.equal(add4!.requests?.count, 4);
    assert.equal(exec!.discover_ms, undefined);

    // The memory timeline: increasing time, command indexes of this script.
    assert.ok(run.samples.length >= 5, `${run.samples.length} samples`);
    for (let i = 1; i < run.samples.length; i++) {
      assert.ok(run.samples[i]!.t > run.samples[i - 1]!.t, `t at line ${i + 1}`);
      assert.ok(
        (run.samples[i]!.cmd ?? -1) >= (run.samples[i - 1]!.cmd ?? -1),
        `cmd at line ${i + 1}`,
      );
    }
    const cmds = new Set(run.samples.map((s) => s.cmd).filter((c) => c !== null));
    assert.ok(cmds.has(0) && cmds.has(1), `sampled commands ${[...cmds].join(',')}`);
    assert.ok([...cmds].every((c) => c! >= 0 && c! < run.entries.length));
    assert.ok(run.samples.every((s) => s.rss > 0));

    // The kernel's output: colours removed, every line timed and tagged.
    assert.doesNotMatch(run.pk, /\x1b/);
    const pkLines = run.pk.split('\n').filter((l) => l !== '');
    assert.match(pkLines[0]!, /^# pk log of .* \(pid \d+\), started \d{4}-\d\d-\d\dT/);
    for (const line of pkLines.slice(1)) assert.match(line, PK_LINE);
    assert.ok(pkLines.some((l) => / out .*Listening on/.test(l)));
    assert.ok(pkLines.some((l) => / kb stopped after /.test(l)));

    assert.ok(await gone(run.kernelPid!), 'the kernel is gone');
    assert.deepEqual(strayChildren(), []);
  },
);

// test_drop- and test_remove-like, with the small Rust template.
const API_SCRIPT = [
  '3 add_rs',
  'drop_cached_skill sample_rs2',
  // Drops sample_rs1 and sample_rs3 (string order), then finds the cache empty.
  '3 drop_cached_skill',
  'drop_cached_skill does_not_exist',
  // Executing every listed skill compiles all three again.
  'execute_all A',
  'cached_skills',
  'delete_skill sample_rs1',
  // The first listed skill whose file is left: sample_rs2.
  'delete_skill',
  // Long enough for a rescan (100 ms) to notice both removals.
  'execute_skill sample_rs3 A 0 500',
  'execute_all B',
  'execute_skill sample_rs1 C',
];

for (const api of ['v1', '2024'] as const) {
  test(`the ${api} API: deploy, list, execute, drop, delete`, { timeout: 120_000 }, async () => {
    const dir = tempDir();
    const script = writeScript(dir, 'api.cmds', API_SCRIPT);
    const out = join(dir, 'out');
    const cli = await runCli([
      'run',
      script,
      '--api',
      api,
      '--out',
      out,
      '--progress',
      'plain',
      '--update-interval',
      '100ms',
    ]);
    assert.equal(cli.code, 0, cli.stderr);
    const run = readRun(out);
    assert.equal(run.binary.api, api);
    assert.match(cli.stderr, new RegExp(`\\(${api} API\\)`));
    const byCmd = (cmd: string) => run.entries.find((e) => e.cmd === cmd)!;
    const counts = run.entries.map((e) => [e.cmd, e.requests?.count ?? 0, e.requests?.ok ?? 0]);
    assert.deepEqual(counts, [
      ['3 add_rs', 3, 3],
      ['drop_cached_skill sample_rs2', 1, 1],
      ['3 drop_cached_skill', 2, 2],
      ['drop_cached_skill does_not_exist', 1, 1],
      ['execute_all A', 3, 3],
      ['cached_skills', 1, 1],
      ['delete_skill sample_rs1', 0, 0],
      ['delete_skill', 0, 0],
      ['execute_skill sample_rs3 A 0 500', 1, 1],
      // Only sample_rs3 is still listed.
      ['execute_all B', 1, 1],
      ['execute_skill sample_rs1 C', 1, 0],
    ]);
    assert.deepEqual(byCmd('3 add_rs').deployed, { rs: 3 });
    assert.deepEqual(byCmd('3 drop_cached_skill').failures, ['no cached skill to drop']);
    const missing = byCmd('execute_skill sample_rs1 C');
    assert.deepEqual(missing.requests?.errors, { http: 1 });
    const route = api === 'v1' ? 'POST /v1/skills/dev/sample_rs1/run' : 'POST /execute_skill';
    assert.equal(missing.failures?.length, 1);
    assert.ok(missing.failures![0]!.startsWith(`${route}: HTTP 404`), missing.failures![0]);
    for (const e of run.entries.slice(0, -1))
      assert.equal(e.failed, e.cmd === '3 drop_cached_skill' ? true : undefined, e.cmd);

    // What the kernel did, in its own words.
    const said = (pattern: RegExp) =>
      run.pk
        .split('\n')
        .filter((l) => pattern.test(l))
        .map((l) => pattern.exec(l)![1]);
    assert.deepEqual(said(/Dropped dev\/(\S+) from the cache/), [
      'sample_rs2',
      'sample_rs1',
      'sample_rs3',
    ]);
    assert.deepEqual(said(/Skill removed: dev\/(\S+)/), ['sample_rs1', 'sample_rs2']);
    assert.equal(run.outcome?.outcome, 'complete');
  });
}

test('a custom kind: --skill wasi=FILE with add_wasi', { timeout: 120_000 }, async () => {
  const dir = tempDir();
  const template = join(dir, 'my skill.wasm');
  copyFileSync(join(ROOT, 'templates', 'sample_rs.wasm'), template);
  const script = writeScript(dir, 'wasi.cmds', [
    'add_wasi',
    'execute_skill sample_wasi1 Zoe 0 0',
    'skills',
  ]);
  const out = join(dir, 'out');
  const cli = await runCli([
    'run',
    script,
    '--skill',
    `wasi=${template}`,
    '--out',
    out,
    '--progress',
    'plain',
    '--update-interval',
    '100ms',
  ]);
  assert.equal(cli.code, 0, cli.stderr);
  const run = readRun(out);
  assert.deepEqual(
    run.entries.map((e) => [e.cmd, e.requests?.ok, e.failed ?? false]),
    [
      ['add_wasi', 1, false],
      ['execute_skill sample_wasi1 Zoe 0 0', 1, false],
      ['skills', 1, false],
    ],
  );
  assert.deepEqual(run.entries[0]!.deployed, { wasi: 1 });
  assert.match(run.pk, /New skill: dev\/sample_wasi1/);
});

test('the token is sent, enforced, and written nowhere', { timeout: 120_000 }, async () => {
  const token = 'kb-secret-7d3f9a1c';
  const other = 'kb-other-55e0b2';
  const dir = tempDir();
  const script = writeScript(dir, 'token.cmds', [
    'add_rs',
    'skills',
    'cached_skills',
    'execute_skill sample_rs1 A 0 0',
  ]);
  const args = (out: string) => [
    'run',
    script,
    '--out',
    out,
    '--progress',
    'plain',
    '--update-interval',
    '100ms',
  ];

  const good = await runCli(args(join(dir, 'good')), { env: { PHARIA_AI_TOKEN: token } });
  assert.equal(good.code, 0, good.stderr);
  const run = readRun(join(dir, 'good'));
  assert.ok(
    run.entries.every((e) => !e.failed && e.requests?.ok === e.requests?.count),
    'all requests ok',
  );

  // The kernel gets another token than the harness sends: it must refuse.
  const bad = await runCli([...args(join(dir, 'bad')), '--env', `PHARIA_AI_TOKEN=${other}`], {
    env: { PHARIA_AI_TOKEN: token },
  });
  const refused = readRun(join(dir, 'bad'));
  const failures = refused.entries.flatMap((e) => e.failures ?? []);
  assert.ok(
    failures.some((f) => / 401/.test(f)),
    failures.join('\n'),
  );

  for (const [name, text] of [
    ['stdout', good.stdout + bad.stdout],
    ['stderr', good.stderr + bad.stderr],
    ['run log', JSON.stringify(run.lines) + JSON.stringify(refused.lines)],
    ['pk log', run.pk + refused.pk],
    ['samples', JSON.stringify(run.samples) + JSON.stringify(refused.samples)],
  ] as const) {
    assert.equal(text.includes(token), false, `the token appears in the ${name}`);
    assert.equal(text.includes(other), false, `the kernel's token appears in the ${name}`);
  }
});

test('a wall clock that jumps an hour changes no took', { timeout: 120_000 }, async () => {
  const dir = tempDir();
  const script = writeScript(dir, 'clock.cmds', [
    'add_rs',
    'execute_skill sample_rs1 A 0 300',
    'skills',
  ]);
  const out = join(dir, 'out');
  const before = Date.now();
  const cli = await runCli(
    ['run', script, '--out', out, '--progress', 'plain', '--update-interval', '100ms'],
    { nodeArgs: ['--import', './test/fixtures/run/clock-jump.mjs'] },
  );
  assert.equal(cli.code, 0, cli.stderr);
  const run = readRun(out);
  // The preload did act: the pk log header's wall time is an hour ahead.
  const started = Date.parse(/started (\S+);/.exec(run.pk)![1]!);
  assert.ok(started - before > 59 * 60_000, `pk log started ${new Date(started).toISOString()}`);

  for (const entry of [...run.entries, run.stop!]) {
    assert.ok(entry.took >= 0 && entry.took < 60_000, `${entry.cmd} took ${entry.took}`);
    if (entry.requests) assert.ok(entry.requests.latency.max < 60_000, `${entry.cmd} latency`);
  }
  assert.ok(run.entries[1]!.took >= 300, `the 300 ms execution took ${run.entries[1]!.took}`);
  assert.ok(run.samples.every((s) => s.t < 60_000));
});

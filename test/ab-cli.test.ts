// `kernel-bench ab` against two differently configured emulated kernels:
// interleaved runs, a fresh kernel each, and the comparison of the two sets.
import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { execa } from 'execa';
import { runAb } from '../src/ab/ab.ts';
import { parseRunLog } from '../src/runlog/read.ts';
import type { Comparison } from '../src/compare/types.ts';

const SCRIPT = join(import.meta.dirname, 'fixtures', 'ab', 'small.cmds');
const CLI = join(import.meta.dirname, '..', 'src', 'cli', 'main.ts');
// Timing on a loaded test machine is not what these tests are about: with two
// rounds a stray slow run could pass the t-test, so times get wide thresholds.
const CALM_TIMES = ['took=300%:1000', 'p95=300%:1000', 'first_exec=300%:1000'];
const dirs: string[] = [];

after(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'kb-ab-'));
  dirs.push(dir);
  return dir;
}

test('ab: A/A on one emulated kernel gives no regression; runs alternate base, candidate', async () => {
  const out = await tempDir();
  const res = await execa(
    process.execPath,
    [
      '--import',
      'tsx',
      CLI,
      'ab',
      SCRIPT,
      '--base',
      'emulator',
      '--candidate',
      'emulator',
      '--rounds',
      '2',
      '--update-interval',
      '100ms',
      '--format',
      'json',
      '--fail-on-regression',
      '--out',
      out,
      ...CALM_TIMES.flatMap((t) => ['--threshold', t]),
    ],
    { reject: false, timeout: 120_000 },
  );
  assert.equal(res.exitCode, 0, res.stderr);
  const c = JSON.parse(res.stdout) as Comparison;
  assert.deepEqual(c.overall.regressions, []);
  assert.deepEqual(
    c.runs.map((r) => [r.label, r.runs]),
    [
      ['a', 2],
      ['b', 2],
    ],
  );
  // base 1, candidate 1, base 2, candidate 2: the log names are start times.
  const order = res.stderr.split('\n').filter((l) => l.startsWith('ab: round'));
  assert.deepEqual(order, [
    'ab: round 1 of 2, base',
    'ab: round 1 of 2, candidate',
    'ab: round 2 of 2, base',
    'ab: round 2 of 2, candidate',
  ]);
  const stamps = async (side: string) =>
    (await readdir(join(out, side))).filter((f) => f.endsWith('_run.log')).sort();
  const [base, cand] = [await stamps('base'), await stamps('candidate')];
  assert.equal(base.length, 2);
  assert.ok(base[0]! < cand[0]! && cand[0]! < base[1]! && base[1]! < cand[1]!);
  // Every round had its own kernel process.
  const pids = new Set<number>();
  for (const [side, files] of [
    ['base', base],
    ['candidate', cand],
  ] as const) {
    for (const f of files) {
      const path = join(out, side, f);
      const log = parseRunLog(await readFile(path, 'utf8'), path);
      pids.add(log.entries[0]!.pids![0]!);
    }
  }
  assert.equal(pids.size, 4);
});

test('ab: a candidate holding 30% more memory per skill regresses, naming the metric', async () => {
  const out = await tempDir();
  const res = await runAb({
    scriptPath: SCRIPT,
    base: {},
    candidate: { env: { KB_EMU_SKILL_MEMORY_FACTOR: '31.2' } },
    rounds: 2,
    outDir: out,
    run: { updateInterval: '100ms', progress: 'none', log: () => {} },
  });
  assert.equal(res.outcome, 'complete');
  assert.equal(res.base.length, 2);
  assert.equal(res.candidate.length, 2);
  const c = res.comparison!;
  assert.equal(c.overall.status, 'regressed');
  const slope = c.totals.verdicts.find((v) => v.metric === 'slope')!;
  assert.equal(slope.status, 'regressed');
  assert.match(
    slope.reason,
    /^\+\d+\.\d% memory per py skill \(median ≈2\d → ≈3\d MiB, 2 and 2 runs\)/,
  );
  assert.ok(slope.change.pct! > 20 && slope.change.pct! < 40, slope.reason);
  const add2 = c.entries.find((e) => e.cmd === '2 add_py')!;
  const rss = add2.verdicts.find((v) => v.metric === 'rss_diff')!;
  assert.equal(rss.status, 'regressed');
  assert.ok(rss.change.pct! > 20 && rss.change.pct! < 40, rss.reason);
  assert.ok(
    c.overall.regressions.some(
      (r) => r.startsWith('2 add_py (entry 2), b: ') && /rss_diff/.test(r),
    ),
  );
});

test('ab: a base kernel that never becomes ready fails the pair with exit code 3', async () => {
  const out = await tempDir();
  const res = await execa(
    process.execPath,
    [
      '--import',
      'tsx',
      CLI,
      'ab',
      SCRIPT,
      '--base',
      'emulator',
      '--candidate',
      'emulator',
      '--base-env',
      'KB_EMU_HEALTH=never',
      '--rounds',
      '3',
      '--ready-timeout',
      '2s',
      '--update-interval',
      '100ms',
      '--out',
      out,
    ],
    { reject: false, timeout: 120_000 },
  );
  assert.equal(res.exitCode, 3, res.stderr);
  assert.match(res.stderr, /ab: base run 1 failed: /);
  // No candidate run: the pair stops at the first failure.
  assert.doesNotMatch(res.stderr, /round 1 of 3, candidate/);
});

test('ab: bad flags are input errors naming the flag', async () => {
  const res = await execa(
    process.execPath,
    [
      '--import',
      'tsx',
      CLI,
      'ab',
      SCRIPT,
      '--base',
      'emulator',
      '--candidate',
      'emulator',
      '--rounds',
      '0',
    ],
    { reject: false, timeout: 60_000 },
  );
  assert.equal(res.exitCode, 2);
  assert.match(res.stderr, /--rounds: "0" is not a positive whole number/);
});

test('ab: a misspelled candidate knob is an input error before the base runs', async () => {
  const out = await tempDir();
  const res = await execa(
    process.execPath,
    [
      '--import',
      'tsx',
      CLI,
      'ab',
      SCRIPT,
      '--base',
      'emulator',
      '--candidate',
      'emulator',
      '--candidate-env',
      'KB_EMU_SKILL_MEMORY_FACTR=31.2',
      '--out',
      out,
    ],
    { reject: false, timeout: 60_000 },
  );
  assert.equal(res.exitCode, 2, res.stderr);
  assert.match(
    res.stderr,
    /candidate: the emulator's environment .*KB_EMU_SKILL_MEMORY_FACTR: not an emulator knob/,
  );
  // Nothing ran: no run log on either side.
  const written = await readdir(out, { recursive: true });
  assert.deepEqual(
    written.filter((f) => f.endsWith('_run.log')),
    [],
  );
});

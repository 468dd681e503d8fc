import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { execa } from 'execa';
import { EXIT } from '../src/errors.ts';
import { benchEntries, synthLog } from './fixtures/compare/synth.ts';

const LOGS = join(import.meta.dirname, 'fixtures', 'logs');
const A = join(LOGS, '241022_204217.730_run.log');
const B = join(LOGS, '241022_204217.737_run.log');
const CLI = join(import.meta.dirname, 'fixtures', 'compare', 'cli.ts');

function cli(...args: string[]) {
  return execa('node', ['--import', 'tsx', CLI, ...args], { reject: false, timeout: 60_000 });
}

let dir = '';
const base: string[] = [];
const cand: string[] = [];
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kb-cli-'));
  for (let i = 0; i < 2; i++) {
    const a = join(dir, `base${i}_run.log`);
    await writeFile(a, synthLog({ entries: benchEntries() }));
    base.push(a);
    const b = join(dir, `cand${i}_run.log`);
    // 30% more memory per skill on the candidate.
    await writeFile(
      b,
      synthLog({ entries: benchEntries({ perSkill: 195_000, first: 1_040_000 }) }),
    );
    cand.push(b);
  }
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

test('compare prints the text report; --fail-on-regression sets exit code 4', async () => {
  const [plain, failing] = await Promise.all([
    cli('compare', A, B),
    cli('compare', A, B, '--fail-on-regression'),
  ]);
  assert.equal(plain.exitCode, EXIT.ok);
  assert.match(plain.stdout, /^total time \(ms\) +28,435 +19,631 +69$/m);
  assert.match(plain.stdout, /^verdict: regressed/m);
  assert.equal(failing.exitCode, EXIT.regression);
  assert.equal(failing.stdout, plain.stdout);
});

test('--baseline/--candidate with several runs, JSON to --out', async () => {
  const out = join(dir, 'report.json');
  const r = await cli(
    'compare',
    '--baseline',
    ...base,
    '--candidate',
    ...cand,
    '--format',
    'json',
    '--out',
    out,
  );
  assert.equal(r.exitCode, EXIT.ok, r.stderr);
  assert.equal(r.stdout, '');
  const c = JSON.parse(await readFile(out, 'utf8'));
  assert.equal(c.schema, 1);
  assert.deepEqual(
    c.runs.map((x: { label: string; runs: number }) => [x.label, x.runs]),
    [
      ['a', 2],
      ['b', 2],
    ],
  );
  assert.equal(c.overall.status, 'regressed');
  assert.ok(
    c.overall.regressions.some((r: string) =>
      r.startsWith(
        'add_py (entry 1), b: +30.0% rss_diff (median 800,000 → 1,040,000 KiB, 2 and 2 runs)',
      ),
    ),
  );
});

test('baseline save, then compare against the baselines directory', async () => {
  const baselines = join(dir, 'baselines');
  // Positional logs go before --baseline, which takes every value after it.
  const missing = await cli('compare', cand[0]!, '--baseline', baselines);
  assert.equal(missing.exitCode, EXIT.ok);
  assert.equal(missing.stderr.trim(), 'no baseline yet for linux-x64/bench');
  assert.equal(missing.stdout, '');

  const saved = await cli('baseline', 'save', ...base, '--out', baselines);
  assert.equal(saved.exitCode, EXIT.ok, saved.stderr);
  const path = join(baselines, 'linux-x64', 'bench.json');
  assert.match(
    saved.stdout,
    new RegExp(`^saved ${path.replace(/[.\\]/g, '\\$&')} \\(2 runs, script hash 3c6d21c1`),
  );

  const [dirRun, fileRun] = await Promise.all([
    cli(
      'compare',
      ...cand,
      '--baseline',
      baselines,
      '--format',
      'markdown',
      '--fail-on-regression',
    ),
    cli('compare', path, cand[0]!, '--format', 'json'),
  ]);
  assert.equal(dirRun.exitCode, EXIT.regression, dirRun.stderr);
  assert.match(dirRun.stdout, /\*\*verdict: regressed/);
  assert.match(dirRun.stdout, /memory per py skill \(median ≈146 → ≈190 MiB, 2 and 2 runs\)/);
  assert.equal(fileRun.exitCode, EXIT.ok, fileRun.stderr);
  assert.equal(JSON.parse(fileRun.stdout).runs[0].source, 'baseline');
});

test('bad input: exit code 2 and a message naming the problem', async () => {
  const [hash, format, one, threshold, bad] = await Promise.all([
    cli('compare', A, join(LOGS, '241024_160204.009_run.log')),
    cli('compare', A, B, '--format', 'xml'),
    cli('compare', A),
    cli('compare', A, B, '--threshold', 'took=fast'),
    cli('compare', A, join(LOGS, 'pasted_run.log')),
  ]);
  for (const r of [hash, format, one, threshold, bad]) {
    assert.equal(r.exitCode, EXIT.input, r.stderr);
    assert.equal(r.stdout, '');
    assert.doesNotMatch(r.stderr, /\n\s+at /); // no stack trace
  }
  assert.match(
    hash.stderr,
    /hash 3adee1afcc53ea464359a82e89ee18235204e802.*hash 3c6d21c18c26d4130b6f57d617d2131cedd58d1d/,
  );
  assert.match(format.stderr, /--format "xml": expected one of text, markdown, json/);
  assert.match(one.stderr, /compare needs at least two logs/);
  assert.match(threshold.stderr, /--threshold "took=fast": expected METRIC=PCT/);
  assert.match(
    bad.stderr,
    /pasted_run\.log:13: not a JSON object: "\$ python3 bench\.py cmds\/bench\.cmds"/,
  );
});

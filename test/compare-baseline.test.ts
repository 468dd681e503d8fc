import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import {
  findBaseline,
  loadBaseline,
  makeBaseline,
  platformOf,
  saveBaseline,
} from '../src/compare/baseline.ts';
import { compare } from '../src/compare/compare.ts';
import { InputError } from '../src/errors.ts';
import { parseRunLog, readRunLog } from '../src/runlog/read.ts';
import { benchEntries, synthLog, type SynthLog } from './fixtures/compare/synth.ts';

const LOGS = join(import.meta.dirname, 'fixtures', 'logs');
let dir = '';
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kb-baseline-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

function runs(tooks: number[], extra: Partial<SynthLog> = {}) {
  return tooks.map((t, i) =>
    parseRunLog(
      synthLog({
        entries: benchEntries().map((e) => (e.cmd === 'add_py' ? { ...e, took: t } : e)),
        commit: 'abc123',
        ...extra,
      }),
      `/logs/r${i + 1}_run.log`,
    ),
  );
}

function refusal(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    assert.ok(error instanceof InputError, String(error));
    return error.message;
  }
  assert.fail('expected a refusal');
}

test('save writes <os>-<arch>/<script>.json with medians, spread, raw runs and provenance', async () => {
  const { path, baseline } = await saveBaseline(runs([3000, 3100, 3500]), dir);
  assert.equal(path, join(dir, 'linux-x64', 'bench.json'));
  const stored = JSON.parse(await readFile(path, 'utf8'));
  assert.deepEqual(stored, baseline);
  assert.equal(stored.kind, 'kernel-bench-baseline');
  assert.equal(stored.schema, 1);
  assert.equal(stored.platform, 'linux-x64');
  assert.deepEqual(stored.script, {
    filename: 'cmds/bench.cmds',
    name: 'bench',
    hash: '3c6d21c18c26d4130b6f57d617d2131cedd58d1d',
  });
  assert.equal(stored.provenance.kernelHash, 'k'.repeat(40));
  assert.equal(stored.provenance.commit, 'abc123');
  assert.equal(stored.provenance.runs, 3);
  assert.equal(stored.provenance.machine.brand, 'Test CPU');
  assert.deepEqual(stored.provenance.logs, ['r1_run.log', 'r2_run.log', 'r3_run.log']);
  assert.ok(!Number.isNaN(Date.parse(stored.provenance.date)));
  assert.equal(stored.entries.length, 9);
  const took = stored.entries[0]!.metrics.took!;
  assert.deepEqual(took.runs, [3000, 3100, 3500]);
  assert.equal(took.median, 3100);
  assert.equal(took.min, 3000);
  assert.equal(took.max, 3500);
  assert.equal(Math.round(took.stdev * 1000) / 1000, 264.575); // sample stdev
  assert.ok(took.iqr > 0);
  assert.equal(stored.entries[8]!.cmd, 'stop');
  assert.equal(stored.entries[8]!.stop, true);
  assert.deepEqual(stored.entries[1]!.deployed, { py: 5 });
  assert.equal(stored.entries[0]!.metrics.peak_rss!.median, 820_000);

  const loaded = await loadBaseline(path);
  assert.deepEqual(loaded.baseline, baseline);
});

test('a baseline compares exactly like the logs it was made from', async () => {
  const logs = runs([3000, 3100, 3500]);
  const candidate = runs([4000, 4100, 4050]);
  const { path } = await saveBaseline(logs, join(dir, 'same'));
  const fromLogs = compare({ sides: [{ logs }, { logs: candidate }] });
  const fromBaseline = compare({ sides: [await loadBaseline(path), { logs: candidate }] });
  assert.deepEqual(fromBaseline.entries, fromLogs.entries);
  assert.deepEqual(fromBaseline.totals, fromLogs.totals);
  assert.deepEqual(fromBaseline.overall, fromLogs.overall);
  assert.equal(fromBaseline.runs[0]!.source, 'baseline');
  assert.deepEqual(fromBaseline.runs[0]!.paths, [path]);
  assert.equal(fromBaseline.runs[0]!.runs, 3);
  assert.equal(fromBaseline.runs[0]!.kernel.commit, 'abc123');
  assert.ok(fromBaseline.notes.includes(`a is a baseline of 3 run(s): ${path}`));
  const v = fromBaseline.entries[0]!.verdicts.find((x) => x.metric === 'took')!;
  assert.equal(v.status, 'regressed');
  assert.ok(v.pValue! < 0.05);
});

test('a baseline of another script hash is refused, naming both hashes', async () => {
  const other = 'f'.repeat(40);
  const { path } = await saveBaseline(runs([3000], { hash: other }), join(dir, 'other'));
  const loaded = await loadBaseline(path);
  const message = refusal(() => compare({ sides: [loaded, runs([3000])[0]!] }));
  assert.match(message, new RegExp(other));
  assert.match(message, /3c6d21c18c26d4130b6f57d617d2131cedd58d1d/);
  await assert.rejects(
    findBaseline(
      join(dir, 'other'),
      'linux',
      'x64',
      'cmds/bench.cmds',
      '3c6d21c18c26d4130b6f57d617d2131cedd58d1d',
    ),
    (e: unknown) =>
      e instanceof InputError && e.message.includes(other) && e.message.includes('3c6d21c18c26'),
  );
});

test('no baseline yet is a message, not a failure', async () => {
  const found = await findBaseline(join(dir, 'empty'), 'darwin', 'arm64', 'cmds/stress.cmds');
  assert.equal(found.baseline, null);
  assert.equal(found.message, 'no baseline yet for darwin-arm64/stress');
  assert.equal(found.path, join(dir, 'empty', 'darwin-arm64', 'stress.json'));
  const present = await findBaseline(join(dir, 'same'), 'linux', 'x64', 'bench');
  assert.equal(present.baseline?.script.name, 'bench');
});

test('legacy logs: platform from the machine line, one run has no spread', async () => {
  const a = await readRunLog(join(LOGS, '241022_204217.730_run.log'));
  const b = await readRunLog(join(LOGS, '241022_204217.737_run.log'));
  assert.equal(platformOf(a.machine, a.binary.bin), 'darwin-arm64');
  assert.equal(platformOf(b.machine, b.binary.bin), 'linux-x64');
  assert.equal(platformOf({ ...b.machine, os: 'win32', arch: 'aarch64' }), 'win32-arm64');
  const baseline = makeBaseline([a]);
  assert.equal(baseline.platform, 'darwin-arm64');
  assert.equal(baseline.provenance.commit, null);
  assert.deepEqual(baseline.entries[0]!.metrics.took, {
    median: 3171,
    min: 3171,
    max: 3171,
    stdev: 0,
    iqr: 0,
    runs: [3171],
  });
  assert.equal(baseline.entries[0]!.metrics.peak_rss, undefined); // legacy logs have none
});

test('a baseline is only made from complete runs of one script, kernel and platform', async () => {
  const incomplete = await readRunLog(join(LOGS, 'incomplete_run.log'));
  assert.match(
    refusal(() => makeBaseline([incomplete])),
    /incomplete_run\.log: no stop entry/,
  );
  const mixed = [...runs([3000]), ...runs([3000], { hash: 'e'.repeat(40) })];
  assert.match(
    refusal(() => makeBaseline(mixed)),
    /hash e{40}.*hash 3c6d21c1/,
  );
  const kernels = [...runs([3000]), ...runs([3000], { kernelHash: 'd'.repeat(40) })];
  assert.match(
    refusal(() => makeBaseline(kernels)),
    /ran kernel d{40} but .* ran k{40}/,
  );
  const platforms = [...runs([3000]), ...runs([3000], { os: 'darwin' })];
  assert.match(
    refusal(() => makeBaseline(platforms)),
    /ran on darwin-x64 but .* on linux-x64/,
  );
  const failed = runs([3000], { outcome: 'failed', reason: 'kernel crashed' });
  assert.match(
    refusal(() => makeBaseline(failed)),
    /the run failed \(kernel crashed\)/,
  );
});

test('a damaged baseline file is refused naming the file', async () => {
  const { path } = await saveBaseline(runs([3000, 3100]), join(dir, 'damaged'));
  const text = (await readFile(path, 'utf8')).replace('"runs": 2', '"runs": 3');
  await writeFile(path, text);
  await assert.rejects(loadBaseline(path), (e: unknown) => {
    assert.ok(e instanceof InputError);
    assert.match(
      e.message,
      /bench\.json: baseline entry 1 \(add_py\) metric took has 2 run values, expected 3/,
    );
    return true;
  });
});

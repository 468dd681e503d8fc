import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { compare } from '../src/compare/compare.ts';
import { renderText } from '../src/compare/render-text.ts';
import { InputError } from '../src/errors.ts';
import { parseRunLog, readRunLog } from '../src/runlog/read.ts';
import { benchEntries, synthLog } from './fixtures/compare/synth.ts';

const LOGS = join(import.meta.dirname, 'fixtures', 'logs');
const A = join(LOGS, '241022_204217.730_run.log');
const B = join(LOGS, '241022_204217.737_run.log');
const SATURATE = join(LOGS, '241024_160204.009_run.log');

function refusal(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    assert.ok(error instanceof InputError, String(error));
    return error.message;
  }
  assert.fail('expected a refusal');
}

test('logs of different scripts are refused, naming both hashes', async () => {
  const a = await readRunLog(A);
  const other = await readRunLog(SATURATE);
  const message = refusal(() => compare({ sides: [a, other] }));
  assert.match(message, /3adee1afcc53ea464359a82e89ee18235204e802/);
  assert.match(message, /3c6d21c18c26d4130b6f57d617d2131cedd58d1d/);
  assert.match(message, /241024_160204\.009_run\.log/);
});

test('different entry counts are refused, naming the first missing entry', () => {
  const entries = benchEntries();
  const a = parseRunLog(synthLog({ entries }), 'a_run.log');
  const b = parseRunLog(
    synthLog({ entries: [...entries, { cmd: 'delete_skill', took: 3 }] }),
    'b_run.log',
  );
  const message = refusal(() => compare({ sides: [a, b] }));
  assert.equal(
    message,
    'a_run.log has 8 entries but b_run.log has 9 (first missing: entry 9, "delete_skill"); ' +
      'the logs do not line up',
  );
});

test('an entry whose cmd differs is refused, naming it and both files', () => {
  const entries = benchEntries();
  const changed = entries.map((e, i) => (i === 2 ? { ...e, cmd: 'cached_skills' } : e));
  const a = parseRunLog(synthLog({ entries }), 'a_run.log');
  const b = parseRunLog(synthLog({ entries: changed }), 'b_run.log');
  assert.equal(
    refusal(() => compare({ sides: [a, b] })),
    'entry 3 differs: "skills" in a_run.log but "cached_skills" in b_run.log; the logs do not line up',
  );
});

test('a log without stop is compared where entries line up, and flagged', async () => {
  const c = compare({
    sides: [await readRunLog(A), await readRunLog(join(LOGS, 'incomplete_run.log'))],
  });
  assert.equal(c.runs[1]!.incomplete, true);
  assert.equal(c.entries.length, 9);
  assert.deepEqual(
    c.entries.slice(0, 8).map((e) => e.sides[1]!.pct.took),
    [97, 100, 50, 1, 112, 140, 100, 'inf'],
  );
  const stop = c.entries[8]!;
  assert.equal(stop.stop, true);
  assert.equal(stop.sides[1]!.present, false);
  assert.equal(stop.sides[1]!.values.took, null);
  assert.ok(
    c.notes.some((n) => n.startsWith('b is incomplete') && n.includes('incomplete_run.log')),
  );
  // Missing stop where a has one: a new failure, so a regression.
  const outcome = c.totals.verdicts.find((v) => v.metric === 'outcome')!;
  assert.equal(outcome.status, 'regressed');
  assert.match(outcome.reason, /ended without a stop entry/);
  assert.equal(c.overall.status, 'regressed');
  // Total time is not judged on an incomplete run.
  assert.equal(
    c.totals.verdicts.find((v) => v.metric === 'total_took'),
    undefined,
  );
  const text = renderText(c);
  assert.match(text, /^stop +6,067 +n\/a +n\/a +-1,537,472 +n\/a +n\/a$/m);
  assert.match(text, /\[incomplete\]/);
});

test('a truncated log is compared up to its last whole line and reported', async () => {
  const c = compare({
    sides: [await readRunLog(A), await readRunLog(join(LOGS, 'truncated_run.log'))],
  });
  assert.equal(c.runs[1]!.truncated, true);
  assert.equal(c.runs[1]!.incomplete, true);
  assert.deepEqual(
    c.entries.map((e) => e.sides[1]!.present),
    [true, true, true, true, true, false, false, false, false],
  );
  // The truncated log is a itself cut short: every present entry is 100%.
  assert.deepEqual(
    c.entries.slice(0, 5).map((e) => e.sides[1]!.pct.took),
    [100, 100, 100, 100, 100],
  );
  assert.ok(c.notes.some((n) => n.startsWith('b is truncated') && n.includes('cut mid-write')));
  assert.match(renderText(c), /\[truncated, incomplete\]/);
});

test('a failed run that still stopped may be shorter', () => {
  const entries = benchEntries();
  const a = parseRunLog(synthLog({ entries }), 'a_run.log');
  const b = parseRunLog(
    synthLog({
      entries: entries.slice(0, 4),
      outcome: 'failed',
      reason: 'execute_all Bob 20 10: request 3 connection refused',
    }),
    'b_run.log',
  );
  const c = compare({ sides: [a, b] });
  assert.equal(c.entries.length, 9);
  assert.equal(c.entries[8]!.sides[1]!.present, true); // b's stop lines up with a's
  assert.equal(c.entries[5]!.sides[1]!.present, false);
  const outcome = c.totals.verdicts.find((v) => v.metric === 'outcome')!;
  assert.equal(outcome.status, 'regressed');
  assert.match(outcome.reason, /request 3 connection refused/);
});

test('three logs: b and c are each a percentage of a', async () => {
  const c = compare({ sides: [await readRunLog(A), await readRunLog(B), await readRunLog(A)] });
  assert.deepEqual(
    c.runs.map((r) => r.label),
    ['a', 'b', 'c'],
  );
  assert.deepEqual(
    c.entries[0]!.sides.map((s) => s.pct.took),
    [null, 97, 100],
  );
  const header = renderText(c)
    .split('\n')
    .find((l) => l.startsWith('cmd '))!;
  assert.deepEqual(header.split(/\s{2,}/), [
    'cmd',
    'a took',
    'b took',
    'b %',
    'c took',
    'c %',
    'a rss_diff',
    'b rss_diff',
    'b %',
    'c rss_diff',
    'c %',
  ]);
});

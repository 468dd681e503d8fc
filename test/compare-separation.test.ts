import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ONE_RUN_GROSS, THRESHOLDS } from '../src/compare/thresholds.ts';
import { judge, separationP } from '../src/compare/verdict.ts';

const firstExec = (a: number[], b: number[]) =>
  judge({
    metric: 'first_exec',
    side: 'b',
    name: 'first execution (load)',
    a,
    b,
    threshold: THRESHOLDS.first_exec,
    unit: 'ms',
    oneRunGross: ONE_RUN_GROSS.time,
  });

test('separationP: exact one-sided rank probability when the samples do not overlap', () => {
  assert.equal(separationP([1, 2, 3], [4, 5, 6], true), 1 / 20);
  assert.equal(separationP([1, 2, 3, 4, 5], [6, 7, 8, 9, 10], true), 1 / 252);
  assert.equal(separationP([4, 5, 6], [1, 2, 3], false), 1 / 20);
  // Overlap, wrong direction, or a single run: no rank verdict.
  assert.equal(separationP([1, 2, 5], [4, 5, 6], true), undefined);
  assert.equal(separationP([4, 5, 6], [1, 2, 3], true), undefined);
  assert.equal(separationP([1], [4, 5, 6], true), undefined);
});

test('one slow run among five no longer hides a shift every run shows', () => {
  // KB_EMU_LOAD_MS 300 → 345 in the bench; with one slow run Welch alone says noisy.
  const v = firstExec([341, 343, 344, 342, 345], [380, 381, 383, 384, 900]);
  assert.equal(v.status, 'regressed');
  assert.equal(v.pValue, 1 / 252);
  assert.match(
    v.reason,
    /every run of b above every run of a, rank p=0\.004; p=0\.\d+, Welch t-test/,
  );
});

test('three runs a side do not reach the rank level: a clean split of 3 and 3 (p=0.05) is noisy', () => {
  // Judging every entry and metric at once, p=0.05 made A/A comparisons "regress".
  const v = firstExec([341, 343, 344], [473, 381, 414]);
  assert.equal(v.status, 'noisy');
  assert.match(v.reason, /not significant \(p=0\.097, Welch t-test, needs p<0\.05\)/);
});

test('overlapping spread-out runs stay noisy; a change under the threshold stays unchanged', () => {
  assert.equal(firstExec([330, 345, 420], [360, 410, 480]).status, 'noisy');
  assert.equal(firstExec([340, 341, 342], [370, 371, 372]).status, 'unchanged');
});

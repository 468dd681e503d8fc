import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ONE_RUN_GROSS } from '../src/compare/thresholds.ts';
import { THRESHOLDS } from '../src/compare/thresholds.ts';
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

test('one slow run among three no longer hides a shift every run shows (bench data)', () => {
  // Measured: KB_EMU_LOAD_DELAY_MS 300 → 345; Welch alone said p=0.097, noisy.
  const v = firstExec([341, 343, 344], [473, 381, 414]);
  assert.equal(v.status, 'regressed');
  assert.equal(v.pValue, 0.05);
  assert.equal(
    v.reason,
    '+20.7% first execution (load) (median 343 → 414 ms, 3 and 3 runs), above the 10% threshold ' +
      '(every run of b above every run of a, rank p=0.050; p=0.097, Welch t-test)',
  );
});

test('overlapping spread-out runs stay noisy; a change under the threshold stays unchanged', () => {
  assert.equal(firstExec([330, 345, 420], [360, 410, 480]).status, 'noisy');
  assert.equal(firstExec([340, 341, 342], [370, 371, 372]).status, 'unchanged');
});

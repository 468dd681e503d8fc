import { test } from 'node:test';
import assert from 'node:assert/strict';
import { elapsed, now } from '../src/measure/clock.ts';

test('now() never goes back', () => {
  let previous = now();
  for (let i = 0; i < 1000; i++) {
    const next = now();
    assert.ok(next >= previous);
    previous = next;
  }
});

test('elapsed() gives whole ms since a start from now()', () => {
  const start = now() - 1500.4;
  const took = elapsed(start);
  assert.ok(Number.isInteger(took));
  assert.ok(took >= 1500, `took ${took}`);
  assert.equal(
    elapsed(now() + 10_000) <= -9_000,
    true,
    'a start in the future is negative, not clamped',
  );
});

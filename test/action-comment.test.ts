// The comment renderer, called directly on leg results made by the real
// comparison code.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { renderComment } from '../src/action/comment.ts';
import { fixtureLog, makeLeg } from './helpers/action-harness.ts';

test('the comparison notes reach the comment: a baseline from another machine is said', async () => {
  const [mac, linux] = await Promise.all([
    fixtureLog('241022_204217.730_run.log'),
    fixtureLog('241022_204217.737_run.log'),
  ]);
  const leg = makeLeg({ key: 'linux-x64', baseline: mac, runs: [linux] });
  const body = renderComment([leg]);
  const notes = body.split('\n').find((l) => l.startsWith('<sub>linux-x64: '));
  assert.ok(notes, 'a notes line for the leg');
  assert.match(notes, /one run on a side, so no noise estimate/);
  assert.match(notes, /ran on different machines/);
});

test('a leg without a baseline shows no comparison notes (it compared with itself)', async () => {
  const linux = await fixtureLog('241022_204217.737_run.log');
  const body = renderComment([makeLeg({ key: 'linux-x64', runs: [linux] })]);
  assert.equal(body.includes('<sub>linux-x64: '), false);
});

// Simulated skill counts, the parallel peak the runner sizes its HTTP pool for, and the
// summary `kernel-bench check` prints.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import {
  commandExecutions,
  describeScript,
  maxParallelRequests,
  parallelPeak,
  simulateSkillCounts,
  simulateSkills,
} from '../src/script/describe.ts';
import { loadScript, parseScript } from '../src/script/parse.ts';

const cmds = (name: string) => fileURLToPath(new URL(`../cmds/${name}.cmds`, import.meta.url));

describe('simulateSkills', () => {
  it('counts deploys, named and unnamed deletes (test_remove)', async () => {
    const script = await loadScript(cmds('test_remove'));
    assert.deepEqual(simulateSkillCounts(script), [0, 5, 4, 1, 1, 1]);
    assert.deepEqual(simulateSkills(script).at(-1), {
      before: 1,
      after: 1,
      deployedByKind: { py: 5 },
    });
  });

  it('deletes without a name in string order, so sample_py10 goes before sample_py2', () => {
    const script = parseScript(
      [
        'p_add_py 10', // sample_py1 .. sample_py10
        '2 delete_skill', // sample_py1, sample_py10
        'delete_skill sample_py10', // already gone: no change
        'delete_skill sample_py2', // present: one less
        '3 delete_skill sample_py3', // a repeated named delete deletes once
        'add_rs',
        '100 delete_skill', // more than exist: stops at zero
        'add_py', // numbering goes on: sample_py11
      ].join('\n'),
      't.cmds',
    );
    assert.deepEqual(
      simulateSkills(script).map((s) => [s.before, s.after]),
      [
        [0, 10],
        [10, 8],
        [8, 8],
        [8, 7],
        [7, 6],
        [6, 7],
        [7, 0],
        [0, 1],
      ],
    );
    assert.deepEqual(simulateSkills(script).at(-1)!.deployedByKind, { py: 11, rs: 1 });
  });

  it('counts repeats of p_add', () => {
    const script = parseScript('3 p_add_rs 4\nskills', 't.cmds');
    assert.deepEqual(simulateSkillCounts(script), [0, 12]);
  });
});

describe('parallel requests', () => {
  it('finds the largest p_execute_all (saturate: 10 skills x 90)', async () => {
    const script = await loadScript(cmds('saturate'));
    assert.equal(maxParallelRequests(script), 900);
    const peak = parallelPeak(script)!;
    assert.equal(peak.line.line, 25);
    assert.deepEqual([peak.skills, peak.times, peak.requests], [10, 90, 900]);
  });

  it('uses the skill counts the caller gives', async () => {
    const script = await loadScript(cmds('test_rust'));
    assert.equal(maxParallelRequests(script), 1000);
    assert.equal(
      maxParallelRequests(script, () => 7),
      70,
    );
  });

  it('is 0 without p_execute_all', async () => {
    const script = await loadScript(cmds('bench'));
    assert.equal(maxParallelRequests(script), 0);
    assert.equal(parallelPeak(script), undefined);
  });

  it('does not multiply by the repeat count (repeats run one after another)', () => {
    const script = parseScript('p_add_py 3\n5 p_execute_all x 0 0 2', 't.cmds');
    assert.equal(maxParallelRequests(script), 6);
  });
});

describe('describeScript', () => {
  it('summarises bench.cmds', async () => {
    const script = await loadScript(cmds('bench'));
    assert.equal(commandExecutions(script), 20);
    const text = describeScript(script);
    const lines = text.split('\n');
    assert.deepEqual(lines.slice(0, 6), [
      `script ${script.filename}`,
      '  hash: 3c6d21c18c26d4130b6f57d617d2131cedd58d1d',
      '  entries: 8 (plus the final stop)',
      '  command executions: 20 (repeats counted)',
      '  skills deployed: py 5',
      '  max parallel requests: 0 (no p_execute_all)',
    ]);
    assert.match(text, /^\| +15 \| 4 add_py +\| +1 \| +5 \| +\|$/m);
  });

  it('shows the parallel peak and the requests of each p_execute_all line', async () => {
    const text = describeScript(await loadScript(cmds('p_execute_all')));
    assert.match(text, /^ {2}skills deployed: py 10$/m);
    assert.match(text, /^ {2}max parallel requests: 150 \(line \d+: 10 skills x 15\)$/m);
    assert.match(text, /^\| +\d+ \| p_execute_all MaxHeadroom 0 0 5 +\| +10 \| +10 \| +50 \|$/m);
    assert.match(text, /^\| +\d+ \| 10 delete_skill +\| +10 \| +0 \| +\|$/m);
  });
});

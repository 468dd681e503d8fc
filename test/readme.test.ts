// The README's generated sections must match the code they describe.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { renderReadme } from '../scripts/readme-sections.ts';
import { VERSION } from '../src/version.ts';

test('README command reference and script table match the CLI parser and the command table', () => {
  const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
  assert.equal(
    renderReadme(readme),
    readme,
    'README.md is stale: run node --import tsx scripts/readme-sections.ts',
  );
  assert.match(readme, /### `kernel-bench run`[\s\S]*--update-interval <duration>/);
  assert.match(readme, /`execute_skill NAME TOPIC \[MEMORY_KB\] \[WAIT_MS\]`/);
});

test('the version in the code is the package version', () => {
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
  assert.equal(VERSION, pkg.version);
});

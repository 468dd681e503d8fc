import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { execa } from 'execa';
import { compare } from '../src/compare/compare.ts';
import { legacyPct, roundHalfEven } from '../src/compare/legacy.ts';
import { renderJson } from '../src/compare/render-json.ts';
import { renderMarkdown } from '../src/compare/render-markdown.ts';
import { renderText } from '../src/compare/render-text.ts';
import { readRunLog } from '../src/runlog/read.ts';
import { markdownCells } from './fixtures/compare/markdown.ts';

const LOGS = join(import.meta.dirname, 'fixtures', 'logs');
const A = join(LOGS, '241022_204217.730_run.log');
const B = join(LOGS, '241022_204217.737_run.log');
const CLI = join(import.meta.dirname, 'fixtures', 'compare', 'cli.ts');

// The legacy README table, figure for figure.
const EXPECTED = [
  ['add_py', '3,171', '3,062', '97', '834,992', '885,748', '106'],
  ['4 add_py', '16,086', '16,145', '100', '611,616', '598,600', '98'],
  ['skills', '2', '1', '50', '0', '0', '100'],
  ['execute_skill sample_py1 Alice 100 20', '2,892', '26', '1', '90,544', '524', '1'],
  ['execute_all Bob 20 10', '76', '85', '112', '96', '224', '233'],
  ['10 execute_all Cecilia 0 0', '140', '196', '140', '0', '432', 'inf'],
  ['skills', '1', '1', '100', '0', '0', '100'],
  ['cached_skills', '0', '1', 'inf', '0', '0', '100'],
  ['stop', '6,067', '114', '2', '-1,537,472', '-1,488,328', '97'],
  ['total time (ms)', '28,435', '19,631', '69', '', '', ''],
  ['maximum rss (KB)', '', '', '', '1,537,472', '1,488,328', '97'],
];
const HEADER = ['cmd', 'a took', 'b took', 'b %', 'a rss_diff', 'b rss_diff', 'b %'];

async function fixtureComparison() {
  return compare({ sides: [await readRunLog(A), await readRunLog(B)] });
}

test('legacy percentage rules', () => {
  assert.equal(legacyPct(3171, 3062), 97);
  assert.equal(legacyPct(0, 0), 100);
  assert.equal(legacyPct(0, 432), 'inf');
  assert.equal(legacyPct(0, -5), 'inf');
  assert.equal(legacyPct(-1537472, -1488328), 97);
  assert.equal(legacyPct(96, 224), 233);
  assert.equal(legacyPct(null, 1), null);
  // Python's round: halves to even, 1/8 → 12.5 → 12, 3/8 → 37.5 → 38.
  assert.equal(legacyPct(8, 1), 12);
  assert.equal(legacyPct(8, 3), 38);
  assert.equal(roundHalfEven(2.5), 2);
  assert.equal(roundHalfEven(-2.5), -2);
  assert.equal(roundHalfEven(2.6), 3);
});

test('the comparison holds the legacy figures as numbers', async () => {
  const c = await fixtureComparison();
  assert.equal(c.schema, 1);
  assert.equal(c.entries.length, 9);
  const b = c.entries.map((e) => e.sides[1]!);
  assert.deepEqual(
    b.map((s) => s.pct.took),
    [97, 100, 50, 1, 112, 140, 100, 'inf', 2],
  );
  assert.deepEqual(
    b.map((s) => s.pct.rss_diff),
    [106, 98, 100, 1, 233, 'inf', 100, 100, 97],
  );
  const [ta, tb] = c.totals.sides;
  assert.equal(ta!.took, 28435);
  assert.equal(tb!.took, 19631);
  assert.equal(tb!.pct.took, 69);
  assert.equal(ta!.maxRss, 1537472);
  assert.equal(tb!.maxRss, 1488328);
  assert.equal(tb!.pct.maxRss, 97);
  assert.equal(c.runs[0]!.machine.brand, 'Apple M3 Pro');
  assert.equal(c.runs[0]!.machine.platform, 'darwin-arm64');
  assert.equal(c.runs[1]!.machine.platform, 'linux-x64');
  assert.equal(c.runs[1]!.kernel.hash, '8f652eac0741839d18d96d2f7a9cff291fdc4e7c');
  assert.ok(c.notes.some((n) => n.includes('no noise estimate')));
});

test('the text report reproduces every figure of the legacy README table', async () => {
  const text = renderText(await fixtureComparison());
  const lines = text.split('\n');
  const headerAt = lines.findIndex((l) => l.startsWith('cmd '));
  assert.deepEqual(lines[headerAt]!.split(/\s{2,}/), HEADER);
  // The cmd column is as wide as the longest cmd; the others are right-aligned,
  // so each cell ends where its header ends.
  const header = lines[headerAt]!;
  const ends = [Math.max(...EXPECTED.map((row) => row[0]!.length))];
  for (const h of HEADER.slice(1)) ends.push(header.indexOf(h, ends.at(-1)!) + h.length);
  EXPECTED.forEach((expected, r) => {
    const row = lines[headerAt + 1 + r]!;
    const cells = ends.map((end, i) => row.slice(i === 0 ? 0 : ends[i - 1], end).trim());
    assert.deepEqual(cells, expected, `row ${r + 1}: ${row}`);
  });
});

test('the markdown report reproduces every figure of the legacy README table', async () => {
  const md = renderMarkdown(await fixtureComparison());
  const lines = md.split('\n');
  const headerAt = lines.findIndex((l) => l.startsWith('| cmd '));
  assert.deepEqual(markdownCells(lines[headerAt]!), HEADER);
  // cmd left-aligned, numbers right-aligned.
  const delimiter = markdownCells(lines[headerAt + 1]!);
  assert.match(delimiter[0]!, /^:-+$/);
  for (const cell of delimiter.slice(1)) assert.match(cell, /^-+:$/);
  EXPECTED.forEach((expected, r) => {
    const cells = markdownCells(lines[headerAt + 2 + r]!);
    const want = r >= 9 ? [`**${expected[0]}**`, ...expected.slice(1)] : expected;
    assert.deepEqual(cells, want, `row ${r + 1}`);
  });
});

test('the JSON report is the comparison itself', async () => {
  const c = await fixtureComparison();
  assert.deepEqual(JSON.parse(renderJson(c)), JSON.parse(JSON.stringify(c)));
});

test('LANG=de_DE.UTF-8 changes nothing in any format', async () => {
  const run = (env: Record<string, string>, format: string) =>
    execa('node', ['--import', 'tsx', CLI, 'compare', A, B, '--format', format], {
      env,
      extendEnv: true,
      timeout: 60_000,
    });
  const de = { LANG: 'de_DE.UTF-8', LC_ALL: 'de_DE.UTF-8' };
  // Sanity: the child really formats German by default under this environment.
  const probe = await execa('node', ['-e', 'process.stdout.write((1234567).toLocaleString())'], {
    env: de,
  });
  assert.equal(probe.stdout, '1.234.567');
  for (const format of ['text', 'markdown', 'json']) {
    const [german, plain] = await Promise.all([
      run(de, format),
      run({ LANG: 'C', LC_ALL: 'C' }, format),
    ]);
    assert.equal(german.stdout, plain.stdout, format);
    assert.equal(german.exitCode, 0);
  }
  const german = await run(de, 'text');
  assert.ok(german.stdout.includes('1,537,472'));
  assert.ok(german.stdout.includes('28,435'));
});

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compare } from '../src/compare/compare.ts';
import { escapeCell, renderMarkdown } from '../src/compare/render-markdown.ts';
import { parseRunLog } from '../src/runlog/read.ts';
import { markdownCells } from './fixtures/compare/markdown.ts';
import { synthLog } from './fixtures/compare/synth.ts';

const NASTY = ['execute_skill a|b `x` Bob', 'execute_all line1\nline2 | `y`', 'skills \\| *z* <b>'];

test('escapeCell escapes pipes, backticks, backslashes, emphasis, html and newlines', () => {
  assert.equal(escapeCell('a|b'), 'a\\|b');
  assert.equal(escapeCell('`x`'), '\\`x\\`');
  assert.equal(escapeCell('a\\|b'), 'a\\\\\\|b');
  assert.equal(escapeCell('l1\nl2\r\nl3'), 'l1<br>l2<br>l3');
  assert.equal(escapeCell('<b>*z*</b>'), '&lt;b&gt;\\*z\\*&lt;/b&gt;');
});

test('a cmd with |, backticks and newlines keeps every table column', () => {
  // Legacy-style logs: numbers as strings, the cmd text as the runner wrote it.
  const entries = NASTY.map((cmd, i) => ({ cmd, took: 1000 + i, rss_diff: 0 }));
  const a = parseRunLog(synthLog({ entries }), 'a_run.log');
  const b = parseRunLog(
    synthLog({ entries: entries.map((e) => ({ ...e, took: e.took * 2 })) }),
    'b_run.log',
  );
  const md = renderMarkdown(compare({ sides: [a, b] }));
  const tables = md.split('\n\n').filter((block) => block.startsWith('|'));
  assert.equal(tables.length, 2); // the legacy table and the verdicts
  for (const table of tables) {
    const rows = table.split('\n');
    const width = markdownCells(rows[0]!).length;
    for (const row of rows) {
      assert.ok(row.startsWith('|') && row.endsWith('|'), `row broken across lines: ${row}`);
      assert.equal(markdownCells(row).length, width, `columns of: ${row}`);
    }
  }
  const legacy = tables[0]!.split('\n');
  assert.deepEqual(
    legacy.slice(2, 5).map((r) => markdownCells(r)[0]),
    NASTY.map(escapeCell),
  );
  assert.deepEqual(markdownCells(legacy[3]!), [
    'execute_all line1<br>line2 \\| \\`y\\`',
    '1,001',
    '2,002',
    '200',
    '0',
    '0',
    '100',
  ]);
  const verdictRows = tables[1]!.split('\n').slice(2);
  // Each took doubled, by more than 250 ms (gross with one run): three entry regressions; the
  // total, diluted by stop, is under +100% and only noisy.
  assert.deepEqual(
    verdictRows.map((r) => markdownCells(r).slice(0, 3)),
    [
      ['regressed', `${escapeCell(NASTY[0]!)} (entry 1)`, 'took'],
      ['regressed', `${escapeCell(NASTY[1]!)} (entry 2)`, 'took'],
      ['regressed', `${escapeCell(NASTY[2]!)} (entry 3)`, 'took'],
      ['noisy', 'totals', 'total_took'],
    ],
  );
});

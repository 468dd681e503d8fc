// The markdown report: the legacy table and the verdicts as GFM tables
// through markdown-table. Cell text is escaped so a `|`, a backtick or a
// newline in a command (or a reason) never breaks a table's columns.
import { markdownTable } from 'markdown-table';
import type { Comparison } from './types.ts';
import {
  legacyTable,
  maxPeakLine,
  notableVerdicts,
  overallLine,
  runLine,
  slopeLines,
} from './table.ts';

/** Escapes text for one GFM table cell (and for inline text). */
export function escapeCell(text: string): string {
  return text
    .replace(/\\/g, '\\\\')
    .replace(/\|/g, '\\|')
    .replace(/`/g, '\\`')
    .replace(/\*/g, '\\*')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/\r?\n|\r/g, '<br>');
}

export function renderMarkdown(c: Comparison): string {
  const out: string[] = [];
  out.push(`### kernel-bench compare: ${escapeCell(c.script.filename)}`, '');
  out.push(`**verdict: ${overallLine(c)}**`, '');
  for (const r of c.runs) out.push(`- ${escapeCell(runLine(r))}`);
  out.push('');

  const t = legacyTable(c);
  const rows = t.rows.map((row, i) =>
    row.map((cell, j) => {
      const text = escapeCell(cell);
      return t.totals.includes(i) && j === 0 ? `**${text}**` : text;
    }),
  );
  out.push(markdownTable([t.header.map(escapeCell), ...rows], { align: t.align }), '');

  const peak = maxPeakLine(c);
  if (peak) out.push(`Maximum peak: ${escapeCell(peak)}`, '');
  const slopes = slopeLines(c);
  if (slopes.length) out.push(`Memory per skill: ${escapeCell(slopes.join('; '))}`, '');

  const notable = notableVerdicts(c);
  if (notable.length) {
    const vrows = notable.map(({ where, verdict }) =>
      [verdict.status, where, verdict.metric, verdict.side, verdict.reason].map(escapeCell),
    );
    out.push(markdownTable([['status', 'where', 'metric', 'side', 'reason'], ...vrows]), '');
  }
  if (c.notes.length) {
    out.push('Notes:', '');
    for (const note of c.notes) out.push(`- ${escapeCell(note)}`);
    out.push('');
  }
  return out.join('\n');
}

// The plain-text report: the legacy table (took and rss_diff per log with the
// percentage of a, total time, maximum rss) followed by totals and verdicts.
import type { Comparison } from './types.ts';
import {
  legacyTable,
  maxPeakLine,
  notableVerdicts,
  overallLine,
  runLine,
  slopeLines,
} from './table.ts';

export function renderText(c: Comparison): string {
  const out: string[] = [];
  out.push(`script ${c.script.filename} (hash ${c.script.hash})`);
  for (const r of c.runs) out.push(runLine(r));
  out.push('');

  const t = legacyTable(c);
  const widths = t.header.map((h, i) => Math.max(h.length, ...t.rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) =>
    cells
      .map((cell, i) => (t.align[i] === 'l' ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!)))
      .join('  ')
      .trimEnd();
  out.push(line(t.header));
  for (const row of t.rows) out.push(line(row));
  out.push('');

  const peak = maxPeakLine(c);
  if (peak) out.push(`maximum peak: ${peak}`);
  const slopes = slopeLines(c);
  if (slopes.length) out.push(`memory per skill: ${slopes.join('; ')}`);
  if (peak || slopes.length) out.push('');

  out.push(`verdict: ${overallLine(c)}`);
  for (const { where, verdict } of notableVerdicts(c)) {
    out.push(`  ${verdict.status.padEnd(9)} ${where}, ${verdict.side}: ${verdict.reason}`);
  }
  if (c.notes.length) {
    out.push('', 'notes:');
    for (const note of c.notes) out.push(`  - ${note}`);
  }
  return out.join('\n') + '\n';
}

// The legacy report's table, as cells: shared by the text and markdown
// renderers so both print the same figures. Built from the Comparison only.
import { formatMiB, formatNumber, formatPct, formatValue } from './format.ts';
import type { Comparison, Verdict } from './types.ts';

export interface Table {
  header: string[];
  /** `l` or `r` per column. */
  align: ('l' | 'r')[];
  rows: string[][];
  /** Indexes of the totals rows (rendered bold in markdown). */
  totals: number[];
}

/** Marks a value a side does not have because its run ended before the entry. */
export const MISSING = 'n/a';

/**
 * Columns: cmd, then for took and for rss_diff: a's value, and for each later
 * side its value and its percentage of a. Rows: every entry (stop last),
 * total time (ms), maximum rss (KB), as in the legacy README table.
 */
export function legacyTable(c: Comparison): Table {
  const labels = c.runs.map((r) => r.label);
  const header = ['cmd'];
  for (const metric of ['took', 'rss_diff'] as const) {
    labels.forEach((l, i) => {
      header.push(`${l} ${metric}`);
      if (i > 0) header.push(`${l} %`);
    });
  }
  const rows: string[][] = [];
  for (const e of c.entries) {
    const row = [e.cmd];
    for (const metric of ['took', 'rss_diff'] as const) {
      e.sides.forEach((s, i) => {
        row.push(s.present ? formatValue(s.values[metric]) : MISSING);
        if (i > 0) row.push(s.present && e.sides[0]!.present ? formatPct(s.pct[metric]) : MISSING);
      });
    }
    rows.push(row);
  }
  const blank = labels.map((_, i) => (i > 0 ? ['', ''] : [''])).flat();
  const ts = c.totals.sides;
  // A run without stop has a partial total: its percentage is not judged (see the notes).
  const partial = (i: number) => c.runs[0]!.incomplete || c.runs[i]!.incomplete;
  const took = ts.flatMap((t, i) =>
    i > 0
      ? [formatValue(t.took), partial(i) ? MISSING : formatPct(t.pct.took)]
      : [formatValue(t.took)],
  );
  const rss = ts.flatMap((t, i) =>
    i > 0 ? [formatValue(t.maxRss), formatPct(t.pct.maxRss)] : [formatValue(t.maxRss)],
  );
  rows.push(['total time (ms)', ...took, ...blank]);
  rows.push(['maximum rss (KB)', ...blank, ...rss]);
  return {
    header,
    align: header.map((_, i) => (i === 0 ? 'l' : 'r')),
    rows,
    totals: [rows.length - 2, rows.length - 1],
  };
}

/** `b ≈146 MiB per py skill`, one string per side and kind; empty when no slope. */
export function slopeLines(c: Comparison): string[] {
  return c.totals.sides.flatMap((t) =>
    t.slopes
      .filter((s) => s.kibPerSkill !== null)
      .map((s) => `${t.label} ≈${formatMiB(s.kibPerSkill!)} per ${s.kind} skill`),
  );
}

/** `a 1,537,472 KiB, b 1,488,328 KiB`, or null when no side has peaks. */
export function maxPeakLine(c: Comparison): string | null {
  const ts = c.totals.sides.filter((t) => t.maxPeak !== null);
  if (!ts.length) return null;
  return ts.map((t) => `${t.label} ${formatNumber(t.maxPeak!)} KiB`).join(', ');
}

/** Where a verdict belongs, for lists: the entry's cmd and number, or `totals`. */
export interface PlacedVerdict {
  where: string;
  verdict: Verdict;
}

/** Every verdict that is not `unchanged`, regressions first, in entry order. */
export function notableVerdicts(c: Comparison): PlacedVerdict[] {
  const all: PlacedVerdict[] = [
    ...c.entries.flatMap((e) =>
      e.verdicts.map((verdict) => ({ where: `${e.cmd} (entry ${e.index + 1})`, verdict })),
    ),
    ...c.totals.verdicts.map((verdict) => ({ where: 'totals', verdict })),
  ];
  const order = { regressed: 0, noisy: 1, improved: 2, unchanged: 3 } as const;
  return all
    .filter((p) => p.verdict.status !== 'unchanged')
    .sort((x, y) => order[x.verdict.status] - order[y.verdict.status]);
}

/** `regressed (2 regressed, 0 noisy, 4 improved, 14 unchanged)`. */
export function overallLine(c: Comparison): string {
  const k = c.overall.counts;
  return (
    `${c.overall.status} (${k.regressed} regressed, ${k.noisy} noisy, ` +
    `${k.improved} improved, ${k.unchanged} unchanged)`
  );
}

/** `a: path (Apple M3 Pro, darwin-arm64), kernel 753c4e8a, 1 run`. */
export function runLine(r: Comparison['runs'][number]): string {
  const flags = [
    r.source === 'baseline' ? 'baseline' : '',
    r.truncated ? 'truncated' : '',
    r.incomplete ? 'incomplete' : '',
    r.failed ? 'failed' : '',
  ].filter(Boolean);
  const paths =
    r.paths.length > 3 ? `${r.paths[0]} and ${r.paths.length - 1} more` : r.paths.join(', ');
  return (
    `${r.label}: ${paths} (${r.machine.brand ?? 'unknown machine'}, ${r.machine.platform}), ` +
    `kernel ${r.kernel.hash?.slice(0, 12) ?? 'unknown'}${r.kernel.commit ? ` (commit ${r.kernel.commit.slice(0, 12)})` : ''}, ` +
    `${r.runs} run${r.runs === 1 ? '' : 's'}${flags.length ? ` [${flags.join(', ')}]` : ''}`
  );
}

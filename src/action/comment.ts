// Renders the one pull request comment (and report mode's job summary) from
// the legs' results: a headline verdict, per script a table with a column
// group per leg, collapsed details per entry, and a mermaid chart of rss
// across the commands per leg. Pure: results in, markdown out.
import { markdownTable } from 'markdown-table';
import type { Comparison, EntryComparison, EntrySide, Status, Verdict } from '../compare/types.ts';
import { worstVerdict, type LegResult, type LegVerdict, type ScriptResult } from './result.ts';

/** Hidden marker that identifies the sticky comment. */
export const COMMENT_MARKER = '<!-- kernel-bench:comment -->';
/** GitHub refuses comment bodies of 65,536 characters or more. */
export const COMMENT_LIMIT = 65_536;
// Room for the cut notice and a safety margin below the hard limit.
const BUDGET = COMMENT_LIMIT - 2_000;

const ICON: Record<LegVerdict, string> = {
  failed: '💥',
  regressed: '🔴',
  noisy: '🟡',
  improved: '🟢',
  'no-baseline': '⚪',
  unchanged: '✅',
};

export interface CommentOptions {
  /** Extra marker text, e.g. the workflow name, so two workflows keep two comments. */
  key?: string;
  /** Include the hidden marker (the comment) or not (the job summary). */
  marker?: boolean;
  /** Character budget; default just under GitHub's limit. */
  budget?: number;
}

export function markerFor(key?: string): string {
  return key
    ? `${COMMENT_MARKER}\n<!-- kernel-bench:key=${key.replace(/--/g, '-')} -->`
    : COMMENT_MARKER;
}

/** The comment body, cut to fit the budget when needed (the cut is stated). */
export function renderComment(legs: LegResult[], options: CommentOptions = {}): string {
  const budget = options.budget ?? BUDGET;
  const head = renderHead(legs, options);
  const scripts = scriptNames(legs);
  const full = head + scripts.map((s) => renderScript(legs, s, Infinity, true)).join('');
  if (full.length <= budget) return full;

  // Too long: drop the per-entry details and charts, then show fewer rows.
  const totalRows = scripts.reduce((n, s) => n + rowCount(legs, s), 0);
  let maxRows = Math.max(0, ...scripts.map((s) => rowCount(legs, s)));
  for (;;) {
    const shown = scripts.reduce((n, s) => n + Math.min(rowCount(legs, s), maxRows), 0);
    const body =
      head +
      cutNote(legs, totalRows - shown, totalRows) +
      scripts.map((s) => renderScript(legs, s, maxRows, false)).join('');
    if (body.length <= budget || maxRows === 0) return body;
    maxRows = Math.floor(maxRows * 0.7);
  }
}

function cutNote(legs: LegResult[], cut: number, total: number): string {
  const artifacts = legs.flatMap((l) => l.artifacts);
  const where = artifacts.length
    ? `the artifact${artifacts.length > 1 ? 's' : ''} ${artifacts.map((a) => `\`${a}\``).join(', ')}`
    : 'the legs\u2019 artifacts';
  return (
    `> [!NOTE]\n> Cut to fit GitHub's comment limit: ${cut} of ${total} table rows, the ` +
    `per-command details and the charts are not shown. The full results are in ${where} ` +
    `(\`kernel-bench-result.json\` and the run logs) and in the job summary.\n\n`
  );
}

function renderHead(legs: LegResult[], options: CommentOptions): string {
  const verdict = worstVerdict(legs.map((l) => l.verdict));
  const regressions = legs.reduce((n, l) => n + l.regressions, 0);
  const sha = legs.find((l) => l.event.headSha)?.event.headSha ?? legs[0]?.event.sha ?? '';
  const lines = [
    ...(options.marker === false ? [] : [markerFor(options.key)]),
    `## ${ICON[verdict]} kernel-bench: ${verdict}` +
      (regressions ? ` (${regressions} regression${regressions > 1 ? 's' : ''})` : ''),
    '',
    `Legs: ${legs.map((l) => `${ICON[l.verdict]} \`${l.leg.key}\` (${l.verdict})`).join(', ')}` +
      (sha ? ` · commit ${sha.slice(0, 7)}` : ''),
    '',
  ];
  for (const leg of legs) {
    const reasons = leg.scripts.flatMap((s) => s.regressions.map((r) => `${s.name}: ${r}`));
    if (reasons.length === 0) continue;
    lines.push(`<details><summary>${leg.leg.key}: ${reasons.length} regression(s)</summary>`, '');
    lines.push(...reasons.slice(0, 20).map((r) => `- ${escapeInline(r)}`));
    if (reasons.length > 20) lines.push(`- … and ${reasons.length - 20} more`);
    lines.push('', '</details>', '');
  }
  for (const leg of legs) {
    for (const s of leg.scripts) {
      if (!s.baseRef) continue;
      lines.push(
        `${leg.leg.key}, \`${s.script}\`: compared with ${code(s.baseRef.ref)} ` +
          `(${s.baseRef.sha.slice(0, 7)}) in the same job, ${s.baseRef.rounds} rounds interleaved ` +
          `(base and this commit alternating, a fresh kernel each run), not with a stored baseline.`,
        '',
      );
    }
  }
  if (legs.some((l) => l.scripts.some((s) => !s.baseline && !s.baseRef))) {
    lines.push(
      '⚪ Some legs had no baseline yet: figures are shown without deltas. ' +
        'Baselines are saved on pushes to the default branch.',
      '',
    );
  }
  return lines.join('\n') + '\n';
}

function scriptNames(legs: LegResult[]): string[] {
  const names = new Set<string>();
  for (const leg of legs) for (const s of leg.scripts) names.add(s.script);
  return [...names].sort();
}

function scriptOf(leg: LegResult, script: string): ScriptResult | undefined {
  return leg.scripts.find((s) => s.script === script);
}

function rowCount(legs: LegResult[], script: string): number {
  return Math.max(0, ...legs.map((l) => scriptOf(l, script)?.comparison?.entries.length ?? 0));
}

/** The leg's own runs: the last side of its comparison. */
function current(c: Comparison, e: EntryComparison): EntrySide | undefined {
  return e.sides[c.runs.length - 1];
}

/**
 * Side `a` is a reference when it is a baseline or the base-ref's runs;
 * otherwise `a` is the runs themselves (see compare-leg.ts).
 */
function referenced(s: ScriptResult): boolean {
  return s.baseRef !== undefined || s.comparison?.runs[0]?.source === 'baseline';
}

function baselineSide(s: ScriptResult, e: EntryComparison): EntrySide | undefined {
  return referenced(s) ? e.sides[0] : undefined;
}

/** Verdicts only mean something against a reference. */
function verdictsOf(s: ScriptResult, e: EntryComparison): Verdict[] {
  return referenced(s) ? e.verdicts : [];
}

function renderScript(
  legs: LegResult[],
  script: string,
  maxRows: number,
  details: boolean,
): string {
  const present = legs.filter((l) => scriptOf(l, script));
  const out: string[] = [`### \`${script}\``, ''];
  for (const leg of present) {
    const s = scriptOf(leg, script)!;
    if (s.verdict === 'failed') {
      const reason = s.runs.find((r) => r.reason)?.reason ?? 'the run failed';
      out.push(`💥 **${leg.leg.key}**: ${escapeInline(reason)}`, '');
    }
  }
  const n = rowCount(legs, script);
  const header = ['#', 'command'];
  for (const leg of present) {
    header.push(`${leg.leg.key} took (ms)`, 'Δ', 'rss (MiB)', 'Δ rss_diff');
  }
  const rows: string[][] = [header];
  for (let i = 0; i < Math.min(n, maxRows); i++) {
    const first = present.map((l) => scriptOf(l, script)!.comparison?.entries[i]).find(Boolean);
    const row = [first?.line != null ? String(first.line) : first?.stop ? '' : String(i + 1)];
    row.push(first ? code(first.cmd) : '');
    for (const leg of present) row.push(...legCells(scriptOf(leg, script)!, i));
    rows.push(row);
  }
  if (n > 0) {
    out.push(
      markdownTable(rows, {
        align: ['r', 'l', ...present.flatMap(() => ['r', 'r', 'r', 'r'])],
        // Unpadded cells: a long table costs far fewer characters of the comment limit.
        alignDelimiters: false,
      }),
    );
  }
  if (n > maxRows) out.push('', `_${n - maxRows} more rows not shown (see the note above)._`);
  out.push('');
  // The comparison's own notes (different setups, no noise estimate, truncated
  // logs) say how far the verdicts can be trusted.
  for (const leg of present) {
    const s = scriptOf(leg, script)!;
    const notes = referenced(s) ? (s.comparison?.notes ?? []) : [];
    if (notes.length > 0) {
      out.push(`<sub>${leg.leg.key}: ${notes.map(escapeInline).join('; ')}</sub>`, '');
    }
  }
  if (details) out.push(...renderDetails(present, script), ...renderCharts(present, script));
  return out.join('\n') + '\n';
}

function legCells(s: ScriptResult, i: number): string[] {
  const c = s.comparison;
  const e = c?.entries[i];
  if (!c || !e) return ['', '', '', ''];
  const cur = current(c, e);
  const base = baselineSide(s, e);
  if (!cur?.present) return ['—', '', '—', ''];
  const took = cur.values.took;
  const rss = cur.values.rss;
  return [
    fmtInt(took),
    delta(verdictsOf(s, e), 'took', base?.values.took ?? null, took, 'ms'),
    rss == null ? '—' : (rss / 1024).toFixed(1),
    delta(verdictsOf(s, e), 'rss_diff', base?.values.rss_diff ?? null, cur.values.rss_diff, 'KiB'),
  ];
}

/** `+12%` with the verdict's icon, from the verdict when there is one; `+432 KiB` when a is 0. */
function delta(
  verdicts: Verdict[],
  metric: string,
  a: number | null,
  b: number | null,
  unit: string,
): string {
  const v = verdicts.find((x) => x.metric === metric);
  const icon = v && v.status !== 'unchanged' ? ` ${ICON[v.status]}` : '';
  const pct = v
    ? v.change.pct
    : a != null && b != null && a !== 0
      ? ((b - a) / Math.abs(a)) * 100
      : null;
  if (pct == null) return a == null ? '' : v ? `${signed(v.change.abs)} ${unit}${icon}` : '';
  return `${pct >= 0 ? '+' : ''}${pct.toFixed(0)}%${icon}`;
}

function renderDetails(legs: LegResult[], script: string): string[] {
  const n = rowCount(legs, script);
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    const perLeg = legs.map((leg) => {
      const s = scriptOf(leg, script)!;
      return { leg, s, c: s.comparison, e: s.comparison?.entries[i] };
    });
    const first = perLeg.find((p) => p.e)?.e;
    if (!first) continue;
    const statuses = perLeg.flatMap((p) => (p.e ? verdictsOf(p.s, p.e) : []).map((v) => v.status));
    // No verdicts at all (no baseline anywhere): no icon rather than a false ✅.
    const icon = statuses.length ? `${ICON[worstVerdict(statuses as Status[])]} ` : '';
    out.push(
      `<details><summary>${icon}${first.stop ? 'stop' : `line ${first.line ?? i + 1}`}: ` +
        `${htmlCode(first.cmd)}</summary>`,
      '',
    );
    for (const { leg, s, c, e } of perLeg) {
      if (!c || !e) continue;
      const cur = current(c, e);
      const facts = cur
        ? [
            `took ${fmtInt(cur.values.took)} ms`,
            `rss ${fmtKib(cur.values.rss)}`,
            `rss_diff ${fmtKib(cur.values.rss_diff)}`,
            cur.values.peak_rss != null ? `peak ${fmtKib(cur.values.peak_rss)}` : '',
            cur.values.p95 != null ? `p95 ${fmtInt(cur.values.p95)} ms` : '',
            cur.values.errors ? `${cur.values.errors} errors` : '',
          ].filter(Boolean)
        : [];
      out.push(`- **${leg.leg.key}**: ${facts.join(', ')}`);
      for (const v of verdictsOf(s, e)) {
        if (v.status !== 'unchanged') out.push(`  - ${ICON[v.status]} ${escapeInline(v.reason)}`);
      }
      for (const f of cur?.failures ?? []) out.push(`  - 💥 ${escapeInline(f)}`);
    }
    out.push('', '</details>', '');
  }
  return out;
}

function renderCharts(legs: LegResult[], script: string): string[] {
  const out: string[] = [];
  for (const leg of legs) {
    const c = scriptOf(leg, script)!.comparison;
    if (!c) continue;
    const points = c.entries
      .filter((e) => !e.stop)
      .map((e) => current(c, e)?.values.rss)
      .map((v) => (v == null ? 0 : Math.round((v / 1024) * 10) / 10));
    if (points.length < 2) continue;
    out.push(
      '```mermaid',
      'xychart-beta',
      `  title "rss after each command, ${leg.leg.key} (MiB)"`,
      `  x-axis "command" 1 --> ${points.length}`,
      '  y-axis "MiB"',
      `  line [${points.join(', ')}]`,
      '```',
      '',
    );
  }
  return out;
}

/** A table cell's code span: a fence longer than any backtick run inside, pipes escaped for GFM tables. */
export function code(text: string): string {
  const longest = Math.max(0, ...(text.match(/`+/g) ?? []).map((r) => r.length));
  const fence = '`'.repeat(longest + 1);
  const pad = text.startsWith('`') || text.endsWith('`') ? ' ' : '';
  return `${fence}${pad}${text.replace(/\|/g, '\\|')}${pad}${fence}`;
}

/** Inside HTML (`<summary>`), markdown does not apply: escape as HTML. */
function htmlCode(text: string): string {
  return `<code>${text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')}</code>`;
}

/** Text from logs in a list item: no raw HTML, no accidental mentions. */
function escapeInline(text: string): string {
  return text
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/@/g, '@\u200b')
    .replace(/\r?\n/g, ' ');
}

function fmtInt(v: number | null | undefined): string {
  return v == null ? '—' : Math.round(v).toLocaleString('en-US');
}

function fmtKib(v: number | null | undefined): string {
  if (v == null) return '—';
  return Math.abs(v) >= 1024 ? `${(v / 1024).toFixed(1)} MiB` : `${Math.round(v)} KiB`;
}

function signed(v: number): string {
  return `${v >= 0 ? '+' : ''}${Math.round(v).toLocaleString('en-US')}`;
}

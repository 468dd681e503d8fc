// The report printed at the end of `kernel-bench run`: this run's figures per
// command, then the comparison with the stored baseline when there is one.
import { markdownTable } from 'markdown-table';
import { findBaseline, platformOf } from '../compare/baseline.ts';
import { compare } from '../compare/compare.ts';
import { renderText } from '../compare/render-text.ts';
import { InputError } from '../errors.ts';
import type { Entry, RunLog } from '../runlog/types.ts';
import { formatNumber } from '../compare/format.ts';

/** One row per entry of one run, aligned for a terminal. */
export function renderRunTable(log: RunLog): string {
  const entries: Entry[] = log.stop ? [...log.entries, log.stop] : log.entries;
  const rows = entries.map((e) => [
    e.cmd,
    formatNumber(e.took),
    formatNumber(e.rss),
    (e.rss_diff >= 0 ? '+' : '') + formatNumber(e.rss_diff),
    e.peak_rss == null ? '' : formatNumber(e.peak_rss),
    e.cpu_ms == null ? '' : formatNumber(e.cpu_ms),
    e.requests ? `${e.requests.ok}/${e.requests.count}` : '',
    e.requests && e.requests.count > 1 ? String(e.requests.latency.p95) : '',
    e.failed ? 'FAILED' : e.killed ? 'killed' : '',
  ]);
  return markdownTable(
    [
      ['cmd', 'took ms', 'rss KiB', 'rss_diff', 'peak KiB', 'cpu ms', 'ok', 'p95 ms', 'status'],
      ...rows,
    ],
    { align: ['l', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'l'] },
  );
}

/**
 * The comparison of `logs` (runs of one script on this machine) with the
 * baseline under `baselineDir`, or a line saying there is none yet.
 */
export async function baselineReport(logs: RunLog[], baselineDir: string): Promise<string> {
  const first = logs[0]!;
  const [os, arch] = platformOf(first.machine, first.binary.bin).split('-') as [string, string];
  let found;
  try {
    found = await findBaseline(baselineDir, os, arch, first.script.filename, first.script.hash);
  } catch (error) {
    // A baseline of an older version of the script is no reason to fail a run.
    if (error instanceof InputError) return `baseline not used: ${error.message}`;
    throw error;
  }
  if (found.baseline === null) {
    return (
      `${found.message} (looked for ${found.path}); save one with: ` +
      `kernel-bench baseline save ${logs.map((l) => l.path).join(' ')} --out ${baselineDir}`
    );
  }
  const comparison = compare({ sides: [found, { logs }] });
  return `compared with the baseline ${found.path}:\n\n${renderText(comparison)}`;
}

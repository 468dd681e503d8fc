// Peak accuracy: one command whose requests hold 200 MiB in total at once and
// free it before the command ends; `peak_rss` minus the rss before the
// command must be within ±5% of 200 MiB (Linux: the kernel's high-water mark).
import { fmt, run, runIfMain, script, type BenchResult } from './lib.ts';

const REQUESTS = 20;
const KIB_EACH = 10 * 1024;
const TOTAL_KIB = REQUESTS * KIB_EACH;

export async function peak(): Promise<BenchResult> {
  // One skill, 20 requests at once, each holding 10 MiB for 300 ms: all 20
  // hold their memory at the same time; the emulator frees it when the last ends.
  const path = await script('peak', ['add_py', `p_execute_all P ${KIB_EACH} 300 ${REQUESTS}`]);
  const result = await run(path);
  const e = result.log.entries[1]!;
  const before = e.rss - e.rss_diff;
  const rise = (e.peak_rss ?? 0) - before;
  const errPct = ((rise - TOTAL_KIB) / TOTAL_KIB) * 100;
  return {
    name: 'peak accuracy',
    what: '`peak_rss` − rss before, for 20 × 10 MiB held at once and freed',
    figure: `${fmt(rise / 1024)} MiB (${errPct >= 0 ? '+' : ''}${fmt(errPct)}% of 200 MiB)`,
    target: '200 MiB ± 5% (Linux)',
    ok: process.platform === 'linux' && Math.abs(errPct) <= 5,
    details: [
      `rss before ${fmt(before)} KiB, peak ${fmt(e.peak_rss ?? 0)} KiB (${e.peak_source}), ` +
        `rss after ${fmt(e.rss)} KiB, took ${e.took} ms`,
    ],
  };
}

await runIfMain(import.meta.url, peak);

// A/A false alarms and A/B detection on `cmds/bench.cmds`, in two modes:
// - separate: runs made one after another (as a CI baseline and a later pull
//   request), compared with compare() and the default thresholds;
// - ab: the interleaved pair of `kernel-bench ab` (runAb), base and candidate
//   alternating, a fresh kernel each round.
// Trials: 20 per row. With one run per side (A/A, memory) trial i is round i.
// Slower loads need several runs per side (one run gives no noise estimate):
// trial i is rounds i..i+4 (5 runs per side) of one session of 24 rounds, so
// neighbouring trials share runs (a sliding window, stated in BENCHMARKS.md).
// Why 5: a user judging a small timing change is advised to run 5 iterations.
// The emulator makes each load take KB_EMU_LOAD_MS in all (its reading,
// compiling and memory fill count toward it), so 300 → 345 ms is a 15% slower
// load; the first execution adds about 10 ms of request and execution time,
// so it shows as +14-15%. (When the knob was a delay on top of 50-100 ms of
// real work, +15% showed as +12-13% and the separate-runs row missed: 17/20.)
import { join } from 'node:path';
import { runAb } from '../src/ab/ab.ts';
import { compare } from '../src/compare/compare.ts';
import type { Comparison, VerdictMetric } from '../src/compare/types.ts';
import type { RunLog } from '../src/runlog/types.ts';
import { repoRoot } from '../src/emulator/locate.ts';
import { run, runIfMain, tempDir, UPDATE_INTERVAL, type BenchResult } from './lib.ts';

const SCRIPT = join(repoRoot(), 'cmds', 'bench.cmds');
const TRIALS = 20;
/** Runs per side for A/A in ab mode (the ab default). */
const WINDOW = 3;
/** Runs per side for the slower-loads case (see above). */
const LOAD_WINDOW = 5;
/** Emulator: 10% more memory per skill (default factor 24 × .wasm size). */
const MORE_MEMORY = { KB_EMU_SKILL_MEMORY_FACTOR: '26.4' };
/** Loads of 300 ms in all (as the real kernel, where compiling dominates a first execution) and 15% slower. */
const LOAD = { KB_EMU_LOAD_MS: '300' };
const SLOWER_LOAD = { KB_EMU_LOAD_MS: '345' };
const MEMORY_METRICS: VerdictMetric[] = ['rss_diff', 'peak_rss', 'max_rss', 'max_peak', 'slope'];
const LOAD_METRICS: VerdictMetric[] = ['first_exec'];

type Mode = 'separate' | 'ab';

function regressedMetrics(c: Comparison): VerdictMetric[] {
  return [...c.entries.flatMap((e) => e.verdicts), ...c.totals.verdicts].flatMap((v) =>
    v.status === 'regressed' ? [v.metric] : [],
  );
}

/** Trial comparisons: window `w` over the two sessions' logs, TRIALS of them. */
function trials(base: RunLog[], cand: RunLog[], w: number): Comparison[] {
  return Array.from({ length: TRIALS }, (_, i) =>
    compare({
      sides: [{ logs: base.slice(i, i + w) }, { logs: cand.slice(i, i + w) }],
    }),
  );
}

async function session(
  mode: Mode,
  baseEnv: Record<string, string>,
  candEnv: Record<string, string>,
  rounds: number,
): Promise<{ base: RunLog[]; cand: RunLog[] }> {
  if (mode === 'ab') {
    const res = await runAb({
      scriptPath: SCRIPT,
      base: { env: baseEnv },
      candidate: { env: candEnv },
      rounds,
      outDir: await tempDir(),
      run: { updateInterval: UPDATE_INTERVAL, progress: 'none', log: () => {} },
    });
    if (res.outcome !== 'complete') throw new Error(`ab session failed: ${res.reason}`);
    return { base: res.base.map((r) => r.log), cand: res.candidate.map((r) => r.log) };
  }
  const base: RunLog[] = [];
  const cand: RunLog[] = [];
  for (let i = 0; i < rounds; i++) base.push((await run(SCRIPT, baseEnv)).log);
  for (let i = 0; i < rounds; i++) cand.push((await run(SCRIPT, candEnv)).log);
  return { base, cand };
}

/** Progress on stderr: a full run takes minutes. */
function note(result: BenchResult): BenchResult {
  process.stderr.write(
    `${result.ok ? 'PASS' : 'MISS'} ${result.name}: ${result.figure}; ${result.details.join('; ')}\n`,
  );
  return result;
}

function describe(metrics: VerdictMetric[][]): string {
  const counts = new Map<string, number>();
  for (const m of metrics.flat()) counts.set(m, (counts.get(m) ?? 0) + 1);
  return [...counts].map(([m, n]) => `${m} ×${n}`).join(', ') || 'none';
}

export async function detection(mode: Mode): Promise<BenchResult[]> {
  const label = mode === 'ab' ? 'ab (interleaved)' : 'separate runs';
  const results: BenchResult[] = [];

  // A/A: one run per side in separate mode (as CI with iterations 1), the
  // default 3-round window in ab mode (where timing is judged too).
  const aaWindow = mode === 'ab' ? WINDOW : 1;
  const aa = await session(mode, {}, {}, TRIALS + aaWindow - 1);
  const aaTrials = trials(aa.base, aa.cand, aaWindow).map(regressedMetrics);
  const falseAlarms = aaTrials.filter((m) => m.length > 0).length;
  results.push(
    note({
      name: `A/A false alarms, ${label}`,
      what: `${TRIALS} pairs of cmds/bench.cmds on one emulator, ${aaWindow} run(s) per side`,
      figure: `${falseAlarms} of ${TRIALS} with a regression`,
      target: '0 regression verdicts',
      ok: falseAlarms === 0,
      details: [`A/A ${label}: regressed metrics over all trials: ${describe(aaTrials)}`],
    }),
  );

  // Memory: 10% more per skill, one run per side (memory needs no noise estimate).
  const mem = await session(mode, {}, MORE_MEMORY, TRIALS);
  const memTrials = trials(mem.base, mem.cand, 1).map(regressedMetrics);
  const memFlagged = memTrials.filter((m) => m.some((x) => MEMORY_METRICS.includes(x))).length;
  const memOther = memTrials.filter((m) => m.some((x) => !MEMORY_METRICS.includes(x))).length;
  results.push(
    note({
      name: `A/B +10% memory per skill, ${label}`,
      what: `KB_EMU_SKILL_MEMORY_FACTOR 24 → 26.4, 1 run per side`,
      figure: `${memFlagged} of ${TRIALS} flagged on memory`,
      target: '≥ 19 of 20, right metric',
      ok: memFlagged >= 19,
      details: [
        `memory ${label}: regressed metrics: ${describe(memTrials)}; trials with a non-memory regression: ${memOther}`,
      ],
    }),
  );

  // Loads 15% slower: timing, so 5 runs per side and the t-test.
  const load = await session(mode, LOAD, SLOWER_LOAD, TRIALS + LOAD_WINDOW - 1);
  const loadTrials = trials(load.base, load.cand, LOAD_WINDOW).map(regressedMetrics);
  const loadFlagged = loadTrials.filter((m) => m.some((x) => LOAD_METRICS.includes(x))).length;
  results.push(
    note({
      name: `A/B 15% slower loads, ${label}`,
      what: `KB_EMU_LOAD_MS 300 → 345, ${LOAD_WINDOW} runs per side`,
      figure: `${loadFlagged} of ${TRIALS} flagged on first_exec`,
      target: '≥ 19 of 20, right metric',
      ok: loadFlagged >= 19,
      details: [`loads ${label}: regressed metrics: ${describe(loadTrials)}`],
    }),
  );
  return results;
}

await runIfMain(import.meta.url, async () => [
  ...(await detection('separate')),
  ...(await detection('ab')),
]);

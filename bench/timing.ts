// Timing accuracy: `execute_skill sample_py1 A 0 500` 20 times; each entry's
// `took` must lie between 500 and 520 ms (the skill sleeps exactly 500 ms).
import { fmt, run, runIfMain, script, type BenchResult } from './lib.ts';

const N = 20;

export async function timing(): Promise<BenchResult> {
  const path = await script('timing', [
    'add_py',
    ...Array(N).fill('execute_skill sample_py1 A 0 500'),
  ]);
  const result = await run(path);
  const took = result.log.entries.slice(1).map((e) => e.took);
  const inside = took.filter((t) => t >= 500 && t <= 520).length;
  return {
    name: 'timing accuracy',
    what: '`took` of `execute_skill sample_py1 A 0 500` within 500-520 ms',
    figure: `${inside} of ${N} (took ${fmt(Math.min(...took))}-${fmt(Math.max(...took))} ms)`,
    target: `500-520 ms in ${N} of ${N}`,
    ok: inside === N,
    details: [`took (ms): ${took.join(', ')}`],
  };
}

await runIfMain(import.meta.url, timing);

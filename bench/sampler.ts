// Sampler cost: the harness's own CPU time while the kernel idles for 10 s at
// the default sampling rate. Two runs of the same script, one with a 10 s idle
// execution and one with none; the difference in this process's CPU time,
// divided by 10 s, is what watching an idle kernel costs.
import { fmt, run, runIfMain, script, type BenchResult } from './lib.ts';

const IDLE_MS = 10_000;

async function cpuOf(wait: number): Promise<number> {
  const path = await script(`idle${wait}`, ['add_py', `execute_skill sample_py1 Idle 0 ${wait}`]);
  const start = process.cpuUsage();
  await run(path);
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1000;
}

export async function sampler(): Promise<BenchResult> {
  await cpuOf(0); // warm-up: module loading and JIT are not the sampler's cost
  const idle = await cpuOf(IDLE_MS);
  const none = await cpuOf(0);
  const pct = ((idle - none) / IDLE_MS) * 100;
  return {
    name: 'sampler cost',
    what: 'harness CPU during a 10 s idle command, default sampling (100 ms)',
    figure: `${fmt(pct, 2)}% of one core`,
    target: '≤ 1% of one core',
    ok: pct <= 1,
    details: [`harness CPU: ${fmt(idle)} ms with the 10 s idle command, ${fmt(none)} ms without`],
  };
}

await runIfMain(import.meta.url, sampler);

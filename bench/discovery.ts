// Discovery overhead: `add_py` against the emulated kernel with a known update
// interval (10 ms) and load time (200 ms). The harness's overhead is `took`
// minus the emulator's own time: the wait until the rescan that lists the new
// skill, and the skill's load. The emulator's trace log gives every rescan;
// the file was copied between the last rescan without the skill and the first
// with it, so the wait is taken as half that gap (error at most ±5 ms here).
import { readFile } from 'node:fs/promises';
import { fmt, median, run, runIfMain, script, type BenchResult } from './lib.ts';

const DEPLOYS = 20;
const INTERVAL = '10ms';
const LOAD_MS = 200;

interface PkLine {
  ms: number;
  text: string;
}

export async function discovery(): Promise<BenchResult> {
  const path = await script('discovery', Array(DEPLOYS).fill('add_py'));
  const result = await run(
    path,
    { KB_EMU_LOAD_MS: String(LOAD_MS) },
    { updateInterval: INTERVAL, logLevel: 'trace' },
  );
  const lines: PkLine[] = (await readFile(result.pkLogPath, 'utf8')).split('\n').flatMap((l) => {
    const m = /^\s*(\d+(?:\.\d+)?) out (.*)$/.exec(l);
    return m ? [{ ms: Number(m[1]), text: m[2]! }] : [];
  });
  const rescans = lines.flatMap((l) => {
    const m = /Rescanned .*: (\d+) skills/.exec(l.text);
    return m ? [{ ms: l.ms, count: Number(m[1]) }] : [];
  });
  const overheads: number[] = [];
  const waits: number[] = [];
  const loads: number[] = [];
  for (const [i, entry] of result.log.entries.entries()) {
    const n = i + 1;
    const firstWith = rescans.find((r) => r.count >= n);
    const lastWithout = [...rescans]
      .reverse()
      .find((r) => r.count < n && r.ms < (firstWith?.ms ?? 0));
    const loaded = lines.find((l) => l.text.includes(`Loaded dev/sample_py${n} `));
    const loadMs = Number(/ in (\d+) ms/.exec(loaded?.text ?? '')?.[1]);
    if (!firstWith || !lastWithout || !Number.isFinite(loadMs)) {
      throw new Error(`discovery: no rescan or load line for sample_py${n} in ${result.pkLogPath}`);
    }
    const wait = (firstWith.ms - lastWithout.ms) / 2;
    waits.push(wait);
    loads.push(loadMs);
    overheads.push(entry.took - wait - loadMs);
  }
  const med = median(overheads);
  return {
    name: 'discovery overhead',
    what: '`add_py` took − (rescan wait + load), median of 20',
    figure: `${fmt(med)} ms median`,
    target: '≤ 30 ms median',
    ok: med <= 30,
    details: [
      `update interval ${INTERVAL}, KB_EMU_LOAD_MS=${LOAD_MS}, ${DEPLOYS} deploys`,
      `overhead (ms): ${overheads.map((o) => fmt(o, 0)).join(', ')}`,
      `took (ms): ${result.log.entries.map((e) => e.took).join(', ')}; load (ms) median ${median(loads)}; rescan wait (ms) median ${fmt(median(waits))}`,
    ],
  };
}

await runIfMain(import.meta.url, discovery);

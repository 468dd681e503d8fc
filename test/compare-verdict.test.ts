import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compare } from '../src/compare/compare.ts';
import { renderText } from '../src/compare/render-text.ts';
import { deployOf } from '../src/compare/rows.ts';
import { parseThresholds, THRESHOLDS } from '../src/compare/thresholds.ts';
import type { Comparison, Verdict } from '../src/compare/types.ts';
import { judge, welchPValue } from '../src/compare/verdict.ts';
import { InputError } from '../src/errors.ts';
import { parseRunLog } from '../src/runlog/read.ts';
import type { RunLog } from '../src/runlog/types.ts';
import {
  benchEntries,
  synthLog,
  synthSettings,
  type SynthEntry,
  type SynthLog,
} from './fixtures/compare/synth.ts';

let n = 0;
function log(s: SynthLog): RunLog {
  return parseRunLog(synthLog(s), `run${++n}_run.log`);
}

function verdict(c: Comparison, cmd: string, metric: string, side = 'b'): Verdict | undefined {
  const entry = c.entries.find((e) => e.cmd === cmd);
  assert.ok(entry, `no entry ${cmd}`);
  return entry.verdicts.find((v) => v.metric === metric && v.side === side);
}

/** Same entries with took replaced on one command. */
function withTook(entries: SynthEntry[], cmd: string, took: number): SynthEntry[] {
  return entries.map((e) => (e.cmd === cmd ? { ...e, took } : e));
}

test('the default thresholds are the documented ones', () => {
  assert.deepEqual(
    {
      took: THRESHOLDS.took,
      rss_diff: THRESHOLDS.rss_diff,
      p95: THRESHOLDS.p95,
      first_exec: THRESHOLDS.first_exec,
      slope: THRESHOLDS.slope,
    },
    {
      took: { pct: 10, floor: 5, unit: 'ms' },
      rss_diff: { pct: 5, floor: 4096, unit: 'KiB' },
      p95: { pct: 20, floor: 5, unit: 'ms' },
      first_exec: { pct: 10, floor: 10, unit: 'ms' },
      slope: { pct: 5, floor: 1024, unit: 'KiB/skill' },
    },
  );
});

test('a change under the floor is unchanged: skills 2 ms → 1 ms is not a 50% improvement', () => {
  const a = log({ entries: benchEntries() });
  const c = compare({ sides: [a, log({ entries: withTook(benchEntries(), 'skills', 1) })] });
  const v = verdict(c, 'skills', 'took')!;
  assert.equal(v.status, 'unchanged');
  assert.deepEqual(v.change, { abs: -1, pct: -50 });
  assert.equal(v.reason, '-50.0% took (2 → 1 ms), within the 5 ms floor');
});

test('above the percentage and the floor: regressed or improved, with the reason', () => {
  const entries = withTook(benchEntries(), 'add_py', 3171);
  const a = log({ entries });
  const b = log({ entries: withTook(withTook(entries, 'add_py', 6400), '4 add_py', 10_000) });
  const c = compare({ sides: [a, b] });
  const v = verdict(c, 'add_py', 'took')!;
  assert.equal(v.status, 'regressed');
  assert.equal(v.reason, '+101.8% took (3,171 → 6,400 ms), above the 10% threshold');
  assert.equal(v.pValue, undefined);
  // One run per side: an improvement short of half the time is not gross, so it is noisy.
  assert.equal(verdict(c, '4 add_py', 'took')!.status, 'noisy');
  assert.ok(
    c.notes.includes(
      'a vs b: one run on a side, so no noise estimate; memory verdicts use the thresholds ' +
        'alone, a time counts only when one side is 2× the other and 250 ms apart, a peak ' +
        '1.5× the other and 64 MiB apart (else noisy)',
    ),
  );
  assert.equal(c.overall.status, 'regressed');
  assert.equal(c.overall.counts.regressed, 1);
  assert.deepEqual(c.overall.regressions, [
    'add_py (entry 1), b: +101.8% took (3,171 → 6,400 ms), above the 10% threshold',
  ]);
  // One run per side, +18.2%: above the threshold but not gross, so noisy.
  const some = compare({ sides: [a, log({ entries: withTook(entries, 'add_py', 3747) })] });
  assert.equal(verdict(some, 'add_py', 'took')!.status, 'noisy');
  assert.equal(
    verdict(some, 'add_py', 'took')!.reason,
    '+18.2% took (3,171 → 3,747 ms), above the 10% threshold, but one run per side: no noise ' +
      'estimate (with one run this counts only when one side is 2× the other and 250 ms apart; ' +
      'run several)',
  );
  // Within the percentage: 3,171 → 3,400 is +7.2%.
  const within = compare({ sides: [a, log({ entries: withTook(entries, 'add_py', 3400) })] });
  assert.equal(verdict(within, 'add_py', 'took')!.status, 'unchanged');
  assert.match(verdict(within, 'add_py', 'took')!.reason, /within the 10% threshold$/);
  // A --threshold override moves the line.
  const loose = compare({ sides: [a, b], thresholds: parseThresholds(['took=120%']) });
  assert.equal(verdict(loose, 'add_py', 'took')!.status, 'unchanged');
  assert.equal(loose.thresholds.took.pct, 120);
  assert.equal(loose.thresholds.took.floor, 5);
});

test("a deploy's took counts only beyond one rescan interval per repetition", () => {
  // Several runs a side, as in ab mode: add_py waits for rescans 100 ms apart.
  const settings = synthSettings({ update_interval: '100ms', update_interval_ms: 100 });
  const runs = (tooks: number[], cmd: string) => ({
    logs: tooks.map((t) => log({ entries: withTook(benchEntries(), cmd, t), settings })),
  });
  // 120 → 141 ms on three runs each (p=0.027 alone): within one rescan interval.
  const phase = compare({
    sides: [runs([120, 98, 119], 'add_py'), runs([141, 160, 139], 'add_py')],
  });
  const v = verdict(phase, 'add_py', 'took')!;
  assert.equal(v.status, 'unchanged', v.reason);
  assert.match(
    v.reason,
    /, within the 100 ms floor \(one rescan interval: a deploy waits for the next rescan\)$/,
  );
  // `4 add_py` waits four times: 400 ms; 500 ms more is beyond it.
  const four = compare({
    sides: [runs([3000, 3010, 3005], '4 add_py'), runs([3500, 3510, 3505], '4 add_py')],
  });
  assert.equal(verdict(four, '4 add_py', 'took')!.status, 'regressed');
  const within = compare({
    sides: [runs([3000, 3010, 3005], '4 add_py'), runs([3390, 3395, 3399], '4 add_py')],
  });
  assert.match(verdict(within, '4 add_py', 'took')!.reason, /within the 400 ms floor \(4 rescan/);
  // Other commands keep the 5 ms floor; logs without settings too.
  assert.equal(verdict(phase, 'execute_all Bob 20 10', 'took')!.reason.includes('rescan'), false);
  const legacy = compare({
    sides: [
      { logs: [120, 98, 119].map((t) => log({ entries: withTook(benchEntries(), 'add_py', t) })) },
      { logs: [141, 160, 139].map((t) => log({ entries: withTook(benchEntries(), 'add_py', t) })) },
    ],
  });
  assert.equal(verdict(legacy, 'add_py', 'took')!.status, 'regressed');
});

test('one run per side: a gross improvement counts as a gross regression does', () => {
  const entries = withTook(benchEntries(), 'add_py', 2892);
  const a = log({ entries });
  // 2,892 → 26 ms: a is more than twice b and 2,866 ms apart.
  const faster = compare({ sides: [a, log({ entries: withTook(entries, 'add_py', 26) })] });
  const v = verdict(faster, 'add_py', 'took')!;
  assert.equal(v.status, 'improved', v.reason);
  assert.equal(v.reason, '-99.1% took (2,892 → 26 ms), above the 10% threshold');
  // Half the time is the edge (2,892 → 1,446): gross; a little more is noisy.
  const half = compare({ sides: [a, log({ entries: withTook(entries, 'add_py', 1446) })] });
  assert.equal(verdict(half, 'add_py', 'took')!.status, 'improved');
  const less = compare({ sides: [a, log({ entries: withTook(entries, 'add_py', 1500) })] });
  assert.equal(verdict(less, 'add_py', 'took')!.status, 'noisy');
  // Twice as fast but only 200 ms apart: under the 250 ms floor of a gross change.
  const small = withTook(benchEntries(), 'add_py', 400);
  const near = compare({
    sides: [log({ entries: small }), log({ entries: withTook(small, 'add_py', 200) })],
  });
  assert.equal(verdict(near, 'add_py', 'took')!.status, 'noisy');
});

test('memory and latency thresholds: percentages with MiB and ms floors', () => {
  const base = benchEntries();
  const changed = base.map((e) => {
    if (e.cmd === 'execute_skill sample_py1 Alice 100 20') return { ...e, rss_diff: 1000, p95: 40 };
    if (e.cmd === 'skills') return { ...e, p95: 4 };
    return e;
  });
  const c = compare({ sides: [log({ entries: base }), log({ entries: changed })] });
  const rss = verdict(c, 'execute_skill sample_py1 Alice 100 20', 'rss_diff')!;
  assert.equal(rss.status, 'unchanged'); // +100%, but 500 KiB is under the 4 MiB floor
  assert.match(rss.reason, /within the 4,096 KiB floor/);
  const p95 = verdict(c, 'execute_skill sample_py1 Alice 100 20', 'p95')!;
  // Above the 20% threshold, but with one run per side a time needs 2× and 250 ms.
  assert.equal(p95.status, 'noisy');
  assert.match(
    p95.reason,
    /^\+60\.0% p95 latency \(25 → 40 ms\), above the 20% threshold, but one run/,
  );
  assert.equal(verdict(c, 'skills', 'p95')!.status, 'unchanged'); // 2 → 4 ms, under the floor
});

test('the same kernel twice with a little jitter gives no regression', () => {
  const a = log({ entries: benchEntries() });
  const b = log({
    entries: benchEntries({
      perSkill: 152_000,
      first: 790_000,
      took: [3080, 16200, 3, 31, 83, 146, 1, 2],
    }),
  });
  const c = compare({ sides: [a, b] });
  assert.equal(c.overall.status, 'unchanged');
  assert.equal(c.overall.counts.regressed, 0);
});

test('30% more memory per skill regresses the add_py entries and the slope, with reasons', () => {
  const a = log({ entries: benchEntries({ perSkill: 150_000, first: 800_000 }) });
  const b = log({ entries: benchEntries({ perSkill: 195_000, first: 1_040_000 }) });
  const c = compare({ sides: [a, b] });
  const add1 = verdict(c, 'add_py', 'rss_diff')!;
  assert.equal(add1.status, 'regressed');
  assert.equal(add1.reason, '+30.0% rss_diff (800,000 → 1,040,000 KiB), above the 5% threshold');
  const add4 = verdict(c, '4 add_py', 'rss_diff')!;
  assert.equal(add4.status, 'regressed');
  assert.equal(add4.reason, '+30.0% rss_diff (600,000 → 780,000 KiB), above the 5% threshold');
  const slope = c.totals.verdicts.find((v) => v.metric === 'slope')!;
  assert.equal(slope.status, 'regressed');
  assert.equal(
    slope.reason,
    '+30.0% memory per py skill (≈146 → ≈190 MiB), above the 5% threshold',
  );
  assert.equal(c.totals.sides[0]!.slopes[0]!.kibPerSkill, 150_000);
  assert.equal(c.totals.sides[1]!.slopes[0]!.kibPerSkill, 195_000);
  assert.match(renderText(c), /memory per skill: a ≈146 MiB per py skill; b ≈190 MiB per py skill/);
  assert.equal(c.overall.status, 'regressed');
});

test('several runs per side: significant changes are judged, spread-out ones are noisy', () => {
  const took = (t: number) => withTook(benchEntries(), 'execute_all Bob 20 10', t);
  const a = [1000, 1010, 990, 1005, 995].map((t) => log({ entries: took(t) }));
  const steady = [1200, 1210, 1190, 1205, 1195].map((t) => log({ entries: took(t) }));
  const spread = [800, 1600, 900, 1500, 1200].map((t) => log({ entries: took(t) }));

  const real = compare({ sides: [{ logs: a }, { logs: steady }] });
  const v = verdict(real, 'execute_all Bob 20 10', 'took')!;
  assert.equal(v.status, 'regressed');
  assert.ok(v.pValue !== undefined && v.pValue < 0.001, String(v.pValue));
  assert.equal(
    v.reason,
    '+20.0% took (median 1,000 → 1,200 ms, 5 and 5 runs), above the 10% threshold (p=<0.001, Welch t-test)',
  );
  assert.equal(real.runs[0]!.runs, 5);
  assert.ok(!real.notes.some((n) => n.includes('no noise estimate')));

  const noisy = compare({ sides: [{ logs: a }, { logs: spread }] });
  const w = verdict(noisy, 'execute_all Bob 20 10', 'took')!;
  assert.equal(w.status, 'noisy');
  assert.ok(w.pValue !== undefined && w.pValue > 0.05, String(w.pValue));
  assert.match(
    w.reason,
    /^\+20\.0% took \(median 1,000 → 1,200 ms, 5 and 5 runs\), above the 10% threshold but not significant \(p=0\.\d{3}, Welch t-test, needs p<0\.05\)$/,
  );
  assert.equal(noisy.overall.status, 'noisy');
  // The raw runs stay in the result for every renderer.
  const e = noisy.entries.find((x) => x.cmd === 'execute_all Bob 20 10')!;
  assert.deepEqual(e.sides[1]!.runs.took, [800, 1600, 900, 1500, 1200]);
  assert.equal(e.sides[1]!.values.took, 1200);
});

test('Welch p-value: library value, and the no-spread cases', () => {
  assert.equal(welchPValue([1], [2, 3]), undefined);
  assert.equal(welchPValue([5, 5, 5], [5, 5]), 1);
  assert.equal(welchPValue([5, 5, 5], [6, 6]), 0);
  const p = welchPValue([1, 2, 3, 4], [5, 6, 7, 8.5])!;
  assert.ok(p > 0.005 && p < 0.007, String(p)); // 0.00608 (R: t.test, Welch)
  const v = judge({
    metric: 'took',
    side: 'b',
    name: 'took',
    a: [0],
    b: [40],
    threshold: THRESHOLDS.took,
  });
  assert.equal(v.status, 'regressed');
  assert.equal(v.change.pct, null);
  assert.equal(v.reason, '+40 ms took (0 → 40 ms), from zero, above the 5 ms floor');
});

test('new failed requests are always regressions, whatever the count', () => {
  const base = benchEntries();
  const failing = base.map((e) => (e.cmd === 'execute_all Bob 20 10' ? { ...e, errors: 1 } : e));
  const c = compare({ sides: [log({ entries: base }), log({ entries: failing })] });
  const v = verdict(c, 'execute_all Bob 20 10', 'errors')!;
  assert.equal(v.status, 'regressed');
  assert.equal(v.reason, '1 failed request(s) in b where a had none; new errors always regress');
  assert.equal(verdict(c, 'skills', 'errors')!.status, 'unchanged');
  const back = compare({ sides: [log({ entries: failing }), log({ entries: base })] });
  assert.equal(verdict(back, 'execute_all Bob 20 10', 'errors')!.status, 'improved');
  // A command marked failed without request counts still counts as an error.
  const marked = base.map((e) => (e.cmd === 'add_py' ? { ...e, failed: true } : e));
  const m = compare({ sides: [log({ entries: base }), log({ entries: marked })] });
  assert.equal(verdict(m, 'add_py', 'errors')!.status, 'regressed');
});

test('a killed stop and a failed run are regressions', () => {
  const entries = benchEntries();
  const c = compare({
    sides: [log({ entries }), log({ entries, stop: { took: 5000, killed: true } })],
  });
  const v = verdict(c, 'stop', 'stop')!;
  assert.equal(v.status, 'regressed');
  assert.equal(v.reason, 'the kernel of b needed SIGKILL to stop (a stopped on SIGTERM)');
  assert.equal(c.entries.at(-1)!.sides[1]!.killed, true);

  const failed = compare({
    sides: [
      log({ entries }),
      log({ entries, outcome: 'failed', reason: 'the kernel exited with code 101' }),
    ],
  });
  const o = failed.totals.verdicts.find((x) => x.metric === 'outcome')!;
  assert.equal(o.status, 'regressed');
  assert.equal(
    o.reason,
    'b did not complete: failed (the kernel exited with code 101); new failures always regress',
  );
  assert.ok(failed.notes.includes('b failed: the kernel exited with code 101'));
});

test('skills deployed: counted from the command, or taken from the entry', () => {
  assert.deepEqual(deployOf('add_py'), { kind: 'py', count: 1, repeat: 1 });
  assert.deepEqual(deployOf('4 add_py'), { kind: 'py', count: 4, repeat: 4 });
  assert.deepEqual(deployOf('p_add_py 10'), { kind: 'py', count: 10, repeat: 1 });
  assert.deepEqual(deployOf('2 p_add_rs 3'), { kind: 'rs', count: 6, repeat: 2 });
  assert.equal(deployOf('skills'), null);
  assert.equal(deployOf('execute_skill add_py x'), null);

  // Least squares over three deploy points: (1, 1,000,000) (11, 1,900,000) (21, 3,000,000)
  // → slope 100,000 KiB per skill.
  const fromCmd = log({
    entries: [
      { cmd: 'add_py', took: 10, rss: 1_000_000 },
      { cmd: 'p_add_py 10', took: 10, rss: 1_900_000 },
      { cmd: 'skills', took: 1, rss: 1_900_000 },
      { cmd: 'p_add_py 10', took: 10, rss: 3_000_000 },
    ],
  });
  // The runner's `deployed` wins over the command (here only 1, 6, 11 skills came up):
  // slope 200,000 KiB per skill.
  const fromField = log({
    entries: [
      { cmd: 'add_py', took: 10, rss: 1_000_000, deployed: { py: 1 } },
      { cmd: 'p_add_py 10', took: 10, rss: 1_900_000, deployed: { py: 6 } },
      { cmd: 'skills', took: 1, rss: 1_900_000, deployed: { py: 6 } },
      { cmd: 'p_add_py 10', took: 10, rss: 3_000_000, deployed: { py: 11 } },
    ],
  });
  const c = compare({ sides: [fromCmd, fromField] });
  const [sa, sb] = c.totals.sides.map((t) => t.slopes[0]!);
  assert.equal(sa!.kind, 'py');
  assert.equal(sa!.points, 3);
  assert.equal(sa!.kibPerSkill, 100_000);
  assert.equal(sb!.kibPerSkill, 200_000);
  assert.equal(c.totals.verdicts.find((v) => v.metric === 'slope')!.status, 'regressed');
});

test('--threshold values are checked', () => {
  assert.deepEqual(parseThresholds(['took=15', 'rss_diff=5%:2048']), {
    took: { pct: 15 },
    rss_diff: { pct: 5, floor: 2048 },
  });
  assert.throws(
    () => parseThresholds(['took']),
    (e: unknown) => {
      assert.ok(e instanceof InputError);
      assert.match(e.message, /--threshold "took": expected METRIC=PCT\[%\]\[:FLOOR\]/);
      return true;
    },
  );
  assert.throws(
    () => parseThresholds(['speed=10']),
    /unknown metric "speed", expected one of took, rss_diff/,
  );
  assert.throws(() => parseThresholds(['errors=10']), /any new error always regresses/);
});

test('a peak with one run per side: noisy unless gross; with several runs the t-test decides', () => {
  const withPeak = (peak: number) =>
    benchEntries().map((e) => (e.cmd === 'execute_all Bob 20 10' ? { ...e, peak_rss: peak } : e));
  const cmd = 'execute_all Bob 20 10';
  // +20% and +40 MiB: above the 5% threshold, but one reading of one moment.
  const one = compare({
    sides: [log({ entries: withPeak(204_800) }), log({ entries: withPeak(245_760) })],
  });
  assert.equal(verdict(one, cmd, 'peak_rss')!.status, 'noisy');
  assert.match(
    verdict(one, cmd, 'peak_rss')!.reason,
    /only when one side is 1\.5× the other and 64 MiB apart; run several\)$/,
  );
  // +100% and +200 MiB is gross, and so is the same peak halving.
  const gross = compare({
    sides: [log({ entries: withPeak(204_800) }), log({ entries: withPeak(409_600) })],
  });
  assert.equal(verdict(gross, cmd, 'peak_rss')!.status, 'regressed');
  const halved = compare({
    sides: [log({ entries: withPeak(409_600) }), log({ entries: withPeak(204_800) })],
  });
  assert.equal(verdict(halved, cmd, 'peak_rss')!.status, 'improved');
  // Three runs a side, all +20%: the t-test calls it.
  const runs = (peaks: number[]) => ({ logs: peaks.map((p) => log({ entries: withPeak(p) })) });
  const several = compare({
    sides: [runs([204_800, 205_000, 204_600]), runs([245_760, 245_900, 245_500])],
  });
  assert.equal(verdict(several, cmd, 'peak_rss')!.status, 'regressed');
});

test('a run that failed during a command: that entry and its totals are partial, never an improvement', () => {
  const entries = benchEntries();
  const a = log({ entries });
  // b crashed during `4 add_py`, one skill in: a short, memory-light partial entry, then nothing.
  const upTo = entries.findIndex((e) => e.cmd === '4 add_py');
  const cut = entries
    .slice(0, upTo + 1)
    .map((e, i) => (i === upTo ? { ...e, took: 3000, rss_diff: 150_000, failed: true } : e));
  const b = log({ entries: cut, stop: null, outcome: 'failed', reason: 'the kernel ended' });
  const c = compare({ sides: [a, b] });
  for (const metric of ['took', 'rss_diff']) {
    const v = verdict(c, '4 add_py', metric)!;
    assert.equal(v.status, 'noisy', v.reason);
    assert.match(
      v.reason,
      /, but the run of b ended during this command: its figures are partial$/,
    );
  }
  // The entries before the failure are whole and judged as usual.
  assert.equal(verdict(c, 'add_py', 'took')!.status, 'unchanged');
  // Its maximum rss is lower only because it stopped early.
  const maxRss = c.totals.verdicts.find((v) => v.metric === 'max_rss')!;
  assert.equal(maxRss.status, 'noisy', maxRss.reason);
  assert.match(
    maxRss.reason,
    /, but the run of b ended before the script did: its figures are partial$/,
  );
  // The failure itself regresses, and nothing counts as improved.
  assert.equal(c.totals.verdicts.find((v) => v.metric === 'outcome')!.status, 'regressed');
  assert.equal(c.overall.status, 'regressed');
  assert.equal(c.overall.counts.improved, 0);
});

test('a log cut short (no stop, no outcome): its last entry and totals are partial too', () => {
  const entries = benchEntries();
  const a = log({ entries });
  // As `head -c` leaves it: the first entries, memory-light next to a whole run.
  const b = log({ entries: entries.slice(0, 1), stop: null, outcome: null });
  const c = compare({ sides: [a, b] });
  const maxRss = c.totals.verdicts.find((v) => v.metric === 'max_rss')!;
  assert.equal(maxRss.status, 'noisy', maxRss.reason);
  assert.match(
    maxRss.reason,
    /, but the run of b ended before the script did: its figures are partial$/,
  );
  assert.equal(c.overall.counts.improved, 0);
});

test('the maximum peak follows the one-run rule of peaks: +8% with one run a side is noisy', () => {
  const a = log({ entries: benchEntries() });
  // 4 add_py peaks 8% higher (1,430,000 → 1,544,400 KiB): above the 5% threshold,
  // far from 1.5x and 64 MiB apart.
  const entries = benchEntries().map((e) =>
    e.cmd === '4 add_py' ? { ...e, peak_rss: Math.round(e.peak_rss! * 1.08) } : e,
  );
  const c = compare({ sides: [a, log({ entries })] });
  const entryPeak = verdict(c, '4 add_py', 'peak_rss')!;
  const maxPeak = c.totals.verdicts.find((v) => v.metric === 'max_peak')!;
  assert.equal(entryPeak.status, 'noisy', entryPeak.reason);
  assert.equal(maxPeak.status, 'noisy', maxPeak.reason);
  assert.match(maxPeak.reason, /one run/);
  // With three runs a side the same change is a regression.
  const three = compare({
    sides: [
      { logs: [a, log({ entries: benchEntries() }), log({ entries: benchEntries() })] },
      { logs: [log({ entries }), log({ entries }), log({ entries })] },
    ],
  });
  assert.equal(three.totals.verdicts.find((v) => v.metric === 'max_peak')!.status, 'regressed');
});

// Same-job interleaved A/B: the base and the candidate kernel run the same
// script on the same machine, alternating (base, candidate, base, ...), each
// round with a fresh kernel, so drift of a shared runner (a neighbour job, a
// thermal limit) hits both sides alike. The two sets are then compared with
// compare()'s Welch t-test, base as `a` and candidate as `b`.
import { join } from 'node:path';
import { EXIT, InputError } from '../errors.ts';
import { compare } from '../compare/compare.ts';
import type { Thresholds } from '../compare/thresholds.ts';
import type { Comparison } from '../compare/types.ts';
import { checkRunInputs, runScript, type RunOptions, type RunResult } from '../run/runner.ts';

export const AB_SIDES = ['base', 'candidate'] as const;
export type AbSide = (typeof AB_SIDES)[number];

/** Rounds when none are given: enough for the t-test to see a 15% change on this 2-core box. */
export const AB_DEFAULT_ROUNDS = 5;

export interface AbKernel {
  /** The kernel's argv; undefined runs kernel-bench's emulated kernel. */
  kernel?: string[];
  /** Environment for this side only, over the shared `env`. */
  env?: Record<string, string>;
}

export interface AbOptions {
  scriptPath: string;
  base: AbKernel;
  candidate: AbKernel;
  rounds: number;
  /** Logs go to `<outDir>/base` and `<outDir>/candidate`. */
  outDir: string;
  thresholds?: Thresholds;
  /** Environment for both sides (e.g. emulator knobs). */
  env?: Record<string, string>;
  /** Everything else a run takes (api, skills, update interval, progress, log...), shared. */
  run?: Omit<RunOptions, 'scriptPath' | 'kernel' | 'env' | 'outDir'>;
  /** Called before each run, e.g. for a log line. */
  onRun?: (round: number, side: AbSide) => void;
}

export interface AbResult {
  base: RunResult[];
  candidate: RunResult[];
  /** Null when a run failed before both sides had a complete run. */
  comparison: Comparison | null;
  outcome: 'complete' | 'failed';
  reason?: string;
  /** EXIT.ok, or EXIT.kernel when a run failed. */
  exitCode: number;
}

export async function runAb(options: AbOptions): Promise<AbResult> {
  if (!Number.isInteger(options.rounds) || options.rounds < 1) {
    throw new InputError(`--rounds: ${options.rounds} is not a positive whole number`);
  }
  const runOptions = (side: AbSide): RunOptions => ({
    ...options.run,
    scriptPath: options.scriptPath,
    kernel: options[side].kernel,
    env: { ...options.env, ...options[side].env },
    outDir: join(options.outDir, side),
  });
  // Both sides' inputs before the first round: a bad candidate knob must not
  // cost a whole base run first.
  for (const side of AB_SIDES) {
    try {
      await checkRunInputs(runOptions(side));
    } catch (error) {
      if (!(error instanceof InputError)) throw error;
      throw new InputError(`${side}: ${error.message}`);
    }
  }
  const runs: Record<AbSide, RunResult[]> = { base: [], candidate: [] };
  let reason: string | undefined;
  rounds: for (let round = 1; round <= options.rounds; round++) {
    for (const side of AB_SIDES) {
      options.onRun?.(round, side);
      const result = await runScript(runOptions(side));
      runs[side].push(result);
      if (result.outcome !== 'complete') {
        // A crashing kernel is the finding; more rounds would only repeat it.
        reason = `${side} run ${round} failed: ${result.reason ?? 'no reason given'}`;
        break rounds;
      }
    }
  }
  let comparison: Comparison | null = null;
  if (runs.base.length > 0 && runs.candidate.length > 0) {
    comparison = compare({
      sides: [{ logs: runs.base.map((r) => r.log) }, { logs: runs.candidate.map((r) => r.log) }],
      thresholds: options.thresholds,
    });
  }
  return {
    base: runs.base,
    candidate: runs.candidate,
    comparison,
    outcome: reason ? 'failed' : 'complete',
    ...(reason ? { reason } : {}),
    exitCode: reason ? EXIT.kernel : EXIT.ok,
  };
}

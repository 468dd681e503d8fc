// `mode: run`: one matrix leg. Builds the kernel, runs each script
// `iterations` times, compares with the stored baseline of this platform,
// writes the job summary, annotations, outputs and the leg result, uploads
// the artifacts, and on a push to the default branch saves fresh baselines.
// With `base-ref`, the base commit is built in a worktree too and each script
// runs base and candidate interleaved; that comparison replaces the baseline.
import * as core from '@actions/core';
import { execa } from 'execa';
import { hostname, tmpdir } from 'node:os';
import { mkdir, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { InputError } from '../errors.ts';
import {
  findBaseline,
  saveBaseline,
  scriptName,
  type LoadedBaseline,
} from '../compare/baseline.ts';
import type { Comparison } from '../compare/types.ts';
import { runAb } from '../ab/ab.ts';
import { runScript, type RunResult } from '../run/runner.ts';
import type { RunLog } from '../runlog/types.ts';
import { uploadArtifact } from './artifacts.ts';
import { renderComment } from './comment.ts';
import { compareLeg } from './compare-leg.ts';
import { legKey, readRunEvent, type RunEvent } from './event.ts';
import { expandGlobs } from './glob.ts';
import type { ActionSettings } from './inputs.ts';
import { addBaseTree, kernelInBase, removeBaseTree, type BaseTree } from './worktree.ts';
import {
  RESULT_FILE,
  RESULT_SCHEMA,
  worstVerdict,
  type LegResult,
  type LegVerdict,
  type ScriptResult,
} from './result.ts';

/** Lines of the build's output quoted when it fails. */
const BUILD_TAIL_LINES = 30;

/** Interleaved rounds at least: Welch's t-test needs two runs per side to estimate noise. */
export const MIN_BASE_REF_ROUNDS = 2;

/** The base side of a `base-ref` run: its tree and its kernel argv. */
interface BaseSide {
  tree: BaseTree;
  kernel: string[] | undefined;
  rounds: number;
}

export async function runMode(s: ActionSettings): Promise<void> {
  const event = readRunEvent();
  const key = legKey();
  const scripts = await expandGlobs(s.workingDirectory, s.scripts);
  checkDistinctNames(scripts);
  if (!s.baseRef) {
    await build(s, s.workingDirectory);
    await measure(s, scripts, event, key, undefined);
    return;
  }
  const ref = s.baseRef;
  const tree = await core.group(`Base ${ref}: git worktree`, () =>
    addBaseTree(s.workingDirectory, ref),
  );
  try {
    const kernel = kernelInBase(s.kernel, s.workingDirectory, tree);
    if (!s.kernel) {
      core.notice(
        `kernel is 'emulator': base and candidate both run kernel-bench's emulated kernel, so ` +
          `only noise can differ; give a kernel path inside the repository to compare the trees`,
      );
    }
    const short = tree.sha.slice(0, 7);
    await build(s, s.workingDirectory, 'candidate (this checkout)');
    await build(s, tree.workingDirectory, `base ${ref} (${short})`);
    if (s.iterations < MIN_BASE_REF_ROUNDS) {
      core.notice(
        `iterations is ${s.iterations}, but base-ref runs at least ${MIN_BASE_REF_ROUNDS} rounds: ` +
          `with one run per side the t-test has no noise estimate`,
      );
    }
    const rounds = Math.max(MIN_BASE_REF_ROUNDS, s.iterations);
    await measure(s, scripts, event, key, { tree, kernel, rounds });
  } finally {
    // Also after a failure: a worktree left behind would block the next add of that path.
    await removeBaseTree(tree);
  }
}

async function measure(
  s: ActionSettings,
  scripts: string[],
  event: RunEvent,
  key: string,
  baseSide: BaseSide | undefined,
): Promise<void> {
  const legDir = join(
    process.env.RUNNER_TEMP || tmpdir(),
    'kernel-bench',
    `${key}-${event.runAttempt}`,
  );
  const base: Omit<LegResult, 'verdict' | 'regressions' | 'scripts' | 'artifacts'> = {
    schema: RESULT_SCHEMA,
    leg: {
      key,
      os: process.platform,
      arch: process.arch,
      runner: process.env.RUNNER_NAME || hostname(),
    },
    event: {
      name: event.name,
      repo: `${event.owner}/${event.repo}`,
      runId: event.runId,
      runAttempt: event.runAttempt,
      sha: event.sha,
      pr: event.pr,
      headSha: event.headSha,
    },
  };

  const results: ScriptResult[] = [];
  const artifacts: string[] = [];
  const freshLogs: Array<{ script: string; logs: RunLog[] }> = [];
  const failures: string[] = [];
  for (const script of scripts) {
    const name = scriptName(script);
    const dir = join(legDir, name);
    const title = baseSide
      ? `Script ${script}: ${baseSide.rounds} rounds, ${baseSide.tree.ref} and this checkout interleaved`
      : `Script ${script} × ${s.iterations}`;
    const { result, logs } = await core.group(title, () =>
      baseSide ? runPair(s, script, dir, key, baseSide) : runOne(s, script, dir, key),
    );
    results.push(result);
    if (result.verdict === 'failed')
      failures.push(`${script}: ${result.runs.find((r) => r.reason)?.reason}`);
    else freshLogs.push({ script, logs });
    for (const r of result.regressions)
      core.warning(r, { title: `kernel-bench regression: ${name} (${key})` });

    // Each script's own result file and artifact, so names stay unique per script.
    const legPart: LegResult = {
      ...base,
      artifacts: [],
      verdict: result.verdict,
      regressions: result.regressions.length,
      scripts: [result],
    };
    const artifactName = `${s.artifactPrefix}-${name}-${key}-${event.runAttempt}`;
    legPart.artifacts = [artifactName];
    const file = join(dir, RESULT_FILE);
    await writeFile(file, JSON.stringify(legPart, null, 2) + '\n');
    const files = [
      file,
      ...result.runs.flatMap((r) => [r.log, r.samples, r.kernelLog].map((p) => join(dir, p))),
    ];
    const uploaded = await core.group(`Upload ${artifactName}`, () =>
      uploadArtifact(artifactName, files, dir),
    );
    if (uploaded) artifacts.push(uploaded);
  }

  const leg: LegResult = {
    ...base,
    artifacts,
    verdict: worstVerdict(results.map((r) => r.verdict)),
    regressions: results.reduce((n, r) => n + r.regressions.length, 0),
    scripts: results,
  };
  const resultPath = join(legDir, RESULT_FILE);
  await writeFile(resultPath, JSON.stringify(leg, null, 2) + '\n');

  await core.summary.addRaw(renderComment([leg], { marker: false, budget: 900_000 }), true).write();
  core.setOutput('verdict', leg.verdict);
  core.setOutput('regressions', String(leg.regressions));
  core.setOutput('result-json', resultPath);
  core.setOutput('comment-url', '');

  if (event.defaultBranchPush && freshLogs.length > 0) {
    await core.group('Save baselines', () => saveBaselines(s, freshLogs, key, event));
  }
  if (failures.length > 0) {
    core.setFailed(`kernel run failed: ${failures.join('; ')}`);
  } else if (s.failOnRegression && leg.regressions > 0) {
    core.setFailed(`${leg.regressions} regression(s) on ${key} (fail-on-regression is true)`);
  }
}

/** Baselines are named by the script's base name, so two scripts must not share one. */
function checkDistinctNames(scripts: string[]): void {
  const seen = new Map<string, string>();
  for (const s of scripts) {
    const other = seen.get(scriptName(s));
    if (other) {
      throw new InputError(
        `input 'scripts': '${other}' and '${s}' share the name '${scriptName(s)}'; ` +
          `baselines and artifacts are named by it, so script base names must differ`,
      );
    }
    seen.set(scriptName(s), s);
  }
}

/** Runs the build command in `cwd`; `side` names the tree when there are two. */
async function build(s: ActionSettings, cwd: string, side?: string): Promise<void> {
  if (!s.build) {
    core.info(`input 'build' is empty: not building${side ? ` ${side}` : ''}`);
    return;
  }
  const started = performance.now();
  await core.group(`Build${side ? ` ${side}` : ''}: ${s.build}`, async () => {
    // Output streams to the log as it comes and is kept for the failure message.
    const result = await execa(s.build, {
      shell: true,
      cwd,
      all: true,
      reject: false,
      stdout: ['pipe', 'inherit'],
      stderr: ['pipe', 'inherit'],
    });
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    if (result.failed) {
      const tail = String(result.all ?? '')
        .split(/\r?\n/)
        .filter((l) => l.trim())
        .slice(-BUILD_TAIL_LINES)
        .join('\n');
      throw new Error(
        `${side ? `${side}: ` : ''}build command '${s.build}' in ${cwd} failed after ${seconds} s ` +
          `(${result.exitCode !== undefined ? `exit code ${result.exitCode}` : (result.signal ?? 'no exit code')})` +
          (tail ? `; last lines:\n${tail}` : ''),
      );
    }
    core.info(`build finished in ${seconds} s`);
  });
}

async function runOne(
  s: ActionSettings,
  script: string,
  dir: string,
  key: string,
): Promise<{ result: ScriptResult; logs: RunLog[] }> {
  await mkdir(dir, { recursive: true });
  const scriptPath = join(s.workingDirectory, script);
  const runs: RunResult[] = [];
  for (let i = 1; i <= s.iterations; i++) {
    core.info(`run ${i} of ${s.iterations}`);
    const run = await runScript({
      scriptPath,
      kernel: s.kernel,
      api: s.api,
      skills: s.skills,
      outDir: dir,
      progress: 'plain',
      log: (line) => core.info(line),
    });
    runs.push(run);
    if (run.outcome === 'failed') {
      core.error(`${script} run ${i}: ${run.reason ?? 'failed'}`, {
        title: 'kernel-bench run failed',
      });
      break;
    }
  }
  const logs = runs.map((r) => r.log);
  const failed = runs.some((r) => r.outcome === 'failed');

  let baseline: LoadedBaseline | null = null;
  const [os, arch] = [process.platform, process.arch];
  try {
    const found = await findBaseline(s.baselineDir, os, arch, script, logs[0]?.script.hash);
    if (found.baseline) baseline = found;
    else
      core.notice(
        `${found.message} (expected at ${relative(s.workingDirectory, found.path)}); nothing to compare with`,
      );
  } catch (error) {
    // A baseline of an older script version: report, do not fail the leg.
    if (!(error instanceof InputError)) throw error;
    core.notice(`baseline not used: ${error.message}`);
  }

  let comparison: Comparison | null = null;
  try {
    comparison = compareLeg(baseline, logs, s.thresholds);
  } catch (error) {
    if (!(error instanceof InputError)) throw error;
    // E.g. a failed run with fewer entries than the baseline: say so, keep the run's figures out.
    core.warning(`${script}: not compared: ${error.message}`);
  }

  const verdict: LegVerdict = failed
    ? 'failed'
    : !baseline || !comparison
      ? 'no-baseline'
      : comparison.overall.status;
  const regressions = baseline && comparison ? comparison.overall.regressions : [];
  core.info(
    `${script} on ${key}: ${verdict}${regressions.length ? `, ${regressions.length} regression(s)` : ''}`,
  );
  return {
    logs,
    result: {
      script,
      name: scriptName(script),
      verdict,
      regressions,
      baseline: baseline ? relative(s.workingDirectory, baseline.path).split('\\').join('/') : null,
      comparison,
      runs: runs.map((r) => ({
        stamp: r.stamp,
        outcome: r.outcome,
        ...(r.reason ? { reason: r.reason } : {}),
        log: relative(dir, r.logPath),
        samples: relative(dir, r.samplesPath),
        kernelLog: relative(dir, r.pkLogPath),
      })),
    },
  };
}

/**
 * `base-ref`: the base commit's kernel and this checkout's run the script
 * interleaved, `rounds` each, and runAb's comparison (base `a`, candidate
 * `b`) takes the baseline's place. Both sides replay this checkout's script
 * and skills, so the kernels are the only difference.
 */
async function runPair(
  s: ActionSettings,
  script: string,
  dir: string,
  key: string,
  base: BaseSide,
): Promise<{ result: ScriptResult; logs: RunLog[] }> {
  await mkdir(dir, { recursive: true });
  const { tree, rounds } = base;
  const ab = await runAb({
    scriptPath: join(s.workingDirectory, script),
    base: { kernel: base.kernel },
    candidate: { kernel: s.kernel },
    rounds,
    outDir: dir,
    thresholds: s.thresholds,
    run: { api: s.api, skills: s.skills, progress: 'plain', log: (line) => core.info(line) },
    onRun: (round, side) =>
      core.info(
        `round ${round} of ${rounds}: ${side === 'base' ? `base ${tree.ref}` : 'candidate (this checkout)'}`,
      ),
  });
  if (ab.reason) core.error(`${script}: ${ab.reason}`, { title: 'kernel-bench run failed' });

  const failed = ab.outcome === 'failed';
  const comparison = ab.comparison;
  const verdict: LegVerdict = failed ? 'failed' : comparison!.overall.status;
  const regressions = comparison && !failed ? comparison.overall.regressions : [];
  core.info(
    `${script} on ${key}, ${tree.ref} (${tree.sha.slice(0, 7)}) vs this checkout: ${verdict}` +
      (regressions.length ? `, ${regressions.length} regression(s)` : ''),
  );
  // In run order, so the artifact lists base 1, candidate 1, base 2, ...
  const runs = ab.base.flatMap((b, i) => [
    { side: 'base' as const, run: b },
    ...(ab.candidate[i] ? [{ side: 'candidate' as const, run: ab.candidate[i] }] : []),
  ]);
  return {
    logs: ab.candidate.map((r) => r.log),
    result: {
      script,
      name: scriptName(script),
      verdict,
      regressions,
      baseline: null,
      baseRef: { ref: tree.ref, sha: tree.sha, rounds },
      comparison,
      runs: runs.map(({ side, run: r }) => ({
        side,
        stamp: r.stamp,
        outcome: r.outcome,
        // The failed run carries the pair's reason, which names the side and round.
        ...(r.outcome === 'failed'
          ? { reason: ab.reason ?? r.reason ?? `${side} run failed` }
          : {}),
        log: relative(dir, r.logPath),
        samples: relative(dir, r.samplesPath),
        kernelLog: relative(dir, r.pkLogPath),
      })),
    },
  };
}

async function saveBaselines(
  s: ActionSettings,
  fresh: Array<{ script: string; logs: RunLog[] }>,
  key: string,
  event: RunEvent,
): Promise<void> {
  const files: string[] = [];
  for (const { script, logs } of fresh) {
    const saved = await saveBaseline(logs, s.baselineDir);
    core.info(`${script}: ${saved.message}`);
    files.push(saved.path);
  }
  await uploadArtifact(
    `${s.artifactPrefix}-baselines-${key}-${event.runAttempt}`,
    files,
    s.baselineDir,
  );
}

// `mode: run`: one matrix leg. Builds the kernel, runs each script
// `iterations` times, compares with the stored baseline of this platform,
// writes the job summary, annotations, outputs and the leg result, uploads
// the artifacts, and on a push to the default branch saves fresh baselines.
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
import { runScript, type RunResult } from '../run/runner.ts';
import type { RunLog } from '../runlog/types.ts';
import { uploadArtifact } from './artifacts.ts';
import { renderComment } from './comment.ts';
import { compareLeg } from './compare-leg.ts';
import { legKey, readRunEvent, type RunEvent } from './event.ts';
import { expandGlobs } from './glob.ts';
import type { ActionSettings } from './inputs.ts';
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

export async function runMode(s: ActionSettings): Promise<void> {
  const event = readRunEvent();
  const key = legKey();
  const scripts = await expandGlobs(s.workingDirectory, s.scripts);
  checkDistinctNames(scripts);
  await build(s);

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
    const { result, logs } = await core.group(`Script ${script} × ${s.iterations}`, () =>
      runOne(s, script, dir, key),
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

async function build(s: ActionSettings): Promise<void> {
  if (!s.build) {
    core.info(`input 'build' is empty: not building`);
    return;
  }
  const started = performance.now();
  await core.group(`Build: ${s.build}`, async () => {
    // Output streams to the log as it comes and is kept for the failure message.
    const result = await execa(s.build, {
      shell: true,
      cwd: s.workingDirectory,
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
        `build command '${s.build}' in ${s.workingDirectory} failed after ${seconds} s ` +
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

async function saveBaselines(
  s: ActionSettings,
  fresh: Array<{ script: string; logs: RunLog[] }>,
  key: string,
  event: RunEvent,
): Promise<void> {
  const files: string[] = [];
  for (const { script, logs } of fresh) {
    const saved = await saveBaseline(logs, s.baselineDir);
    core.info(
      `saved baseline ${relative(s.workingDirectory, saved.path)} (${script}, ${logs.length} run(s))`,
    );
    files.push(saved.path);
  }
  await uploadArtifact(
    `${s.artifactPrefix}-baselines-${key}-${event.runAttempt}`,
    files,
    s.baselineDir,
  );
}

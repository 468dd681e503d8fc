// `mode: report`: one job after the matrix. Collects every leg's result
// (downloaded artifacts, or a local directory), merges them, writes the job
// summary and the outputs, and posts or updates the one sticky PR comment.
import * as core from '@actions/core';
import * as github from '@actions/github';
import { mkdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InputError } from '../errors.ts';
import { downloadArtifacts } from './artifacts.ts';
import { markerFor, renderComment } from './comment.ts';
import { readRunEvent, type RunEvent } from './event.ts';
import type { ActionSettings } from './inputs.ts';
import { findLegResults, mergeLegs, worstVerdict, type LegResult } from './result.ts';
import { upsertSticky } from './sticky.ts';

/** Where the examples explain the fork-safe setup. */
const TWO_PHASE_HINT =
  'use the two-phase setup: the pull_request workflow only uploads results, and a ' +
  'workflow_run workflow runs `mode: report` with a write token (see examples/kernel-pr-comment.yml)';

export async function reportMode(s: ActionSettings): Promise<void> {
  const event = readRunEvent();
  const results = await core.group('Collect leg results', () => collect(s, event));
  if (results.length === 0) {
    throw new InputError(
      s.resultsDir
        ? `no kernel-bench-result.json found under results-dir ${s.resultsDir}`
        : `no '${s.artifactPrefix}-*' artifacts with a kernel-bench-result.json in run ` +
            `${event.triggeringRunId ?? event.runId}; did the run-mode legs use the same artifact-prefix?`,
    );
  }
  const legs = mergeLegs(results);
  const verdict = worstVerdict(legs.map((l) => l.verdict));
  const regressions = legs.reduce((n, l) => n + l.regressions, 0);
  core.info(`${legs.length} leg(s): ${legs.map((l) => `${l.leg.key} ${l.verdict}`).join(', ')}`);

  const dir = join(process.env.RUNNER_TEMP || tmpdir(), 'kernel-bench-report');
  await mkdir(dir, { recursive: true });
  const resultPath = join(dir, 'kernel-bench-report.json');
  await writeFile(resultPath, JSON.stringify({ verdict, regressions, legs }, null, 2) + '\n');

  // The summary is not size-limited like a comment: render it in full.
  const summary = renderComment(legs, { marker: false, budget: 900_000 });
  await core.summary.addRaw(summary, true).write();

  core.setOutput('verdict', verdict);
  core.setOutput('regressions', String(regressions));
  core.setOutput('result-json', resultPath);
  const url = await core.group('Pull request comment', () =>
    comment(s, event, legs, verdict === 'unchanged'),
  );
  core.setOutput('comment-url', url ?? '');
  if (s.failOnRegression && regressions > 0) {
    core.setFailed(`${regressions} regression(s) found (fail-on-regression is true)`);
  }
}

async function collect(s: ActionSettings, event: RunEvent): Promise<LegResult[]> {
  if (s.resultsDir) {
    core.info(`reading leg results from ${s.resultsDir}`);
    return findLegResults(s.resultsDir);
  }
  if (!s.token) {
    throw new InputError(
      `input 'github-token' is empty; report mode needs it (actions: read) to download the legs' ` +
        `artifacts, or set 'results-dir' to a directory holding them`,
    );
  }
  const runId = event.triggeringRunId ?? event.runId;
  if (!event.owner || !runId) {
    throw new InputError(
      `cannot tell which workflow run to read artifacts from (GITHUB_REPOSITORY='${event.owner}/${event.repo}', ` +
        `run id ${runId || 'unset'}); set 'results-dir' outside GitHub`,
    );
  }
  const dest = join(process.env.RUNNER_TEMP || tmpdir(), 'kernel-bench-report', 'artifacts');
  core.info(`downloading '${s.artifactPrefix}-*' artifacts of run ${runId}`);
  await downloadArtifacts(
    { token: s.token, owner: event.owner, repo: event.repo, runId },
    s.artifactPrefix,
    dest,
  );
  return findLegResults(dest);
}

/** Posts or updates the sticky comment; returns its URL, or undefined when none was posted. */
async function comment(
  s: ActionSettings,
  event: RunEvent,
  legs: LegResult[],
  unchanged: boolean,
): Promise<string | undefined> {
  if (s.comment === 'never') {
    core.info(`comment is 'never': the report is in the job summary only`);
    return undefined;
  }
  // For workflow_run, GitHub omits the PR of a fork's run: the legs stored it.
  const pr =
    event.name === 'workflow_run'
      ? (legs.find((l) => l.event.pr)?.event.pr ?? event.pr)
      : event.name.startsWith('pull_request')
        ? event.pr
        : null;
  if (!pr) {
    core.notice(
      `no pull request for this '${event.name}' event: no comment posted; the report is in the job summary`,
    );
    return undefined;
  }
  if (!s.token) {
    core.notice(
      `input 'github-token' is empty: no comment posted; the report is in the job summary`,
    );
    return undefined;
  }
  const octokit = github.getOctokit(s.token);
  // One comment per PR whatever the workflow: the PR matrix and its
  // workflow_run commenter must find the same comment.
  const marker = markerFor();
  const body = renderComment(legs);
  const target = { owner: event.owner, repo: event.repo, pr };
  try {
    // on-change with nothing changed: refresh an existing comment, never start one.
    const res = await upsertSticky(
      octokit,
      target,
      marker,
      body,
      !(s.comment === 'on-change' && unchanged),
    );
    if (!res) {
      core.info(`comment is 'on-change' and nothing changed: no comment posted`);
      return undefined;
    }
    core.info(`${res.action} comment ${res.url} (${body.length} characters)`);
    return res.url;
  } catch (error) {
    const status = (error as { status?: number }).status;
    if (status === 403) {
      core.notice(
        `the token cannot comment on pull request #${pr} (HTTP 403, read-only token` +
          `${event.fork ? ' of a fork' : ''}); the report is in the job summary. To comment, ${TWO_PHASE_HINT}`,
      );
      return undefined;
    }
    throw error;
  }
}

// What the action needs to know about the workflow run and its triggering
// event, read from the runner's environment and event payload.
import * as github from '@actions/github';

export interface RunEvent {
  /** `pull_request`, `push`, `schedule`, `workflow_run`, ... */
  name: string;
  owner: string;
  repo: string;
  runId: number;
  runAttempt: number;
  sha: string;
  ref: string;
  /** The pull request number; for `workflow_run`, of the triggering run's PR when GitHub lists it. */
  pr: number | null;
  /** Head commit of the pull request, when there is one. */
  headSha: string | null;
  /** The PR comes from another repository (its token is read-only). */
  fork: boolean;
  /** A push to the repository's default branch: baselines are refreshed. */
  defaultBranchPush: boolean;
  /** For `workflow_run`: the id of the run that triggered this one. */
  triggeringRunId: number | null;
}

interface Payload {
  pull_request?: { number?: number; head?: { sha?: string; repo?: { full_name?: string } } };
  repository?: { full_name?: string; default_branch?: string };
  workflow_run?: {
    id?: number;
    head_sha?: string;
    event?: string;
    head_repository?: { full_name?: string };
    pull_requests?: Array<{ number?: number }>;
  };
}

/** Read at call time (not import time) so errors land in main's one catch. */
export function readRunEvent(): RunEvent {
  const ctx = github.context;
  const payload = ctx.payload as Payload;
  const [owner = '', repo = ''] = (process.env.GITHUB_REPOSITORY ?? '').split('/');
  const pr = payload.pull_request;
  const wr = payload.workflow_run;
  const fullName = payload.repository?.full_name;
  const branch = ctx.ref.startsWith('refs/heads/') ? ctx.ref.slice('refs/heads/'.length) : null;
  return {
    name: ctx.eventName,
    owner,
    repo,
    runId: ctx.runId,
    runAttempt: ctx.runAttempt || 1,
    sha: ctx.sha,
    ref: ctx.ref,
    pr: pr?.number ?? wr?.pull_requests?.[0]?.number ?? null,
    headSha:
      pr?.head?.sha ?? (wr?.event?.startsWith('pull_request') ? (wr.head_sha ?? null) : null),
    fork:
      pr !== undefined
        ? pr.head?.repo?.full_name !== undefined && pr.head.repo.full_name !== fullName
        : wr?.head_repository?.full_name !== undefined && wr.head_repository.full_name !== fullName,
    defaultBranchPush:
      ctx.eventName === 'push' && branch !== null && branch === payload.repository?.default_branch,
    triggeringRunId: ctx.eventName === 'workflow_run' ? (wr?.id ?? null) : null,
  };
}

/** The leg's platform key, e.g. `linux-x64`, `darwin-arm64` (also the baseline folder). */
export function legKey(): string {
  return `${process.platform}-${process.arch}`;
}

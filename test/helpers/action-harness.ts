// Runs the bundled action the way GitHub does: `node dist/index.js` with
// INPUT_* variables, an event file, GITHUB_OUTPUT and GITHUB_STEP_SUMMARY
// files. The bundle is built into a temp directory laid out like a checkout
// of the action (package.json, dist/, templates/) so it does not race the
// repository's own dist/.
import { bundle } from '../../scripts/build.mjs';
import { execa } from 'execa';
import { existsSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { compareLeg } from '../../src/action/compare-leg.ts';
import { RESULT_FILE, RESULT_SCHEMA, type LegResult } from '../../src/action/result.ts';
import { makeBaseline, scriptName } from '../../src/compare/baseline.ts';
import { parseRunLog, readRunLog } from '../../src/runlog/read.ts';
import type { RunLog } from '../../src/runlog/types.ts';

export const REPO = fileURLToPath(new URL('../..', import.meta.url));
export const FIXTURES = join(REPO, 'test', 'fixtures', 'action');

/**
 * Builds src/action/main.ts (and, with `emulator`, src/emulator/main.ts)
 * with the options of scripts/build.mjs; returns the action directory.
 */
export async function buildAction(options: { emulator?: boolean } = {}): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'kb-action-'));
  // The emulator locator finds its files by walking up to kernel-bench's package.json.
  await copyFile(join(REPO, 'package.json'), join(dir, 'package.json'));
  await copyFile(join(REPO, 'action.yml'), join(dir, 'action.yml'));
  if (existsSync(join(REPO, 'templates')))
    await symlink(join(REPO, 'templates'), join(dir, 'templates'));
  await bundle(join(dir, 'dist'), {
    index: 'src/action/main.ts',
    ...(options.emulator ? { emulator: 'src/emulator/main.ts' } : {}),
  });
  return dir;
}

export interface ActionRun {
  exitCode: number;
  stdout: string;
  stderr: string;
  outputs: Record<string, string>;
  summary: string;
  /** Directory holding the event, output and summary files and RUNNER_TEMP. */
  home: string;
}

export interface RunActionOptions {
  inputs: Record<string, string>;
  eventName: string;
  event: object;
  /** GITHUB_API_URL (the stand-in). */
  apiUrl?: string;
  cwd?: string;
  env?: Record<string, string>;
  timeoutMs?: number;
}

export const REPOSITORY = { owner: 'acme', name: 'kernel', full_name: 'acme/kernel' };

export async function runAction(actionDir: string, o: RunActionOptions): Promise<ActionRun> {
  const home = await mkdtemp(join(tmpdir(), 'kb-job-'));
  const eventPath = join(home, 'event.json');
  const outputPath = join(home, 'output.txt');
  const summaryPath = join(home, 'summary.md');
  await writeFile(eventPath, JSON.stringify(o.event));
  await writeFile(outputPath, '');
  await writeFile(summaryPath, '');
  await mkdir(join(home, 'temp'));
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? home,
    GITHUB_ACTIONS: 'true',
    GITHUB_EVENT_NAME: o.eventName,
    GITHUB_EVENT_PATH: eventPath,
    GITHUB_OUTPUT: outputPath,
    GITHUB_STEP_SUMMARY: summaryPath,
    GITHUB_REPOSITORY: REPOSITORY.full_name,
    GITHUB_REPOSITORY_OWNER: REPOSITORY.owner,
    GITHUB_RUN_ID: '4242',
    GITHUB_RUN_ATTEMPT: '1',
    GITHUB_RUN_NUMBER: '7',
    GITHUB_SHA: 'a'.repeat(40),
    GITHUB_REF: o.eventName === 'push' ? 'refs/heads/main' : 'refs/pull/12/merge',
    GITHUB_WORKFLOW: 'kernel-bench',
    GITHUB_JOB: 'bench',
    GITHUB_ACTOR: 'octocat',
    GITHUB_SERVER_URL: 'https://github.com',
    GITHUB_API_URL: o.apiUrl ?? 'http://127.0.0.1:9',
    GITHUB_WORKSPACE: o.cwd ?? home,
    RUNNER_TEMP: join(home, 'temp'),
    RUNNER_NAME: 'test-runner',
    RUNNER_OS: 'Linux',
    ...o.env,
  };
  for (const [k, v] of Object.entries(o.inputs)) env[`INPUT_${k.toUpperCase()}`] = v;
  const res = await execa(process.execPath, [join(actionDir, 'dist', 'index.js')], {
    env,
    extendEnv: false,
    cwd: o.cwd ?? home,
    reject: false,
    timeout: o.timeoutMs ?? 120_000,
  });
  return {
    exitCode: res.exitCode ?? -1,
    stdout: String(res.stdout),
    stderr: String(res.stderr),
    outputs: parseOutputs(await readFile(outputPath, 'utf8')),
    summary: await readFile(summaryPath, 'utf8'),
    home,
  };
}

/** GITHUB_OUTPUT's `name<<DELIMITER` blocks. */
export function parseOutputs(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  const re = /^([^\n<]+)<<(\S+)\n([\s\S]*?)\n\2$/gm;
  for (const m of text.matchAll(re)) out[m[1]!] = m[3]!;
  return out;
}

export async function removeDir(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true });
}

// ---- real-shaped event payloads ----

const repository = {
  id: 1,
  name: REPOSITORY.name,
  full_name: REPOSITORY.full_name,
  owner: { login: REPOSITORY.owner, type: 'Organization' },
  default_branch: 'main',
  fork: false,
};

export function pullRequestEvent(number: number, opts: { fork?: boolean } = {}): object {
  const headRepo = opts.fork
    ? { ...repository, full_name: 'mallory/kernel', owner: { login: 'mallory' }, fork: true }
    : repository;
  return {
    action: 'synchronize',
    number,
    pull_request: {
      number,
      state: 'open',
      title: 'Make skills smaller',
      head: { ref: 'smaller', sha: 'b'.repeat(40), repo: headRepo },
      base: { ref: 'main', sha: 'c'.repeat(40), repo: repository },
    },
    repository,
    sender: { login: 'octocat' },
  };
}

export function pushEvent(): object {
  return {
    ref: 'refs/heads/main',
    before: 'c'.repeat(40),
    after: 'a'.repeat(40),
    repository: { ...repository, master_branch: 'main' },
    pusher: { name: 'octocat' },
    sender: { login: 'octocat' },
  };
}

export function scheduleEvent(): object {
  return { schedule: '17 2 * * *', repository, workflow: '.github/workflows/nightly.yml' };
}

/** A completed pull_request run from a fork: GitHub lists no pull_requests for it. */
export function workflowRunEvent(runId: number): object {
  return {
    action: 'completed',
    workflow_run: {
      id: runId,
      name: 'kernel-bench',
      event: 'pull_request',
      status: 'completed',
      conclusion: 'success',
      head_sha: 'b'.repeat(40),
      head_branch: 'smaller',
      head_repository: { full_name: 'mallory/kernel' },
      repository,
      pull_requests: [],
    },
    repository,
    sender: { login: 'octocat' },
  };
}

// ---- leg results made by the real comparison code from real logs ----

export interface LegSpec {
  key: string;
  /** Log the baseline is made from; none: the leg had no baseline. */
  baseline?: RunLog;
  runs: RunLog[];
  pr?: number | null;
  script?: string;
  runAttempt?: number;
}

export function makeLeg(spec: LegSpec): LegResult {
  const script = spec.script ?? 'cmds/bench.cmds';
  const loaded = spec.baseline
    ? { baseline: makeBaseline([spec.baseline]), path: `/w/baselines/${spec.key}/bench.json` }
    : null;
  const comparison = compareLeg(loaded, spec.runs, {});
  const verdict = loaded ? comparison!.overall.status : 'no-baseline';
  const regressions = loaded ? comparison!.overall.regressions : [];
  const [os, arch] = spec.key.split('-') as [string, string];
  const name = scriptName(script);
  const artifact = `kernel-bench-${name}-${spec.key}-${spec.runAttempt ?? 1}`;
  return {
    schema: RESULT_SCHEMA,
    leg: { key: spec.key, os, arch, runner: `runner-${spec.key}` },
    event: {
      name: 'pull_request',
      repo: REPOSITORY.full_name,
      runId: 4242,
      runAttempt: spec.runAttempt ?? 1,
      sha: 'a'.repeat(40),
      pr: spec.pr === undefined ? 12 : spec.pr,
      headSha: 'b'.repeat(40),
    },
    artifacts: [artifact],
    verdict,
    regressions: regressions.length,
    scripts: [
      {
        script,
        name,
        verdict,
        regressions,
        baseline: loaded ? `baselines/${spec.key}/${name}.json` : null,
        comparison,
        runs: spec.runs.map((r, i) => ({
          stamp: `2410${i}`,
          outcome: 'complete' as const,
          log: `${i}_run.log`,
          samples: `${i}_samples.jsonl`,
          kernelLog: `${i}_pk.log`,
        })),
      },
    ],
  };
}

export async function fixtureLog(name: string): Promise<RunLog> {
  return readRunLog(join(FIXTURES, name));
}

/** Writes leg results as `<dir>/<artifact>/kernel-bench-result.json`, as downloaded artifacts look. */
export async function writeLegs(dir: string, legs: LegResult[]): Promise<void> {
  for (const leg of legs) {
    const sub = join(dir, leg.artifacts[0]!);
    await mkdir(sub, { recursive: true });
    await writeFile(join(sub, RESULT_FILE), JSON.stringify(leg, null, 2));
  }
}

/**
 * A run log of `count` commands, the text of each made by `cmd(i)`, with
 * rss growing; parsed by the real reader.
 */
export function syntheticLog(count: number, cmd: (i: number) => string, scale = 1): RunLog {
  const lines = [
    {
      arch: 'X86_64',
      brand: 'Test CPU',
      cores: 2,
      memory_total: 8,
      memory_available: 4,
      os: 'linux',
    },
    { bin: '/w/target/release/pharia-kernel', hash: 'f'.repeat(40), modified: '241022_163553.629' },
    { filename: 'cmds/big.cmds', hash: 'e'.repeat(40), modified: null },
  ];
  const entries = Array.from({ length: count }, (_, i) => ({
    cmd: cmd(i),
    line: i + 1,
    took: Math.round((10 + (i % 7)) * scale),
    rss: (100_000 + i * 1000) * scale,
    rss_diff: 1000 * scale,
    vms: 1_000_000,
    vms_diff: 0,
  }));
  const stop = { cmd: 'stop', took: 50, rss: 0, rss_diff: -100_000, vms: 0, vms_diff: 0 };
  const outcome = { outcome: 'complete', stamp: '241022_204217.730', tool: 'test' };
  const text = [...lines, ...entries, stop, outcome].map((l) => JSON.stringify(l)).join('\n');
  return parseRunLog(text, `/w/runs/synthetic-${count}-${scale}_run.log`);
}

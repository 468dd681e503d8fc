// `base-ref` in `mode: run`: the bundled action checks out an older commit of a
// real temporary git repository in a worktree, runs its kernel and the
// checkout's interleaved, and compares the two. The "kernel" of each commit
// is a shell script that starts the emulated kernel with a different memory
// per skill, so the expected regression is known exactly.
import assert from 'node:assert/strict';
import { execa } from 'execa';
import { chmod, copyFile, mkdir, mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { LegResult } from '../src/action/result.ts';
import {
  FIXTURES,
  buildAction,
  pullRequestEvent,
  removeDir,
  runAction,
  type ActionRun,
} from './helpers/action-harness.ts';

let action: string;
let repo: string;
let baseSha: string;
const cleanup: string[] = [];

async function git(...args: string[]): Promise<string> {
  const res = await execa(
    'git',
    ['-c', 'user.name=kb', '-c', 'user.email=kb@example.com', ...args],
    {
      cwd: repo,
    },
  );
  return res.stdout.trim();
}

/** kernel.sh of one commit: the bundled emulator holding `kb` KiB per loaded skill. */
async function commitKernel(kb: number): Promise<string> {
  const script = [
    '#!/bin/sh',
    `# The emulated kernel, ${kb} KiB per loaded skill.`,
    `KB_EMU_SKILL_MEMORY_KB=${kb} exec '${process.execPath}' --expose-gc '${join(action, 'dist', 'emulator.js')}'`,
    '',
  ].join('\n');
  await writeFile(join(repo, 'kernel.sh'), script);
  await chmod(join(repo, 'kernel.sh'), 0o755);
  await git('add', '-A');
  await git('commit', '-q', '-m', `kernel with ${kb} KiB per skill`);
  return git('rev-parse', 'HEAD');
}

before(async () => {
  action = await buildAction({ emulator: true });
  repo = await mkdtemp(join(tmpdir(), 'kb-repo-'));
  cleanup.push(action, repo);
  await git('init', '-q');
  await mkdir(join(repo, 'cmds'));
  await copyFile(join(FIXTURES, 'baseref.cmds'), join(repo, 'cmds', 'tiny.cmds'));
  baseSha = await commitKernel(20_000);
  await commitKernel(30_000);
});

after(async () => {
  for (const dir of cleanup) await removeDir(dir);
});

async function run(inputs: Record<string, string>): Promise<ActionRun> {
  const res = await runAction(action, {
    inputs: {
      mode: 'run',
      build: '',
      'working-directory': repo,
      kernel: 'kernel.sh',
      scripts: 'cmds/tiny.cmds',
      iterations: '2',
      ...inputs,
    },
    eventName: 'pull_request',
    event: pullRequestEvent(12),
    cwd: repo,
    timeoutMs: 120_000,
  });
  cleanup.push(res.home);
  return res;
}

/** The worktree is gone: git lists the checkout only, and RUNNER_TEMP holds no base tree. */
async function assertNoWorktree(res: ActionRun): Promise<void> {
  const list = (await git('worktree', 'list', '--porcelain'))
    .split('\n')
    .filter((l) => l.startsWith('worktree '));
  assert.equal(list.length, 1, list.join('\n'));
  const temp = await readdir(join(res.home, 'temp'));
  assert.deepEqual(
    temp.filter((n) => n.startsWith('kernel-bench-base-')),
    [],
  );
}

describe('base-ref: the base commit runs interleaved in the same job', { timeout: 300_000 }, () => {
  test('30000 vs 20000 KiB per skill regresses the add entries; the worktree is removed', async () => {
    const res = await run({ 'base-ref': baseSha });
    assert.equal(res.exitCode, 0, res.stdout + res.stderr);
    const short = baseSha.slice(0, 7);
    assert.match(res.stdout, new RegExp(`::group::Base ${baseSha}: git worktree`));
    assert.match(res.stdout, /input 'build' is empty: not building candidate \(this checkout\)/);
    assert.match(
      res.stdout,
      new RegExp(`input 'build' is empty: not building base ${baseSha} \\(${short}\\)`),
    );
    assert.match(
      res.stdout,
      /round 1 of 2: base .*\n[\s\S]*round 1 of 2: candidate[\s\S]*round 2 of 2: base/,
    );
    assert.match(
      res.summary,
      new RegExp(
        `compared with \`${baseSha}\` \\(${short}\\) in the same job, 2 rounds interleaved`,
      ),
    );
    assert.doesNotMatch(res.summary, /had no baseline yet/);

    const leg = JSON.parse(await readFile(res.outputs['result-json']!, 'utf8')) as LegResult;
    const script = leg.scripts[0]!;
    assert.deepEqual(script.baseRef, { ref: baseSha, sha: baseSha, rounds: 2 });
    assert.equal(script.baseline, null);
    assert.deepEqual(
      script.runs.map((r) => r.side),
      ['base', 'candidate', 'base', 'candidate'],
    );
    assert.ok(script.runs.every((r) => r.outcome === 'complete' && r.log.includes('_run.log')));
    const c = script.comparison!;
    // Side a ran the worktree's kernel.sh, side b the checkout's.
    assert.ok(c.runs[0]!.kernel.bin.includes('kernel-bench-base-'), c.runs[0]!.kernel.bin);
    assert.equal(c.runs[1]!.kernel.bin, join(repo, 'kernel.sh'));
    for (const [cmd, skills] of [
      ['add_rs', 1],
      ['2 add_rs', 2],
    ] as const) {
      const entry = c.entries.find((e) => e.cmd === cmd)!;
      const rss = entry.verdicts.find((v) => v.metric === 'rss_diff')!;
      assert.equal(rss.status, 'regressed', rss.reason);
      // 10000 KiB more per skill, give or take the emulator's own allocations.
      const perSkill = rss.change.abs / skills;
      assert.ok(perSkill > 8_000 && perSkill < 12_000, rss.reason);
      assert.ok(script.regressions.some((r) => r.startsWith(`${cmd} (`) && /rss_diff/.test(r)));
    }
    assert.equal(leg.verdict, 'regressed');
    assert.equal(res.outputs.verdict, 'regressed');
    await assertNoWorktree(res);
  });

  test('an unknown base-ref fails the step telling to fetch with fetch-depth: 0', async () => {
    const res = await run({ 'base-ref': 'origin/no-such-branch' });
    assert.equal(res.exitCode, 1);
    const error = res.stdout.split('\n').find((l) => l.startsWith('::error::')) ?? '';
    assert.match(
      error,
      /input 'base-ref' is 'origin\/no-such-branch', but git does not know that commit in .*fetch-depth: 0/,
    );
    assert.ok(!res.stdout.includes('::group::Script'), 'no script ran');
    await assertNoWorktree(res);
  });

  test('a build failing on the base side names the base; the worktree is still removed', async () => {
    // Succeeds in the checkout (30000) and fails in the base commit's tree (20000).
    const res = await run({ 'base-ref': baseSha, build: 'grep -q 30000 kernel.sh' });
    assert.equal(res.exitCode, 1);
    assert.match(
      res.stdout,
      /::group::Build candidate \(this checkout\): grep -q 30000 kernel\.sh/,
    );
    const error = res.stdout.split('\n').find((l) => l.startsWith('::error::')) ?? '';
    assert.match(
      error,
      new RegExp(
        `base ${baseSha} \\(${baseSha.slice(0, 7)}\\): build command 'grep -q 30000 kernel\\.sh' ` +
          `in .*kernel-bench-base-.* failed after [\\d.]+ s \\(exit code 1\\)`,
      ),
    );
    assert.ok(!res.stdout.includes('::group::Script'), 'no script ran');
    await assertNoWorktree(res);
  });
});

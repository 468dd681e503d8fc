// `mode: run` of the bundled action against kernel-bench's emulated kernel:
// the build step, iterations, no baseline yet, baselines saved on a push to
// the default branch and used by the next pull request, a failing build.
import assert from 'node:assert/strict';
import { copyFile, mkdir, mkdtemp, readFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { RESULT_SCHEMA, type LegResult } from '../src/action/result.ts';
import {
  FIXTURES,
  buildAction,
  pullRequestEvent,
  pushEvent,
  removeDir,
  runAction,
  type ActionRun,
} from './helpers/action-harness.ts';

const KEY = `${process.platform}-${process.arch}`;
let action: string;
let work: string;
const cleanup: string[] = [];

before(async () => {
  action = await buildAction({ emulator: true });
  work = await mkdtemp(join(tmpdir(), 'kb-work-'));
  cleanup.push(action, work);
  await mkdir(join(work, 'cmds'));
  await copyFile(join(FIXTURES, 'small.cmds'), join(work, 'cmds', 'small.cmds'));
});

after(async () => {
  for (const dir of cleanup) await removeDir(dir);
});

async function run(eventName: string, event: object, inputs: Record<string, string> = {}) {
  const res = await runAction(action, {
    inputs: {
      mode: 'run',
      build: 'echo compiling the kernel',
      'working-directory': work,
      kernel: 'emulator',
      scripts: 'cmds/*.cmds',
      iterations: '2',
      ...inputs,
    },
    eventName,
    event,
    cwd: work,
    timeoutMs: 180_000,
  });
  cleanup.push(res.home);
  return res;
}

async function legOf(res: ActionRun): Promise<LegResult> {
  return JSON.parse(await readFile(res.outputs['result-json']!, 'utf8')) as LegResult;
}

describe('run mode with the emulated kernel', { timeout: 600_000 }, () => {
  test('pull request without a baseline: runs, summary, outputs, result file, upload skipped', async () => {
    const res = await run('pull_request', pullRequestEvent(12));
    assert.equal(res.exitCode, 0, res.stdout + res.stderr);
    assert.match(
      res.stdout,
      /::group::Build: echo compiling the kernel\ncompiling the kernel\nbuild finished in [\d.]+ s/,
    );
    assert.match(res.stdout, /::group::Script cmds\/small\.cmds × 2/);
    assert.match(res.stdout, new RegExp(`::notice::no baseline yet for ${KEY}/small`));
    assert.match(
      res.stdout,
      /::notice::artifact 'kernel-bench-small-.*-1' not uploaded: no Actions results service/,
    );
    assert.equal(res.outputs.verdict, 'no-baseline');
    assert.equal(res.outputs.regressions, '0');
    const leg = await legOf(res);
    assert.equal(leg.schema, RESULT_SCHEMA);
    assert.equal(leg.leg.key, KEY);
    assert.equal(leg.event.pr, 12);
    assert.equal(leg.event.headSha, 'b'.repeat(40));
    const script = leg.scripts[0]!;
    assert.equal(script.script, 'cmds/small.cmds');
    assert.equal(script.runs.length, 2);
    assert.ok(script.runs.every((r) => r.outcome === 'complete'));
    // Five script lines and stop, measured: the skill execution took time and memory.
    const entries = script.comparison!.entries;
    assert.deepEqual(
      entries.map((e) => e.cmd),
      [
        'add_rs',
        'skills',
        'execute_all Bob 10 5',
        '3 execute_all Cecilia 0 0',
        'cached_skills',
        'stop',
      ],
    );
    assert.ok(entries[0]!.sides[1]!.values.rss! > 0);
    assert.match(res.summary, /## ⚪ kernel-bench: no-baseline/);
    assert.match(res.summary, /`add_rs`/);
  });

  test('push to the default branch saves baselines; the next pull request compares with them', async () => {
    const push = await run('push', pushEvent());
    assert.equal(push.exitCode, 0, push.stdout + push.stderr);
    const saved = join(work, 'baselines', KEY, 'small.json');
    assert.ok(existsSync(saved), 'baseline saved');
    const baseline = JSON.parse(await readFile(saved, 'utf8'));
    assert.equal(baseline.provenance.runs, 2);
    assert.match(push.stdout, /::notice::artifact 'kernel-bench-baselines-.*' not uploaded/);

    const pr = await run('pull_request', pullRequestEvent(12), { thresholds: 'took=50%:50' });
    assert.equal(pr.exitCode, 0, pr.stdout + pr.stderr);
    const leg = await legOf(pr);
    assert.equal(leg.scripts[0]!.baseline, `baselines/${KEY}/small.json`);
    assert.equal(leg.scripts[0]!.comparison!.runs[0]!.source, 'baseline');
    assert.ok(['regressed', 'noisy', 'improved', 'unchanged'].includes(pr.outputs.verdict!));
    assert.equal(leg.scripts[0]!.comparison!.thresholds.took.pct, 50);
  });

  test("a failing build fails the step with the compiler's last lines", async () => {
    const res = await run('pull_request', pullRequestEvent(12), {
      build: "echo 'Compiling pharia-kernel'; echo 'error[E0308]: mismatched types' >&2; exit 101",
    });
    assert.equal(res.exitCode, 1);
    const error = res.stdout.split('\n::error::')[1] ?? '';
    assert.match(error, /build command .* failed after [\d.]+ s \(exit code 101\); last lines:/);
    assert.match(error, /error\[E0308\]: mismatched types/);
    assert.ok(!res.stdout.includes('::group::Script'), 'no script ran');
  });
});

// `mode: report` of the bundled action against a local stand-in for the
// GitHub REST API: the sticky comment, events without a PR, a fork's
// read-only token, the size limit, awkward command text, the workflow_run
// download path, and the token never leaking.
import assert from 'node:assert/strict';
import { mkdtemp, readFile, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { COMMENT_LIMIT, COMMENT_MARKER } from '../src/action/comment.ts';
import { RESULT_FILE, type LegResult } from '../src/action/result.ts';
import type { RunLog } from '../src/runlog/types.ts';
import {
  buildAction,
  fixtureLog,
  makeLeg,
  pullRequestEvent,
  pushEvent,
  removeDir,
  runAction,
  scheduleEvent,
  syntheticLog,
  workflowRunEvent,
  writeLegs,
  type ActionRun,
} from './helpers/action-harness.ts';
import {
  startGitHubStandIn,
  type GitHubStandIn,
  type StandInArtifact,
} from './helpers/github-stand-in.ts';

const TOKEN = 'ghs_kbTestToken0123456789abcdefSECRET';

let action: string;
let mac: RunLog;
let linux: RunLog;
const cleanup: string[] = [];

before(async () => {
  action = await buildAction();
  cleanup.push(action);
  // Real logs: an Apple M3 Pro and an AMD Ryzen run of the same script.
  mac = await fixtureLog('241022_204217.730_run.log');
  linux = await fixtureLog('241022_204217.737_run.log');
});

after(async () => {
  for (const dir of cleanup) await removeDir(dir);
});

/** Two legs, each against a baseline made from the other machine's log, so both show deltas. */
function twoLegs(): LegResult[] {
  return [
    makeLeg({ key: 'linux-x64', baseline: mac, runs: [linux] }),
    makeLeg({ key: 'darwin-arm64', baseline: linux, runs: [mac] }),
  ];
}

async function resultsDir(legs: LegResult[]): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'kb-results-'));
  cleanup.push(dir);
  await writeLegs(dir, legs);
  return dir;
}

async function report(
  gh: GitHubStandIn,
  legs: LegResult[],
  eventName: string,
  event: object,
  inputs: Record<string, string> = {},
): Promise<ActionRun> {
  const run = await runAction(action, {
    inputs: {
      mode: 'report',
      'results-dir': await resultsDir(legs),
      'github-token': TOKEN,
      ...inputs,
    },
    eventName,
    event,
    apiUrl: gh.url,
  });
  cleanup.push(run.home);
  return run;
}

const commentCalls = (gh: GitHubStandIn) => gh.requests.filter((r) => r.path.includes('/issues/'));

/** Everything the action left behind that a user or log reader can see. */
async function visibleTexts(run: ActionRun): Promise<string[]> {
  const files = await readdir(run.home, { recursive: true });
  const texts = [run.stderr, run.summary, JSON.stringify(run.outputs)];
  // The runner consumes ::add-mask:: and never prints it; every other line counts.
  texts.push(
    run.stdout
      .split('\n')
      .filter((l) => !l.startsWith('::add-mask::'))
      .join('\n'),
  );
  for (const f of files) {
    const path = join(run.home, String(f));
    try {
      texts.push(await readFile(path, 'utf8'));
    } catch {
      // directories
    }
  }
  return texts;
}

describe('report mode', () => {
  test('first report on a PR creates one comment with both legs', async () => {
    const gh = await startGitHubStandIn();
    try {
      const run = await report(gh, twoLegs(), 'pull_request', pullRequestEvent(12));
      assert.equal(run.exitCode, 0, run.stdout + run.stderr);
      const posts = gh.requests.filter((r) => r.method === 'POST');
      assert.equal(posts.length, 1);
      assert.equal(posts[0]!.path, '/repos/acme/kernel/issues/12/comments');
      assert.equal(posts[0]!.authorization, `token ${TOKEN}`);
      assert.equal(gh.comments.length, 1);
      const body = gh.comments[0]!.body;
      assert.ok(body.startsWith(COMMENT_MARKER));
      // Headline: both legs regressed on some entry (Ryzen vs M3 and back).
      assert.match(body, /^## .* kernel-bench: regressed \(\d+ regressions\)$/m);
      // One table with a column group per leg.
      assert.match(body, /\| darwin-arm64 took \(ms\) \|.*\| linux-x64 took \(ms\) \|/);
      // Figures from the logs: the first add_py took 3,062 ms on the Ryzen, 3,171 on the M3.
      const addRow = body.split('\n').find((l) => l.includes('| `add_py`'))!;
      assert.ok(addRow.includes('3,171') && addRow.includes('3,062'), addRow);
      assert.match(body, /<details><summary>.*line 1: <code>add_py<\/code><\/summary>/);
      assert.equal(body.match(/```mermaid\nxychart-beta/g)?.length, 2);
      assert.match(body, /title "rss after each command, linux-x64 \(MiB\)"/);
      assert.equal(run.outputs['comment-url'], gh.comments[0]!.html_url);
      assert.equal(run.outputs.verdict, 'regressed');
      assert.ok(Number(run.outputs.regressions) > 0);
      // The summary holds the same report, without the marker.
      assert.match(run.summary, /kernel-bench: regressed/);
      assert.ok(!run.summary.includes(COMMENT_MARKER));
      const merged = JSON.parse(await readFile(run.outputs['result-json']!, 'utf8'));
      assert.deepEqual(
        merged.legs.map((l: LegResult) => l.leg.key),
        ['darwin-arm64', 'linux-x64'],
      );
      for (const text of await visibleTexts(run)) assert.ok(!text.includes(TOKEN));
      for (const r of gh.requests) assert.ok(!JSON.stringify(r.body ?? '').includes(TOKEN));
    } finally {
      await gh.close();
    }
  });

  test('a marked comment on page 2 is updated in place, twice, never duplicated', async () => {
    const others = Array.from({ length: 130 }, (_, i) => ({ body: `LGTM ${i}` }));
    // The old kernel-bench comment sits at position 121 (page 2 at 100 per page).
    others.splice(120, 0, {
      body: `${COMMENT_MARKER}\nold report`,
      login: 'github-actions[bot]',
      type: 'Bot',
    } as never);
    const gh = await startGitHubStandIn({ comments: others });
    try {
      const markedId = gh.comments[120]!.id;
      for (let i = 0; i < 2; i++) {
        const run = await report(gh, twoLegs(), 'pull_request', pullRequestEvent(12));
        assert.equal(run.exitCode, 0, run.stdout + run.stderr);
      }
      const calls = commentCalls(gh);
      assert.equal(calls.filter((r) => r.method === 'POST').length, 0);
      const patches = calls.filter((r) => r.method === 'PATCH');
      assert.equal(patches.length, 2);
      assert.ok(patches.every((p) => p.path === `/repos/acme/kernel/issues/comments/${markedId}`));
      // Both pages were read through the Link header each time.
      const pages = calls.filter((r) => r.method === 'GET').map((r) => r.query.page ?? '1');
      assert.deepEqual(pages, ['1', '2', '1', '2']);
      assert.equal(gh.comments.length, 131);
      assert.equal(gh.comments.filter((c) => c.body.startsWith(COMMENT_MARKER)).length, 1);
      assert.match(gh.comments[120]!.body, /kernel-bench: regressed/);
    } finally {
      await gh.close();
    }
  });

  for (const [name, event] of [
    ['push', pushEvent()],
    ['schedule', scheduleEvent()],
  ] as const) {
    test(`${name}: no comment, a notice, the summary`, async () => {
      const gh = await startGitHubStandIn();
      try {
        const run = await report(gh, twoLegs(), name, event);
        assert.equal(run.exitCode, 0, run.stdout + run.stderr);
        assert.equal(commentCalls(gh).length, 0);
        assert.match(run.stdout, new RegExp(`::notice::no pull request for this '${name}' event`));
        assert.match(run.summary, /kernel-bench: regressed/);
        assert.equal(run.outputs['comment-url'], '');
      } finally {
        await gh.close();
      }
    });
  }

  test("a fork's read-only token: notice about the two-phase setup, summary, exit 0", async () => {
    const gh = await startGitHubStandIn({ readOnly: true });
    try {
      const run = await report(gh, twoLegs(), 'pull_request', pullRequestEvent(12, { fork: true }));
      assert.equal(run.exitCode, 0, run.stdout + run.stderr);
      assert.equal(gh.requests.filter((r) => r.method === 'POST').length, 1);
      assert.match(run.stdout, /::notice::.*HTTP 403, read-only token of a fork.*two-phase setup/);
      assert.ok(!/::error::/.test(run.stdout));
      assert.match(run.summary, /kernel-bench: regressed/);
      assert.equal(run.outputs['comment-url'], '');
      for (const text of await visibleTexts(run)) assert.ok(!text.includes(TOKEN));
    } finally {
      await gh.close();
    }
  });

  test('a report over 65,536 characters is cut, saying how many rows and where they are', async () => {
    // 600 commands with long text on two legs: well over the limit in full.
    const long = (i: number) => `execute_skill sample_py${i} ${'topic'.repeat(14)}_${i} 100 20`;
    const legs = [
      makeLeg({
        key: 'linux-x64',
        baseline: syntheticLog(600, long),
        runs: [syntheticLog(600, long, 1.3)],
      }),
      makeLeg({
        key: 'darwin-arm64',
        baseline: syntheticLog(600, long),
        runs: [syntheticLog(600, long)],
      }),
    ];
    legs.forEach((l) => (l.scripts[0]!.script = 'cmds/big.cmds'));
    const gh = await startGitHubStandIn();
    try {
      const run = await report(gh, legs, 'pull_request', pullRequestEvent(12));
      assert.equal(run.exitCode, 0, run.stdout + run.stderr);
      const body = gh.comments[0]!.body;
      assert.ok(body.length < COMMENT_LIMIT, `${body.length} characters`);
      const m = body.match(/Cut to fit GitHub's comment limit: (\d+) of (\d+) table rows/);
      assert.ok(m, 'cut notice');
      assert.equal(Number(m[2]), 601); // 600 commands and stop
      const shownRows = body.split('\n').filter((l) => /^\| +\d+ \| `execute_skill/.test(l)).length;
      assert.equal(Number(m[1]), 601 - shownRows);
      assert.ok(shownRows > 50, `${shownRows} rows shown`);
      assert.match(body, /`kernel-bench-bench-darwin-arm64-1`, `kernel-bench-bench-linux-x64-1`/);
      // The summary has room for everything.
      assert.ok(run.summary.length > COMMENT_LIMIT);
      assert.ok(!run.summary.includes('Cut to fit'));
    } finally {
      await gh.close();
    }
  });

  test('command text with | and backticks keeps the table intact', async () => {
    const odd = (i: number) => (i === 1 ? 'execute_skill a|b `x` ``y`` c||d' : `skills ${i}`);
    const legs = [
      makeLeg({ key: 'linux-x64', baseline: syntheticLog(3, odd), runs: [syntheticLog(3, odd)] }),
    ];
    const gh = await startGitHubStandIn();
    try {
      const run = await report(gh, legs, 'pull_request', pullRequestEvent(12));
      assert.equal(run.exitCode, 0, run.stdout + run.stderr);
      const body = gh.comments[0]!.body;
      const table = body.split('\n').filter((l) => l.startsWith('|'));
      // Cells split on unescaped pipes only, as GitHub's table parser does.
      const cells = (l: string) => l.replace(/\\\|/g, '').split('|').length;
      assert.ok(table.length >= 5);
      assert.ok(
        table.every((l) => cells(l) === cells(table[0]!)),
        table.join('\n'),
      );
      const row = table.find((l) => l.includes('a\\|b'))!;
      assert.ok(row.includes('```execute_skill a\\|b `x` ``y`` c\\|\\|d```'), row);
    } finally {
      await gh.close();
    }
  });

  test('workflow_run: downloads the triggering run\u2019s artifacts, comments on the PR stored in them', async () => {
    const legs = twoLegs();
    const artifacts: StandInArtifact[] = legs.map((leg, i) => ({
      id: 900 + i,
      name: leg.artifacts[0]!,
      runId: 777,
      files: { [RESULT_FILE]: JSON.stringify(leg), '241022_204217.737_run.log': '{}' },
    }));
    // Another run's artifact with the same prefix must be ignored.
    artifacts.push({ id: 990, name: 'kernel-bench-bench-linux-x64-9', runId: 778, files: {} });
    const gh = await startGitHubStandIn({ artifacts });
    try {
      const run = await runAction(action, {
        inputs: { mode: 'report', 'github-token': TOKEN },
        eventName: 'workflow_run',
        event: workflowRunEvent(777),
        apiUrl: gh.url,
      });
      cleanup.push(run.home);
      assert.equal(run.exitCode, 0, run.stdout + run.stderr);
      const paths = gh.requests.map((r) => `${r.method} ${r.path}`);
      assert.ok(paths.includes('GET /repos/acme/kernel/actions/runs/777/artifacts'));
      assert.ok(paths.includes('GET /repos/acme/kernel/actions/artifacts/900/zip'));
      assert.ok(paths.includes('GET /repos/acme/kernel/actions/artifacts/901/zip'));
      assert.ok(!paths.some((p) => p.includes('/990/')));
      // The fork's run lists no pull request; the legs carried #12.
      assert.ok(paths.includes('POST /repos/acme/kernel/issues/12/comments'));
      assert.match(gh.comments[0]!.body, /`darwin-arm64`.*`linux-x64`/);
      for (const text of await visibleTexts(run)) assert.ok(!text.includes(TOKEN));
    } finally {
      await gh.close();
    }
  });

  test("comment 'on-change' with nothing changed posts nothing new", async () => {
    const same = [makeLeg({ key: 'linux-x64', baseline: linux, runs: [linux] })];
    const gh = await startGitHubStandIn();
    try {
      const run = await report(gh, same, 'pull_request', pullRequestEvent(12), {
        comment: 'on-change',
      });
      assert.equal(run.exitCode, 0, run.stdout + run.stderr);
      assert.equal(run.outputs.verdict, 'unchanged');
      assert.equal(gh.requests.filter((r) => r.method === 'POST').length, 0);
    } finally {
      await gh.close();
    }
  });
});

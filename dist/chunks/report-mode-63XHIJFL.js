import { createRequire as __kbCreateRequire } from 'node:module'; const require = __kbCreateRequire(import.meta.url);
import {
  downloadArtifacts,
  findLegResults,
  getOctokit,
  markerFor,
  mergeLegs,
  readRunEvent,
  renderComment,
  worstVerdict
} from "./chunk-YZ4BDYVM.js";
import {
  group,
  info,
  notice,
  setFailed,
  setOutput,
  summary
} from "./chunk-TFF7XXZR.js";
import "./chunk-DYWQ6MCK.js";
import {
  InputError
} from "./chunk-ANZINBH5.js";

// src/action/report-mode.ts
import { mkdir, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

// src/action/sticky.ts
async function findSticky(octokit, target, marker) {
  for await (const page of octokit.paginate.iterator(octokit.rest.issues.listComments, {
    owner: target.owner,
    repo: target.repo,
    issue_number: target.pr,
    per_page: 100
  })) {
    const hit = page.data.find((c) => (c.body ?? "").startsWith(marker));
    if (hit) return { id: hit.id, body: hit.body ?? "" };
  }
  return void 0;
}
async function upsertSticky(octokit, target, marker, body, createIfMissing = true) {
  if (!Number.isInteger(target.pr) || target.pr <= 0) {
    throw new Error(`upsertSticky: pull request number ${target.pr} is not a positive integer`);
  }
  const existing = await findSticky(octokit, target, marker);
  if (existing) {
    const { data: data2 } = await octokit.rest.issues.updateComment({
      owner: target.owner,
      repo: target.repo,
      comment_id: existing.id,
      body
    });
    return { action: "updated", url: data2.html_url, id: data2.id };
  }
  if (!createIfMissing) return void 0;
  const { data } = await octokit.rest.issues.createComment({
    owner: target.owner,
    repo: target.repo,
    issue_number: target.pr,
    body
  });
  return { action: "created", url: data.html_url, id: data.id };
}

// src/action/report-mode.ts
var TWO_PHASE_HINT = "use the two-phase setup: the pull_request workflow only uploads results, and a workflow_run workflow runs `mode: report` with a write token (see examples/kernel-pr-comment.yml)";
async function reportMode(s) {
  const event = readRunEvent();
  const results = await group("Collect leg results", () => collect(s, event));
  if (results.length === 0) {
    throw new InputError(
      s.resultsDir ? `no kernel-bench-result.json found under results-dir ${s.resultsDir}` : `no '${s.artifactPrefix}-*' artifacts with a kernel-bench-result.json in run ${event.triggeringRunId ?? event.runId}; did the run-mode legs use the same artifact-prefix?`
    );
  }
  const legs = mergeLegs(results);
  const verdict = worstVerdict(legs.map((l) => l.verdict));
  const regressions = legs.reduce((n, l) => n + l.regressions, 0);
  info(`${legs.length} leg(s): ${legs.map((l) => `${l.leg.key} ${l.verdict}`).join(", ")}`);
  const dir = join(process.env.RUNNER_TEMP || tmpdir(), "kernel-bench-report");
  await mkdir(dir, { recursive: true });
  const resultPath = join(dir, "kernel-bench-report.json");
  await writeFile(resultPath, JSON.stringify({ verdict, regressions, legs }, null, 2) + "\n");
  const summary2 = renderComment(legs, { marker: false, budget: 9e5 });
  await summary.addRaw(summary2, true).write();
  setOutput("verdict", verdict);
  setOutput("regressions", String(regressions));
  setOutput("result-json", resultPath);
  const url = await group(
    "Pull request comment",
    () => comment(s, event, legs, verdict === "unchanged")
  );
  setOutput("comment-url", url ?? "");
  if (s.failOnRegression && regressions > 0) {
    setFailed(`${regressions} regression(s) found (fail-on-regression is true)`);
  }
}
async function collect(s, event) {
  if (s.resultsDir) {
    info(`reading leg results from ${s.resultsDir}`);
    return findLegResults(s.resultsDir);
  }
  if (!s.token) {
    throw new InputError(
      `input 'github-token' is empty; report mode needs it (actions: read) to download the legs' artifacts, or set 'results-dir' to a directory holding them`
    );
  }
  const runId = event.triggeringRunId ?? event.runId;
  if (!event.owner || !runId) {
    throw new InputError(
      `cannot tell which workflow run to read artifacts from (GITHUB_REPOSITORY='${event.owner}/${event.repo}', run id ${runId || "unset"}); set 'results-dir' outside GitHub`
    );
  }
  const dest = join(process.env.RUNNER_TEMP || tmpdir(), "kernel-bench-report", "artifacts");
  info(`downloading '${s.artifactPrefix}-*' artifacts of run ${runId}`);
  await downloadArtifacts(
    { token: s.token, owner: event.owner, repo: event.repo, runId },
    s.artifactPrefix,
    dest
  );
  return findLegResults(dest);
}
async function comment(s, event, legs, unchanged) {
  if (s.comment === "never") {
    info(`comment is 'never': the report is in the job summary only`);
    return void 0;
  }
  const pr = event.name === "workflow_run" ? legs.find((l) => l.event.pr)?.event.pr ?? event.pr : event.name.startsWith("pull_request") ? event.pr : null;
  if (!pr) {
    notice(
      `no pull request for this '${event.name}' event: no comment posted; the report is in the job summary`
    );
    return void 0;
  }
  if (!s.token) {
    notice(
      `input 'github-token' is empty: no comment posted; the report is in the job summary`
    );
    return void 0;
  }
  const octokit = getOctokit(s.token);
  const marker = markerFor();
  const body = renderComment(legs);
  const target = { owner: event.owner, repo: event.repo, pr };
  try {
    const res = await upsertSticky(
      octokit,
      target,
      marker,
      body,
      !(s.comment === "on-change" && unchanged)
    );
    if (!res) {
      info(`comment is 'on-change' and nothing changed: no comment posted`);
      return void 0;
    }
    info(`${res.action} comment ${res.url} (${body.length} characters)`);
    return res.url;
  } catch (error) {
    const status = error.status;
    if (status === 403) {
      notice(
        `the token cannot comment on pull request #${pr} (HTTP 403, read-only token${event.fork ? " of a fork" : ""}); the report is in the job summary. To comment, ${TWO_PHASE_HINT}`
      );
      return void 0;
    }
    throw error;
  }
}
export {
  reportMode
};

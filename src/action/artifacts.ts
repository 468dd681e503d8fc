// Artifact upload (run mode) and download (report mode) through
// @actions/artifact. Upload needs the Actions results service, which exists
// only inside a GitHub job; downloads use the public REST API with a token,
// which works for this run and for a triggering run alike.
import * as core from '@actions/core';
import { DefaultArtifactClient } from '@actions/artifact';
import { mkdir } from 'node:fs/promises';
import { join, relative } from 'node:path';

/** True when the job can reach the Actions results service. */
export function canUploadArtifacts(): boolean {
  return Boolean(process.env.ACTIONS_RUNTIME_TOKEN && process.env.ACTIONS_RESULTS_URL);
}

/**
 * Upload `files` (under `root`) as artifact `name`. Returns the name, or
 * null when skipped outside Actions. A name conflict becomes one clear line.
 */
export async function uploadArtifact(
  name: string,
  files: string[],
  root: string,
): Promise<string | null> {
  if (!canUploadArtifacts()) {
    core.notice(
      `artifact '${name}' not uploaded: no Actions results service here ` +
        `(ACTIONS_RUNTIME_TOKEN / ACTIONS_RESULTS_URL unset, i.e. not inside a GitHub job); ` +
        `the files stay in ${root}`,
    );
    return null;
  }
  try {
    const client = new DefaultArtifactClient();
    const res = await client.uploadArtifact(name, files, root, { retentionDays: 30 });
    core.info(`uploaded artifact '${name}' (${files.length} files, ${res.size ?? '?'} bytes)`);
    return name;
  } catch (error) {
    const message = (error as Error).message ?? String(error);
    if (/already exists|conflict|409/i.test(message)) {
      throw new Error(
        `artifact '${name}' already exists in this run: two legs or steps produced the same name ` +
          `(set a distinct 'artifact-prefix' per step)`,
      );
    }
    throw error;
  }
}

export interface DownloadSource {
  token: string;
  owner: string;
  repo: string;
  runId: number;
}

/**
 * Download every artifact of run `source.runId` whose name starts with
 * `prefix` into `dest/<name>/`; returns the directories.
 */
export async function downloadArtifacts(
  source: DownloadSource,
  prefix: string,
  dest: string,
): Promise<string[]> {
  const client = new DefaultArtifactClient();
  const findBy = {
    token: source.token,
    workflowRunId: source.runId,
    repositoryOwner: source.owner,
    repositoryName: source.repo,
  };
  const { artifacts } = await client.listArtifacts({ latest: true, findBy });
  // Only result artifacts: baseline artifacts share the prefix but hold no leg result.
  const mine = artifacts.filter(
    (a) => a.name.startsWith(`${prefix}-`) && !a.name.endsWith('-baselines'),
  );
  const dirs: string[] = [];
  for (const a of mine) {
    const path = join(dest, a.name);
    await mkdir(path, { recursive: true });
    await client.downloadArtifact(a.id, { path, findBy });
    core.info(`downloaded artifact '${a.name}' to ${relative(process.cwd(), path) || '.'}`);
    dirs.push(path);
  }
  return dirs;
}

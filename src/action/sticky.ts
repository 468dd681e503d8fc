// One comment per pull request, updated in place: found by its hidden marker
// through a paginated search of all the PR's comments.
import * as github from '@actions/github';

type Octokit = ReturnType<typeof github.getOctokit>;

export interface StickyTarget {
  owner: string;
  repo: string;
  pr: number;
}

export interface StickyResult {
  action: 'created' | 'updated';
  url: string;
  id: number;
}

/** The first of the PR's comments whose body starts with `marker`, or undefined. */
export async function findSticky(
  octokit: Octokit,
  target: StickyTarget,
  marker: string,
): Promise<{ id: number; body: string } | undefined> {
  // paginate.iterator follows the Link headers page by page and stops early once found.
  for await (const page of octokit.paginate.iterator(octokit.rest.issues.listComments, {
    owner: target.owner,
    repo: target.repo,
    issue_number: target.pr,
    per_page: 100,
  })) {
    const hit = page.data.find((c) => (c.body ?? '').startsWith(marker));
    if (hit) return { id: hit.id, body: hit.body ?? '' };
  }
  return undefined;
}

/**
 * Update the marked comment or create it. `createIfMissing: false` only
 * updates (comment `on-change` with nothing changed).
 */
export async function upsertSticky(
  octokit: Octokit,
  target: StickyTarget,
  marker: string,
  body: string,
  createIfMissing = true,
): Promise<StickyResult | undefined> {
  if (!Number.isInteger(target.pr) || target.pr <= 0) {
    // Never call the API with an empty PR number.
    throw new Error(`upsertSticky: pull request number ${target.pr} is not a positive integer`);
  }
  const existing = await findSticky(octokit, target, marker);
  if (existing) {
    const { data } = await octokit.rest.issues.updateComment({
      owner: target.owner,
      repo: target.repo,
      comment_id: existing.id,
      body,
    });
    return { action: 'updated', url: data.html_url, id: data.id };
  }
  if (!createIfMissing) return undefined;
  const { data } = await octokit.rest.issues.createComment({
    owner: target.owner,
    repo: target.repo,
    issue_number: target.pr,
    body,
  });
  return { action: 'created', url: data.html_url, id: data.id };
}

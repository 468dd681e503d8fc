// The `base-ref` input's second tree: the base commit checked out with
// `git worktree add` beside the pull request's checkout, so both can be built
// and run in one job. Fetching is the workflow's job (actions/checkout with
// `fetch-depth: 0`); this module only resolves what is already there.
import * as core from '@actions/core';
import { execa } from 'execa';
import { existsSync } from 'node:fs';
import { mkdtemp, realpath, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { isAbsolute, join, relative } from 'node:path';
import { InputError } from '../errors.ts';

export interface BaseTree {
  /** The ref as the input gave it. */
  ref: string;
  /** The commit it resolved to. */
  sha: string;
  /** Root of the checkout's git work tree (real path). */
  toplevel: string;
  /** Root of the added worktree. */
  dir: string;
  /** `working-directory`, mapped into the worktree. */
  workingDirectory: string;
  /** `working-directory` relative to `toplevel` ('' at the root). */
  subdir: string;
}

async function git(cwd: string, args: string[]) {
  return execa('git', args, { cwd, reject: false, all: true });
}

/** One line of git's complaint for a message. */
function gitSays(res: { all?: unknown; stderr?: unknown }): string {
  const text = String(res.all ?? res.stderr ?? '').trim();
  return text ? text.split(/\r?\n/).slice(-3).join(' ') : 'no output';
}

/**
 * Resolves `ref` in the git checkout holding `workingDirectory` and adds a
 * detached worktree of it in `parent` (RUNNER_TEMP on GitHub).
 */
export async function addBaseTree(
  workingDirectory: string,
  ref: string,
  parent: string = process.env.RUNNER_TEMP || tmpdir(),
): Promise<BaseTree> {
  const top = await git(workingDirectory, ['rev-parse', '--show-toplevel']);
  if (top.failed) {
    throw new InputError(
      `input 'base-ref' is '${ref}', but working-directory ${workingDirectory} is not inside a ` +
        `git checkout (git rev-parse: ${gitSays(top)}); base-ref needs the repository checked out`,
    );
  }
  const toplevel = await realpath(String(top.stdout).trim());
  const subdir = relative(toplevel, await realpath(workingDirectory));

  const rev = await git(toplevel, ['rev-parse', '--verify', '--quiet', `${ref}^{commit}`]);
  if (rev.failed) {
    throw new InputError(
      `input 'base-ref' is '${ref}', but git does not know that commit in ${toplevel}. ` +
        `The ref must be fetched before this step: give actions/checkout 'fetch-depth: 0' ` +
        `(a shallow clone has only the pull request's commit) and name a ref that exists after ` +
        `it, e.g. 'origin/main' or \${{ github.event.pull_request.base.sha }}`,
    );
  }
  const sha = String(rev.stdout).trim();

  // mkdtemp: a unique name, so parallel steps of one job never share a tree.
  const dir = await mkdtemp(join(parent, 'kernel-bench-base-'));
  const add = await git(toplevel, ['worktree', 'add', '--detach', dir, sha]);
  if (add.failed) {
    await rm(dir, { recursive: true, force: true });
    throw new Error(`git worktree add ${dir} ${sha} (base-ref '${ref}') failed: ${gitSays(add)}`);
  }
  core.info(`base-ref '${ref}' is ${sha}, checked out in ${dir}`);
  const tree: BaseTree = { ref, sha, toplevel, dir, workingDirectory: join(dir, subdir), subdir };
  if (!existsSync(tree.workingDirectory)) {
    await removeBaseTree(tree);
    throw new InputError(
      `input 'working-directory' (${subdir}) does not exist in base-ref '${ref}' (${sha}); ` +
        `the base commit must have the same layout as the pull request`,
    );
  }
  return tree;
}

/** Removes the worktree; a failure is a warning, never masking the step's own error. */
export async function removeBaseTree(tree: BaseTree): Promise<void> {
  const res = await git(tree.toplevel, ['worktree', 'remove', '--force', tree.dir]);
  if (!res.failed) {
    core.info(`removed the base worktree ${tree.dir}`);
    return;
  }
  core.warning(`git worktree remove --force ${tree.dir} failed: ${gitSays(res)}; deleting it`);
  await rm(tree.dir, { recursive: true, force: true }).catch(() => undefined);
  await git(tree.toplevel, ['worktree', 'prune']);
}

/**
 * The kernel argv of the base side: the same path inside the worktree.
 * Undefined (the emulated kernel) stays undefined on both sides.
 */
export function kernelInBase(
  kernel: string[] | undefined,
  workingDirectory: string,
  tree: BaseTree,
): string[] | undefined {
  if (!kernel) return undefined;
  const [bin, ...args] = kernel;
  const fromWd = relative(workingDirectory, bin!);
  const fromTop = join(tree.subdir, fromWd);
  if (isAbsolute(fromWd) || fromTop.startsWith('..')) {
    throw new InputError(
      `input 'kernel' is ${bin}, outside the git checkout ${tree.toplevel}; with base-ref the ` +
        `kernel must be built inside the repository, or both sides would run the same binary`,
    );
  }
  return [join(tree.dir, fromTop), ...args];
}

// Expands the `scripts` input's globs with the toolkit's own matcher, the
// same syntax as other actions' path inputs (`*`, `?`, `[…]`, `**`, `!`).
import * as glob from '@actions/glob';
import { stat } from 'node:fs/promises';
import { isAbsolute, join, relative, sep } from 'node:path';
import { InputError } from '../errors.ts';

/** Files under `root` matching any pattern, as sorted root-relative paths with `/`. */
export async function expandGlobs(root: string, patterns: string[]): Promise<string[]> {
  const found = new Set<string>();
  for (const pattern of patterns) {
    const clean = pattern.replace(/^\.\//, '');
    const absolute = isAbsolute(clean) ? clean : join(root, clean);
    if (!/[*?[]/.test(clean)) {
      // A plain path must exist, so a typo fails loudly instead of running nothing.
      const info = await stat(absolute).catch(() => null);
      if (!info?.isFile()) {
        throw new InputError(
          `input 'scripts': '${pattern}' does not exist in ${root}; expected a .cmds file or a glob`,
        );
      }
      found.add(toRelative(root, absolute));
      continue;
    }
    const globber = await glob.create(absolute, { matchDirectories: false });
    const matches = await globber.glob();
    if (matches.length === 0) {
      throw new InputError(`input 'scripts': '${pattern}' matches no file in ${root}`);
    }
    for (const match of matches) found.add(toRelative(root, match));
  }
  return [...found].sort();
}

function toRelative(root: string, file: string): string {
  return relative(root, file).split(sep).join('/');
}

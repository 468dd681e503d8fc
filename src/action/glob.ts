// Expands the `scripts` input's globs. Node 20 has no fs.glob and no glob
// library is among the dependencies, so this supports the common subset:
// `*` and `?` within one path segment, `**` for any depth, and `{a,b}`.
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { InputError } from '../errors.ts';

// Directories never worth walking into for scripts.
const SKIP_DIRS = new Set(['.git', 'node_modules', 'target']);

/** Files under `root` matching any pattern, as sorted root-relative paths with `/`. */
export async function expandGlobs(root: string, patterns: string[]): Promise<string[]> {
  const found = new Set<string>();
  let all: string[] | undefined;
  for (const pattern of patterns) {
    const clean = pattern.replace(/^\.\//, '');
    if (!/[*?{[]/.test(clean)) {
      // A plain path: must exist, so a typo fails loudly instead of running nothing.
      if (!(await isFile(join(root, clean)))) {
        throw new InputError(
          `input 'scripts': '${pattern}' does not exist in ${root}; expected a .cmds file or a glob`,
        );
      }
      found.add(clean);
      continue;
    }
    all ??= await walk(root);
    const re = globToRegExp(clean);
    const matches = all.filter((f) => re.test(f));
    if (matches.length === 0) {
      throw new InputError(`input 'scripts': '${pattern}' matches no file in ${root}`);
    }
    matches.forEach((m) => found.add(m));
  }
  return [...found].sort();
}

async function walk(root: string, dir = ''): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(join(root, dir), { withFileTypes: true })) {
    const rel = dir ? `${dir}/${e.name}` : e.name;
    if (e.isDirectory() && !SKIP_DIRS.has(e.name)) out.push(...(await walk(root, rel)));
    else if (e.isFile()) out.push(rel);
  }
  return out;
}

async function isFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}

export function globToRegExp(glob: string): RegExp {
  let re = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i];
    if (c === '*' && glob[i + 1] === '*') {
      // `**/` matches zero or more directories; a trailing `**` anything.
      if (glob[i + 2] === '/') {
        re += '(?:.*/)?';
        i += 2;
      } else {
        re += '.*';
        i += 1;
      }
    } else if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else if (c === '{') {
      const end = glob.indexOf('}', i);
      if (end < 0) throw new InputError(`input 'scripts': '${glob}' has '{' without '}'`);
      re += `(?:${glob
        .slice(i + 1, end)
        .split(',')
        .map((alt) => alt.replace(/[.+^$()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*'))
        .join('|')})`;
      i = end;
    } else re += c.replace(/[.+^$()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}

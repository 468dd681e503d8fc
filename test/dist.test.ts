// The committed bundle must be what the sources build to: the action runs
// dist/index.js as committed, never a fresh build.
import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { bundle } from '../scripts/build.mjs';

const root = new URL('..', import.meta.url).pathname;

async function files(dir: string, prefix = ''): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true })) {
    if (e.isDirectory()) out.push(...(await files(join(dir, e.name), `${prefix}${e.name}/`)));
    else out.push(`${prefix}${e.name}`);
  }
  return out.sort();
}

test('dist/ equals a fresh build of src/ (run npm run build and commit dist/)', async () => {
  const out = await mkdtemp(join(tmpdir(), 'kb-dist-'));
  try {
    await bundle(out);
    const fresh = await files(out);
    assert.deepEqual(
      await files(join(root, 'dist')),
      fresh,
      'dist/ has other files than a fresh build',
    );
    for (const file of fresh) {
      const [a, b] = await Promise.all([
        readFile(join(root, 'dist', file)),
        readFile(join(out, file)),
      ]);
      assert.ok(a.equals(b), `dist/${file} differs from a fresh build`);
    }
    assert.ok(
      fresh.includes('index.js') && fresh.includes('cli.js') && fresh.includes('emulator.js'),
    );
  } finally {
    await rm(out, { recursive: true, force: true });
  }
});

// The emulator and its locator as esbuild bundles them (like scripts/build.mjs),
// built into node_modules/.cache so that the bundle still lives inside the
// repository, as dist/ does, without touching dist/.

import assert from 'node:assert/strict';
import { copyFile, mkdir, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { build } from 'esbuild';
import { execa } from 'execa';
import getPort from 'get-port';
import { repoRoot, templatePaths } from '../src/emulator/locate.ts';
import { postJson, until } from './emulator-helpers.ts';

const repo = repoRoot();
const options = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'esm',
  banner: {
    js: "import { createRequire as __kbCreateRequire } from 'node:module'; const require = __kbCreateRequire(import.meta.url);",
  },
  logLevel: 'error',
} as const;

describe('bundled emulator', () => {
  let out: string;
  let skills: string;

  before(async () => {
    const cache = path.join(repo, 'node_modules', '.cache');
    await mkdir(cache, { recursive: true });
    out = await mkdtemp(path.join(cache, 'kb-emulator-bundle-'));
    skills = await mkdtemp(path.join(os.tmpdir(), 'kb-emu-bundle-skills-'));
    await build({
      ...options,
      entryPoints: { emulator: path.join(repo, 'src/emulator/main.ts') },
      outdir: out,
    });
    await build({
      ...options,
      stdin: {
        contents:
          "import { emulatorCommand, templatePaths } from './src/emulator/locate.ts';\n" +
          'console.log(JSON.stringify({ command: emulatorCommand(), templates: templatePaths() }));\n',
        resolveDir: repo,
        sourcefile: 'probe.ts',
        loader: 'ts',
      },
      outfile: path.join(out, 'chunks', 'probe.js'),
    });
  });

  after(async () => {
    await rm(out, { recursive: true, force: true });
    await rm(skills, { recursive: true, force: true });
  });

  test('from a bundle, the command starts <repo>/dist/emulator.js', async () => {
    const { stdout } = await execa(process.execPath, [path.join(out, 'chunks', 'probe.js')]);
    assert.deepEqual(JSON.parse(stdout), {
      command: [process.execPath, '--expose-gc', path.join(repo, 'dist', 'emulator.js')],
      templates: templatePaths(),
    });
  });

  test('the bundled emulator serves, runs a skill and stops on SIGTERM', async () => {
    const port = await getPort({ host: '127.0.0.1' });
    await copyFile(templatePaths().rs, path.join(skills, 'a.wasm'));
    const child = execa(process.execPath, ['--expose-gc', path.join(out, 'emulator.js')], {
      env: {
        PATH: process.env.PATH ?? '',
        KERNEL_ADDRESS: `127.0.0.1:${port}`,
        NAMESPACES__DEV__DIRECTORY: skills,
      },
      extendEnv: false,
      reject: false,
    });
    try {
      await until(
        'the bundled emulator to answer',
        async () => {
          if (child.exitCode !== null) throw new Error('the bundled emulator exited');
          return fetch(`http://127.0.0.1:${port}/health`).then(
            (r) => r.status === 200,
            () => false,
          );
        },
        30_000,
      );
      const res = await postJson(`http://127.0.0.1:${port}/v1/skills/dev/a/run`, {
        topic: 'bundle',
      });
      assert.deepEqual(res, { status: 200, body: 'Hello bundle (held 0 KB in 0 chunks for 0 ms)' });
      child.kill('SIGTERM');
      const result = await child;
      assert.equal(result.exitCode, 0, result.stderr);
      assert.doesNotMatch(result.stdout, /without --expose-gc/);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
      await child;
    }
  });
});

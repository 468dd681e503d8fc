// Where the emulated kernel and the template skills live, from sources or
// from the bundle. The bundler copies this module into dist/cli.js,
// dist/index.js or a chunk under dist/chunks/, so the repository root is
// found by walking up to kernel-bench's package.json, not by a fixed offset.

import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

let root: string | undefined;

/** The directory holding kernel-bench's package.json. */
export function repoRoot(): string {
  if (root) return root;
  const start = path.dirname(fileURLToPath(import.meta.url));
  for (let dir = start; ; dir = path.dirname(dir)) {
    const manifest = path.join(dir, 'package.json');
    if (existsSync(manifest)) {
      try {
        if (
          (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name === 'kernel-bench'
        ) {
          return (root = dir);
        }
      } catch {
        // An unreadable package.json on the way up is not ours; keep walking.
      }
    }
    if (path.dirname(dir) === dir) {
      throw new Error(`Cannot find kernel-bench's package.json above ${start}`);
    }
  }
}

/** True when this module runs as TypeScript (via tsx), not from the bundle. */
function fromSources(): boolean {
  return import.meta.url.endsWith('.ts');
}

/**
 * The argv that starts the emulated kernel as a child process. --expose-gc
 * lets it give memory back right after drops and executions.
 */
export function emulatorCommand(): string[] {
  const repo = repoRoot();
  if (fromSources()) {
    // Resolved here, so the child finds tsx whatever its working directory is.
    const tsx = import.meta.resolve('tsx');
    return [
      process.execPath,
      '--expose-gc',
      '--import',
      tsx,
      path.join(repo, 'src', 'emulator', 'main.ts'),
    ];
  }
  return [process.execPath, '--expose-gc', path.join(repo, 'dist', 'emulator.js')];
}

/** The template skills made by `npm run templates`. */
export function templatePaths(): Record<'py' | 'rs', string> {
  const dir = path.join(repoRoot(), 'templates');
  return { py: path.join(dir, 'sample_py.wasm'), rs: path.join(dir, 'sample_rs.wasm') };
}

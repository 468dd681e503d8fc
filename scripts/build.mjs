// One bundle configuration for every entry point: the action, the CLI and the
// emulated kernel (started as a child process by the other two).
//   node scripts/build.mjs [OUTDIR]   (default dist; tests build elsewhere to compare)
import { build } from 'esbuild';
import { rm } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

export const ENTRIES = {
  index: 'src/action/main.ts',
  cli: 'src/cli/main.ts',
  emulator: 'src/emulator/main.ts',
};

/** Builds `entries` (default: all three) into `outdir`, replacing what was there. */
export async function bundle(outdir, entries = ENTRIES) {
  // Stale chunks from an earlier build must not linger next to the new ones.
  await rm(outdir, { recursive: true, force: true });
  await build({
    absWorkingDir: fileURLToPath(new URL('..', import.meta.url)),
    entryPoints: entries,
    outdir,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'esm',
    splitting: true,
    chunkNames: 'chunks/[name]-[hash]',
    // Some CommonJS dependencies call require(); give the ESM bundle one.
    banner: {
      js: "import { createRequire as __kbCreateRequire } from 'node:module'; const require = __kbCreateRequire(import.meta.url);",
    },
    legalComments: 'none',
    logLevel: 'warning',
  });
}

if (import.meta.url === `file://${process.argv[1]}`) {
  await bundle(process.argv[2] ?? 'dist');
}

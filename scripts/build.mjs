// One bundle configuration for every entry point: the action, the CLI and the
// emulated kernel (started as a child process by the other two).
import { build } from 'esbuild';

const entries = {
  index: 'src/action/main.ts',
  cli: 'src/cli/main.ts',
  emulator: 'src/emulator/main.ts',
};

await build({
  entryPoints: entries,
  outdir: 'dist',
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

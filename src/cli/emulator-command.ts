// `kernel-bench emulator`: the emulated kernel in the foreground.
import type { Command } from 'commander';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

export function registerEmulator(program: Command): void {
  program
    .command('emulator')
    .description(
      'run the emulated kernel in the foreground, configured from the environment like the real one',
    )
    .action(async () => {
      // The emulator gives freed skill memory back through forced collections;
      // the harness starts it with --expose-gc, this command turns it on here.
      if (typeof (globalThis as { gc?: unknown }).gc !== 'function') {
        setFlagsFromString('--expose-gc');
        (globalThis as { gc?: unknown }).gc = runInNewContext('gc');
      }
      // Loaded only now, so that it sees gc().
      const { runEmulator } = await import('../emulator/run.ts');
      await runEmulator(process.env);
    });
}

// `kernel-bench emulator`: the emulated kernel in the foreground.
import type { Command } from 'commander';
import { runEmulator } from '../emulator/run.ts';

export function registerEmulator(program: Command): void {
  program
    .command('emulator')
    .description(
      'run the emulated kernel in the foreground, configured from the environment like the real one',
    )
    .action(async () => {
      await runEmulator(process.env);
    });
}

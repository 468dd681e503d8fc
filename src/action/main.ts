// The action's entry point (bundled to dist/index.js). One catch at the top
// turns any error into a failed step; everything else lives in the modes.
import * as core from '@actions/core';
import { InputError, KernelError } from '../errors.ts';
import { readSettings } from './inputs.ts';

async function main(): Promise<void> {
  try {
    const settings = readSettings();
    // Loaded on demand: report mode never needs the runner and its kernel code.
    if (settings.mode === 'run') await (await import('./run-mode.ts')).runMode(settings);
    else await (await import('./report-mode.ts')).reportMode(settings);
  } catch (error) {
    if (error instanceof InputError || error instanceof KernelError) {
      core.setFailed(error.message);
    } else {
      // A bug or an unexpected service error: keep the stack in the debug log.
      core.debug((error as Error)?.stack ?? String(error));
      core.setFailed(`kernel-bench failed: ${(error as Error)?.message ?? String(error)}`);
    }
  }
}

await main();

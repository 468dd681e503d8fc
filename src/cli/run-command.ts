// `kernel-bench run SCRIPT.cmds`: the main job.
import type { Command } from 'commander';
import { baselineReport, renderRunTable } from '../run/report.ts';
import { runScript, type RunResult } from '../run/runner.ts';
import { EMULATOR_WORD, kernelCommand, positiveIntFlag } from './options.ts';
import { addKernelRunOptions, kernelRunOptions, type KernelRunFlags } from './run-options.ts';

interface RunFlags extends KernelRunFlags {
  kernel?: string;
  out: string;
  iterations: number;
  baselineDir: string;
  report: boolean;
}

/** The same bound as the action's `iterations` input. */
export const MAX_ITERATIONS = 1000;

export function registerRun(program: Command, setExit: (code: number) => void): void {
  const command = program
    .command('run')
    .description('start a kernel, replay a .cmds script against it, and write a run log')
    .argument('<script>', 'the .cmds script')
    .option(
      '--kernel <command>',
      `the kernel command line, or "${EMULATOR_WORD}" (the default: the built-in emulated kernel)`,
    );
  addKernelRunOptions(command, {
    progress: 'auto',
    envHelp: 'extra environment for the kernel (repeatable)',
  })
    .option('--out <dir>', 'where logs are written', 'runs')
    .option(
      '--iterations <n>',
      `run the script this many times, a fresh kernel each (at most ${MAX_ITERATIONS})`,
      positiveIntFlag('--iterations', MAX_ITERATIONS),
      1,
    )
    .option('--baseline-dir <dir>', 'where baselines are looked up for the report', 'baselines')
    .option('--no-report', 'skip the table and the baseline comparison at the end')
    .action(async (scriptPath: string, flags: RunFlags) => {
      const results: RunResult[] = [];
      for (let i = 0; i < flags.iterations; i++) {
        const result = await runScript({
          scriptPath,
          kernel: flags.kernel === undefined ? undefined : kernelCommand(flags.kernel, '--kernel'),
          ...kernelRunOptions(flags),
          env: flags.env,
          outDir: flags.out,
        });
        results.push(result);
        if (result.outcome !== 'complete') break;
      }
      if (flags.report) {
        // The report goes to stdout; progress went to stderr.
        // A run with no entry (its kernel never started) has no table to show.
        for (const result of results) {
          if (result.log.entries.length > 0) {
            process.stdout.write(`\n${renderRunTable(result.log)}\n`);
          }
        }
        const complete = results.filter((r) => r.outcome === 'complete').map((r) => r.log);
        if (complete.length > 0) {
          process.stdout.write(`\n${await baselineReport(complete, flags.baselineDir)}\n`);
        }
      }
      setExit(Math.max(...results.map((r) => r.exitCode)));
    });
}

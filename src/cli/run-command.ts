// `kernel-bench run SCRIPT.cmds`: the main job.
import { Command, Option } from 'commander';
import { API_NAMES, getProfile, type ApiName } from '../kernel/profiles.ts';
import { baselineReport, renderRunTable } from '../run/report.ts';
import { RUN_DEFAULTS, runScript, type RunResult } from '../run/runner.ts';
import { collectPair, durationFlag, parseCommandLine, positiveIntFlag } from './options.ts';

interface RunFlags {
  kernel?: string;
  api: ApiName;
  skill?: Record<string, string>;
  env?: Record<string, string>;
  out: string;
  updateInterval: string;
  timeout?: number;
  readyTimeout?: number;
  stopGrace?: number;
  sampleInterval?: number;
  discoverTimeout?: number;
  logLevel: string;
  progress: 'auto' | 'plain' | 'none';
  iterations: number;
  baselineDir: string;
  report: boolean;
}

/** The same bound as the action's `iterations` input. */
export const MAX_ITERATIONS = 1000;

export function registerRun(program: Command, setExit: (code: number) => void): void {
  program
    .command('run')
    .description('start a kernel, replay a .cmds script against it, and write a run log')
    .argument('<script>', 'the .cmds script')
    .option('--kernel <command>', 'the kernel command line (default: the built-in emulated kernel)')
    .addOption(
      new Option('--api <name>', 'the kernel API generation')
        .choices(API_NAMES)
        .default(RUN_DEFAULTS.api),
    )
    .option(
      '--skill <kind=file>',
      'template .wasm for add_<kind> (repeatable)',
      collectPair('--skill'),
    )
    .option(
      '--env <key=value>',
      'extra environment for the kernel (repeatable)',
      collectPair('--env'),
    )
    .option('--out <dir>', 'where logs are written', 'runs')
    .option(
      '--update-interval <duration>',
      "the kernel's namespace rescan interval",
      RUN_DEFAULTS.updateInterval,
    )
    .option('--timeout <duration>', 'per-request timeout (default 60s)', durationFlag('--timeout'))
    .option(
      '--ready-timeout <duration>',
      'how long the kernel may take to become healthy (default 30s)',
      durationFlag('--ready-timeout'),
    )
    .option(
      '--stop-grace <duration>',
      'SIGTERM to SIGKILL grace at stop (default 30s)',
      durationFlag('--stop-grace'),
    )
    .option(
      '--sample-interval <duration>',
      'memory timeline interval (default 100ms)',
      durationFlag('--sample-interval'),
    )
    .option(
      '--discover-timeout <duration>',
      'how long a deployed skill may take to be listed (default: 3 update intervals, at least 10s)',
      durationFlag('--discover-timeout'),
    )
    .option('--log-level <level>', "the kernel's LOG_LEVEL", RUN_DEFAULTS.logLevel)
    .addOption(
      new Option('--progress <mode>', 'live line on a terminal, else one line per command')
        .choices(['auto', 'plain', 'none'])
        .default('auto'),
    )
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
          kernel:
            flags.kernel === undefined ? undefined : parseCommandLine(flags.kernel, '--kernel'),
          api: flags.api,
          skills: flags.skill,
          env: flags.env,
          outDir: flags.out,
          updateInterval: flags.updateInterval,
          requestTimeoutMs: flags.timeout,
          readyTimeoutMs: flags.readyTimeout,
          stopGraceMs: flags.stopGrace,
          sampleIntervalMs: flags.sampleInterval,
          discoverTimeoutMs: flags.discoverTimeout,
          logLevel: flags.logLevel,
          progress: flags.progress,
          // The token comes from the environment only, never from a flag.
          token: process.env[getProfile(flags.api).tokenVar] || undefined,
        });
        results.push(result);
        if (result.outcome !== 'complete') break;
      }
      if (flags.report) {
        // The report goes to stdout; progress went to stderr.
        for (const result of results) process.stdout.write(`\n${renderRunTable(result.log)}\n`);
        const complete = results.filter((r) => r.outcome === 'complete').map((r) => r.log);
        if (complete.length > 0) {
          process.stdout.write(`\n${await baselineReport(complete, flags.baselineDir)}\n`);
        }
      }
      setExit(Math.max(...results.map((r) => r.exitCode)));
    });
}

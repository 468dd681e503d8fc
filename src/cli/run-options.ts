// The flags that set up a kernel run, shared by `run` and `ab` so both take
// the same options with the same defaults and turn them into RunOptions the
// same way.
import { Option, type Command } from 'commander';
import { API_NAMES, getProfile, type ApiName } from '../kernel/profiles.ts';
import type { ProgressMode } from '../run/progress.ts';
import { RUN_DEFAULTS, type RunOptions } from '../run/runner.ts';
import { collectPair, durationFlag } from './options.ts';

export interface KernelRunFlags {
  api: ApiName;
  skill?: Record<string, string>;
  env?: Record<string, string>;
  updateInterval: string;
  timeout?: number;
  readyTimeout?: number;
  stopGrace?: number;
  sampleInterval?: number;
  discoverTimeout?: number;
  logLevel: string;
  progress: ProgressMode;
}

/** Adds the kernel-run flags; `envHelp` says whom `--env` applies to. */
export function addKernelRunOptions(
  command: Command,
  defaults: { progress: ProgressMode; envHelp: string },
): Command {
  return command
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
    .option('--env <key=value>', defaults.envHelp, collectPair('--env'))
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
        .default(defaults.progress),
    );
}

/** The RunOptions these flags set (everything but the script, kernel, env and output). */
export function kernelRunOptions(
  flags: KernelRunFlags,
): Omit<RunOptions, 'scriptPath' | 'kernel' | 'env' | 'outDir'> {
  return {
    api: flags.api,
    skills: flags.skill,
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
  };
}

// `kernel-bench ab --base CMD --candidate CMD SCRIPT.cmds`: the base and the
// candidate kernel run the script interleaved (ABAB...), a fresh kernel each
// round, then the two sets are compared and the report printed.
import { writeFile } from 'node:fs/promises';
import { Command, Option } from 'commander';
import { EXIT, InputError } from '../errors.ts';
import { AB_DEFAULT_ROUNDS, runAb } from '../ab/ab.ts';
import { describeThresholds, parseThresholds, THRESHOLD_SYNTAX } from '../compare/thresholds.ts';
import { API_NAMES, getProfile, type ApiName } from '../kernel/profiles.ts';
import { RUN_DEFAULTS } from '../run/runner.ts';
import { FORMATS, RENDERERS, type Format } from './compare-command.ts';
import { collectPair, durationFlag, parseCommandLine, positiveIntFlag } from './options.ts';

/** `--base emulator` (or `--candidate emulator`) runs the built-in emulated kernel. */
export const EMULATOR_WORD = 'emulator';

interface AbFlags {
  base: string;
  candidate: string;
  rounds: number;
  api: ApiName;
  skill?: Record<string, string>;
  env?: Record<string, string>;
  baseEnv?: Record<string, string>;
  candidateEnv?: Record<string, string>;
  out: string;
  updateInterval: string;
  readyTimeout?: number;
  format: string;
  threshold: string[];
  failOnRegression?: boolean;
  report?: string;
  progress: 'auto' | 'plain' | 'none';
}

function kernelOf(text: string, flag: string): string[] | undefined {
  return text.trim() === EMULATOR_WORD ? undefined : parseCommandLine(text, flag);
}

export function registerAb(program: Command, setExit: (code: number) => void): void {
  program
    .command('ab')
    .description(
      'run a base and a candidate kernel interleaved (ABAB..., a fresh kernel each round) on one ' +
        'script, then compare the two sets with the t-test of compare (base is a, candidate b)',
    )
    .argument('<script>', 'the .cmds script')
    .requiredOption('--base <command>', `the base kernel command line, or "${EMULATOR_WORD}"`)
    .requiredOption(
      '--candidate <command>',
      `the candidate kernel command line, or "${EMULATOR_WORD}"`,
    )
    .option(
      '--rounds <n>',
      `rounds, each one base and one candidate run (default ${AB_DEFAULT_ROUNDS})`,
      positiveIntFlag('--rounds'),
      AB_DEFAULT_ROUNDS,
    )
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
    .option('--env <key=value>', 'environment for both kernels (repeatable)', collectPair('--env'))
    .option(
      '--base-env <key=value>',
      'environment for the base kernel only (repeatable)',
      collectPair('--base-env'),
    )
    .option(
      '--candidate-env <key=value>',
      'environment for the candidate kernel only (repeatable)',
      collectPair('--candidate-env'),
    )
    .option('--out <dir>', 'where logs are written (<dir>/base, <dir>/candidate)', 'runs/ab')
    .option(
      '--update-interval <duration>',
      "the kernels' namespace rescan interval",
      RUN_DEFAULTS.updateInterval,
    )
    .option(
      '--ready-timeout <duration>',
      'how long a kernel may take to become healthy (default 30s)',
      durationFlag('--ready-timeout'),
    )
    .option('--format <format>', `report format: ${FORMATS.join(', ')}`, 'text')
    .option(
      '--threshold <spec>',
      `override a verdict threshold, repeatable: ${THRESHOLD_SYNTAX}. Defaults: ${describeThresholds()}`,
      (value: string, previous: string[]) => [...previous, value],
      [],
    )
    .option('--fail-on-regression', `exit with code ${EXIT.regression} when a verdict is regressed`)
    .option('--report <file>', 'write the report to FILE instead of stdout')
    .addOption(
      new Option('--progress <mode>', 'live line on a terminal, else one line per command')
        .choices(['auto', 'plain', 'none'])
        .default('none'),
    )
    .action(async (scriptPath: string, flags: AbFlags) => {
      if (!(FORMATS as readonly string[]).includes(flags.format)) {
        throw new InputError(
          `--format ${JSON.stringify(flags.format)}: expected one of ${FORMATS.join(', ')}`,
        );
      }
      const thresholds = parseThresholds(flags.threshold);
      const result = await runAb({
        scriptPath,
        base: { kernel: kernelOf(flags.base, '--base'), env: flags.baseEnv },
        candidate: { kernel: kernelOf(flags.candidate, '--candidate'), env: flags.candidateEnv },
        rounds: flags.rounds,
        outDir: flags.out,
        env: flags.env,
        thresholds,
        run: {
          api: flags.api,
          skills: flags.skill,
          updateInterval: flags.updateInterval,
          readyTimeoutMs: flags.readyTimeout,
          progress: flags.progress,
          // The token comes from the environment only, never from a flag.
          token: process.env[getProfile(flags.api).tokenVar] || undefined,
        },
        onRun: (round, side) =>
          process.stderr.write(`ab: round ${round} of ${flags.rounds}, ${side}\n`),
      });
      if (result.reason) process.stderr.write(`ab: ${result.reason}\n`);
      if (result.comparison) {
        const report = RENDERERS[flags.format as Format](result.comparison);
        if (flags.report) {
          await writeFile(flags.report, report).catch((error: NodeJS.ErrnoException) => {
            throw new InputError(
              `--report ${flags.report}: cannot write the report (${error.code})`,
            );
          });
          process.stderr.write(`wrote ${flags.report}\n`);
        } else {
          process.stdout.write(report);
        }
      }
      const regressed = result.comparison?.overall.status === 'regressed';
      setExit(
        result.exitCode !== EXIT.ok
          ? result.exitCode
          : regressed && flags.failOnRegression
            ? EXIT.regression
            : EXIT.ok,
      );
    });
}

// `kernel-bench ab --base CMD --candidate CMD SCRIPT.cmds`: the base and the
// candidate kernel run the script interleaved (ABAB...), a fresh kernel each
// round, then the two sets are compared and the report printed.
import { writeFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { EXIT, InputError } from '../errors.ts';
import { AB_DEFAULT_ROUNDS, runAb } from '../ab/ab.ts';
import { describeThresholds, parseThresholds, THRESHOLD_SYNTAX } from '../compare/thresholds.ts';
import { FORMATS, RENDERERS, type Format } from './compare-command.ts';
import { collectPair, EMULATOR_WORD, kernelCommand, positiveIntFlag } from './options.ts';
import { addKernelRunOptions, kernelRunOptions, type KernelRunFlags } from './run-options.ts';

interface AbFlags extends KernelRunFlags {
  base: string;
  candidate: string;
  rounds: number;
  baseEnv?: Record<string, string>;
  candidateEnv?: Record<string, string>;
  out: string;
  format: string;
  threshold: string[];
  failOnRegression?: boolean;
  report?: string;
}

export function registerAb(program: Command, setExit: (code: number) => void): void {
  const command = program
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
      'rounds, each one base and one candidate run',
      positiveIntFlag('--rounds'),
      AB_DEFAULT_ROUNDS,
    )
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
    .option('--format <format>', `report format: ${FORMATS.join(', ')}`, 'text')
    .option(
      '--threshold <spec>',
      `override a verdict threshold, repeatable: ${THRESHOLD_SYNTAX}. Defaults: ${describeThresholds()}`,
      (value: string, previous: string[]) => [...previous, value],
      [],
    )
    .option('--fail-on-regression', `exit with code ${EXIT.regression} when a verdict is regressed`)
    .option('--report <file>', 'write the report to FILE instead of stdout');
  addKernelRunOptions(command, {
    progress: 'none',
    envHelp: 'environment for both kernels (repeatable)',
  }).action(async (scriptPath: string, flags: AbFlags) => {
    if (!(FORMATS as readonly string[]).includes(flags.format)) {
      throw new InputError(
        `--format ${JSON.stringify(flags.format)}: expected one of ${FORMATS.join(', ')}`,
      );
    }
    const thresholds = parseThresholds(flags.threshold);
    const result = await runAb({
      scriptPath,
      base: { kernel: kernelCommand(flags.base, '--base'), env: flags.baseEnv },
      candidate: { kernel: kernelCommand(flags.candidate, '--candidate'), env: flags.candidateEnv },
      rounds: flags.rounds,
      outDir: flags.out,
      env: flags.env,
      thresholds,
      run: kernelRunOptions(flags),
      onRun: (round, side) =>
        process.stderr.write(`ab: round ${round} of ${flags.rounds}, ${side}\n`),
    });
    if (result.reason) process.stderr.write(`ab: ${result.reason}\n`);
    if (result.comparison) {
      const report = RENDERERS[flags.format as Format](result.comparison);
      if (flags.report) {
        await writeFile(flags.report, report).catch((error: NodeJS.ErrnoException) => {
          throw new InputError(`--report ${flags.report}: cannot write the report (${error.code})`);
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

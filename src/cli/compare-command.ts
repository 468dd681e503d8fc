// `kernel-bench compare`: read the sides, compare, render, set the exit code.
// All checks throw InputError; the CLI's one top-level catch reports them.
import { writeFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { EXIT, InputError } from '../errors.ts';
import { findBaseline, platformOf } from '../compare/baseline.ts';
import { compare, type Side } from '../compare/compare.ts';
import { isBaselineDir, loadSide } from '../compare/load.ts';
import { renderJson } from '../compare/render-json.ts';
import { renderMarkdown } from '../compare/render-markdown.ts';
import { renderText } from '../compare/render-text.ts';
import { runOfLog } from '../compare/rows.ts';
import {
  describeThresholds,
  parseThresholds,
  THRESHOLD_SYNTAX,
  type Thresholds,
} from '../compare/thresholds.ts';
import type { Comparison } from '../compare/types.ts';

export const FORMATS = ['text', 'markdown', 'json'] as const;
export type Format = (typeof FORMATS)[number];

export const RENDERERS: Record<Format, (c: Comparison) => string> = {
  text: renderText,
  markdown: renderMarkdown,
  json: renderJson,
};

export interface CompareOptions {
  baseline?: string[];
  candidate?: string[];
  format: string;
  threshold: string[];
  failOnRegression?: boolean;
  out?: string;
}

/** The resolved settings of one `compare` call. */
export interface CompareSettings {
  /** Files per side, `a` first. */
  sides: string[][];
  /** `a` came from --baseline: a lone directory there is a baselines directory. */
  baselineFlag: boolean;
  format: Format;
  thresholds: Thresholds;
  failOnRegression: boolean;
  out: string | null;
}

/** Checks the arguments and options together; errors name the flags involved. */
export function resolveCompareSettings(logs: string[], opts: CompareOptions): CompareSettings {
  if (!(FORMATS as readonly string[]).includes(opts.format)) {
    throw new InputError(
      `--format ${JSON.stringify(opts.format)}: expected one of ${FORMATS.join(', ')}`,
    );
  }
  let sides: string[][];
  if (opts.baseline?.length) {
    if (opts.candidate?.length && logs.length) {
      throw new InputError(
        `both --candidate and positional logs (${logs.join(', ')}) given; with --baseline give the ` +
          `candidate runs either after --candidate or as positional logs`,
      );
    }
    const candidate = opts.candidate?.length ? opts.candidate : logs;
    if (!candidate.length) {
      throw new InputError(
        '--baseline needs candidate runs: --candidate FILES... or positional logs',
      );
    }
    sides = [opts.baseline, candidate];
  } else {
    if (opts.candidate?.length) {
      throw new InputError('--candidate needs --baseline FILES... (the runs to compare against)');
    }
    if (logs.length < 2) {
      throw new InputError(
        `compare needs at least two logs (LOG_A LOG_B [LOG_C...]) or --baseline/--candidate; got ${logs.length}`,
      );
    }
    sides = logs.map((l) => [l]);
  }
  return {
    sides,
    baselineFlag: Boolean(opts.baseline?.length),
    format: opts.format as Format,
    thresholds: parseThresholds(opts.threshold),
    failOnRegression: opts.failOnRegression === true,
    out: opts.out ?? null,
  };
}

/**
 * Runs a comparison for the CLI. Returns the report text and the exit code;
 * `report` is null when a baselines directory holds no baseline yet (then
 * `message` says so, and that is not a failure).
 */
export async function runCompare(settings: CompareSettings): Promise<{
  report: string | null;
  message: string | null;
  comparison: Comparison | null;
  exitCode: number;
}> {
  const [aFiles, ...rest] = settings.sides;
  const others: Side[] = [];
  for (const files of rest) others.push(await loadSide(files));
  let a: Side;
  if (settings.baselineFlag && aFiles!.length === 1 && (await isBaselineDir(aFiles![0]!))) {
    // --baseline DIR: the baseline for the candidate's platform and script.
    const first = others[0]!;
    const log = 'logs' in first ? first.logs[0]! : null;
    if (!log)
      throw new InputError(
        `--baseline ${aFiles![0]} is a directory; the candidate must be run logs`,
      );
    const run = runOfLog(log);
    const platform = platformOf(run.machine, run.binary.bin);
    const dash = platform.indexOf('-');
    const found = await findBaseline(
      aFiles![0]!,
      platform.slice(0, dash),
      platform.slice(dash + 1),
      run.script.filename,
      run.script.hash,
    );
    if (!found.baseline)
      return { report: null, message: found.message, comparison: null, exitCode: EXIT.ok };
    a = found;
  } else {
    a = await loadSide(aFiles!);
  }
  const comparison = compare({ sides: [a, ...others], thresholds: settings.thresholds });
  const regressed = comparison.overall.status === 'regressed';
  return {
    report: RENDERERS[settings.format](comparison),
    message: null,
    comparison,
    exitCode: regressed && settings.failOnRegression ? EXIT.regression : EXIT.ok,
  };
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

/**
 * Adds `compare` to the program. `setExit` receives the exit code derived
 * from the result (EXIT.regression with --fail-on-regression); errors are thrown.
 */
export function registerCompare(
  program: Command,
  setExit: (code: number) => void = (code) => {
    process.exitCode = code;
  },
): Command {
  return program
    .command('compare')
    .usage('LOG_A LOG_B [LOG_C...] | --baseline FILES... --candidate FILES... [options]')
    .description(
      'Compare run logs (or baselines) entry by entry: took and rss_diff with the percentage of a, ' +
        'totals, memory per skill, and a verdict per entry and metric.',
    )
    .argument('[logs...]', 'one run log or baseline file per side; the first is a, the reference')
    .option(
      '--baseline <files...>',
      'side a from several runs: run logs, one baseline file, or a baselines directory ' +
        '(<dir>/<os>-<arch>/<script>.json, picked for the candidate). Takes every value after it: ' +
        'put positional candidate logs before it, or use --candidate',
    )
    .option('--candidate <files...>', 'side b from several runs (run logs or one baseline file)')
    .option('--format <format>', `report format: ${FORMATS.join(', ')}`, 'text')
    .option(
      '--threshold <spec>',
      `override a verdict threshold, repeatable: ${THRESHOLD_SYNTAX}. Defaults: ${describeThresholds()}`,
      collect,
      [],
    )
    .option('--fail-on-regression', `exit with code ${EXIT.regression} when a verdict is regressed`)
    .option('--out <file>', 'write the report to FILE instead of stdout')
    .action(async (logs: string[], opts: CompareOptions) => {
      const settings = resolveCompareSettings(logs, opts);
      const result = await runCompare(settings);
      if (result.report === null) {
        process.stderr.write(`${result.message}\n`);
      } else if (settings.out) {
        await writeFile(settings.out, result.report).catch((error: NodeJS.ErrnoException) => {
          throw new InputError(`--out ${settings.out}: cannot write the report (${error.code})`);
        });
        process.stderr.write(`wrote ${settings.out}\n`);
      } else {
        process.stdout.write(result.report);
      }
      setExit(result.exitCode);
    });
}

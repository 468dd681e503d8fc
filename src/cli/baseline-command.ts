// `kernel-bench baseline save LOG... --out baselines/`: keep the figures of
// several complete runs as `<out>/<os>-<arch>/<script name>.json`.
import type { Command } from 'commander';
import { saveBaseline } from '../compare/baseline.ts';
import { readRunLog } from '../runlog/read.ts';

export function registerBaseline(program: Command): Command {
  const baseline = program.command('baseline').description('Manage stored baselines.');
  baseline
    .command('save')
    .usage('LOG... [--out DIR]')
    .description(
      'Save the median and spread of each metric of complete runs of one script, with every raw ' +
        'value, the script hash and where they came from, as <DIR>/<os>-<arch>/<script>.json.',
    )
    .argument('<logs...>', 'run logs of the same script, kernel and platform')
    .option('--out <dir>', 'baselines directory', 'baselines')
    .action(async (logs: string[], opts: { out: string }) => {
      const runs = await Promise.all(logs.map(readRunLog));
      const saved = await saveBaseline(runs, opts.out);
      // "saved …" or "replaced …", naming what the previous baseline was.
      process.stdout.write(`${saved.message}\n`);
    });
  return baseline;
}

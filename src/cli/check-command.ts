// `kernel-bench check SCRIPT.cmds`: validate a script and print its hash.
import type { Command } from 'commander';
import { templatePaths } from '../emulator/locate.ts';
import { describeScript } from '../script/describe.ts';
import { loadScript } from '../script/parse.ts';
import { checkTemplates } from '../run/templates.ts';
import { collectPair } from './options.ts';

export function registerCheck(program: Command): void {
  program
    .command('check')
    .description('validate a .cmds script and print its hash and a summary')
    .argument('<script>', 'the .cmds script')
    .option(
      '--skill <kind=file>',
      'declare a skill kind for add_<kind> (repeatable)',
      collectPair('--skill'),
    )
    .action(async (scriptPath: string, flags: { skill?: Record<string, string> }) => {
      // Same rule as `run`: a declared template must be a readable .wasm file.
      await checkTemplates(flags.skill ?? {});
      const kinds = Object.keys({ ...templatePaths(), ...flags.skill });
      const script = await loadScript(scriptPath, { kinds });
      process.stdout.write(describeScript(script) + '\n');
    });
}

// The kernel-bench command line: parse, call the library, and return an exit
// code derived from the result. One catch turns errors into a message and a code.
import { Command, CommanderError } from 'commander';
import { EXIT, InputError, KernelError, exitCodeOf } from '../errors.ts';
import { VERSION } from '../version.ts';
import { registerAb } from './ab-command.ts';
import { registerBaseline } from './baseline-command.ts';
import { registerCheck } from './check-command.ts';
import { registerCompare } from './compare-command.ts';
import { registerEmulator } from './emulator-command.ts';
import { registerRun } from './run-command.ts';

/** Every command, for parsing and for the README's generated reference. */
export function buildProgram(setExit: (code: number) => void): Command {
  const program = new Command('kernel-bench')
    .version(VERSION)
    .description(
      'Measure a WebAssembly skill kernel per command: time, memory, latency, stop time.',
    )
    .exitOverride()
    .showHelpAfterError('(run kernel-bench help for usage)');
  registerRun(program, setExit);
  registerCheck(program);
  registerEmulator(program);
  registerCompare(program, setExit);
  registerBaseline(program);
  registerAb(program, setExit);
  return program;
}

export async function main(argv: string[]): Promise<number> {
  let code: number = EXIT.ok;
  const program = buildProgram((value) => {
    code = value;
  });
  try {
    await program.parseAsync(argv);
  } catch (error) {
    if (error instanceof CommanderError) {
      // Help and version end in a CommanderError with exit code 0.
      return error.exitCode === 0 ? EXIT.ok : EXIT.input;
    }
    if (error instanceof InputError || error instanceof KernelError) {
      process.stderr.write(`kernel-bench: ${error.message}\n`);
      if (error instanceof KernelError && error.logTail.length > 0) {
        process.stderr.write(`last kernel output:\n${error.logTail.join('\n')}\n`);
      }
      return exitCodeOf(error);
    }
    process.stderr.write(
      `kernel-bench: internal error: ${(error as Error).stack ?? String(error)}\n`,
    );
    return EXIT.internal;
  }
  return code;
}

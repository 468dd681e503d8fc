// Entry point of the emulated kernel: `node --expose-gc dist/emulator.js`, or
// from sources `node --expose-gc --import tsx src/emulator/main.ts`
// (see emulatorCommand() in locate.ts). One catch: bad configuration exits 2.

import { EXIT, InputError } from '../errors.ts';
import { runEmulator } from './run.ts';

try {
  await runEmulator();
  process.exit(EXIT.ok);
} catch (error) {
  if (error instanceof InputError) {
    process.stderr.write(`kernel-bench emulator: ${error.message}\n`);
    process.exit(EXIT.input);
  }
  process.stderr.write(
    `kernel-bench emulator: internal error: ${(error as Error)?.stack ?? String(error)}\n`,
  );
  process.exit(EXIT.internal);
}

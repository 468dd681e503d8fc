import { createRequire as __kbCreateRequire } from 'node:module'; const require = __kbCreateRequire(import.meta.url);
import {
  runEmulator
} from "./chunks/chunk-OLAIXWAZ.js";
import "./chunks/chunk-WLYL4IZA.js";
import {
  EXIT,
  InputError
} from "./chunks/chunk-ANZINBH5.js";

// src/emulator/main.ts
try {
  await runEmulator();
  process.exit(EXIT.ok);
} catch (error) {
  if (error instanceof InputError) {
    process.stderr.write(`kernel-bench emulator: ${error.message}
`);
    process.exit(EXIT.input);
  }
  process.stderr.write(
    `kernel-bench emulator: internal error: ${error?.stack ?? String(error)}
`
  );
  process.exit(EXIT.internal);
}

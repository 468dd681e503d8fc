// Skill templates (`--skill KIND=FILE` and the emulator's own): each must be a
// readable regular file holding WebAssembly, checked before anything starts.
import { open, stat } from 'node:fs/promises';
import { InputError } from '../errors.ts';

const WASM_MAGIC = Buffer.from([0x00, 0x61, 0x73, 0x6d]); // "\0asm"

/** Throws an InputError naming `--skill KIND=FILE` unless FILE is a readable .wasm file. */
export async function checkTemplate(kind: string, file: string): Promise<void> {
  const fail = (problem: string) =>
    new InputError(
      `--skill ${kind}=${file}: ${problem} (the template for add_${kind}); ` +
        `expected --skill ${kind}=PATH of a readable .wasm file (starting with \\0asm)`,
    );
  // stat first: opening a FIFO would block.
  const info = await stat(file).catch((error: NodeJS.ErrnoException) => error);
  if (info instanceof Error) {
    throw fail(info.code === 'ENOENT' ? 'no such file' : `cannot be read (${info.code})`);
  }
  if (!info.isFile()) throw fail('not a regular file');
  const head = Buffer.alloc(4);
  let got: number;
  try {
    const handle = await open(file, 'r');
    try {
      ({ bytesRead: got } = await handle.read(head, 0, 4, 0));
    } finally {
      await handle.close();
    }
  } catch (error) {
    throw fail(`cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  if (got < 4 || !head.equals(WASM_MAGIC)) {
    const start = JSON.stringify(head.subarray(0, got).toString('latin1'));
    throw fail(`not WebAssembly (starts with ${start}, not "\\0asm")`);
  }
}

/** Checks every template in `templates` (kind → file), in kind order. */
export async function checkTemplates(templates: Record<string, string>): Promise<void> {
  for (const kind of Object.keys(templates).sort()) await checkTemplate(kind, templates[kind]!);
}

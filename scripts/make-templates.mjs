// Writes the template skills the emulated kernel loads: small but valid core
// WebAssembly modules, padded to a Python-like (~1 MiB) and a Rust-like
// (~64 KiB) size with a data segment of pseudo-random bytes. Every byte is
// deterministic, so running this again changes nothing.
//
//   node scripts/make-templates.mjs [OUT_DIR]   (npm run templates; OUT_DIR defaults to templates/)

import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const outDir = path.resolve(
  process.argv[2] ?? path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'templates'),
);

const TEMPLATES = [
  { file: 'sample_py.wasm', size: 1024 * 1024, seed: 0x9e3779b9 },
  { file: 'sample_rs.wasm', size: 64 * 1024, seed: 0x85ebca6b },
];

/** Unsigned LEB128, as the binary format encodes sizes and counts. */
function leb(n) {
  const out = [];
  do {
    let byte = n & 0x7f;
    n >>>= 7;
    if (n !== 0) byte |= 0x80;
    out.push(byte);
  } while (n !== 0);
  return out;
}

function section(id, payload) {
  return [id, ...leb(payload.length), ...payload];
}

function name(text) {
  const bytes = [...Buffer.from(text, 'utf8')];
  return [...leb(bytes.length), ...bytes];
}

/** xorshift32: a fixed seed gives the same bytes on every machine. */
function randomBytes(length, seed) {
  const out = Buffer.alloc(length);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < length; i++) {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    out[i] = x & 0xff;
  }
  return out;
}

/**
 * (module
 *   (memory (export "memory") PAGES)
 *   (func (export "run") (result i32) (i32.load8_u (i32.const 0)))
 *   (data (i32.const 0) "<dataLength pseudo-random bytes>"))
 */
function moduleBytes(dataLength, seed) {
  const pages = Math.max(1, Math.ceil(dataLength / 65536));
  const type = section(1, [1, 0x60, 0, 1, 0x7f]);
  const func = section(3, [1, 0]);
  const memory = section(5, [1, 0, ...leb(pages)]);
  const exports = section(7, [2, ...name('memory'), 2, 0, ...name('run'), 0, 0]);
  const body = [0, 0x41, 0, 0x2d, 0, 0, 0x0b]; // no locals; i32.const 0; i32.load8_u; end
  const code = section(10, [1, ...leb(body.length), ...body]);
  const segmentHead = [1, 0, 0x41, 0, 0x0b, ...leb(dataLength)]; // one active segment at offset 0
  const dataSize = segmentHead.length + dataLength;
  const header = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];
  const head = Buffer.from([
    ...header,
    ...type,
    ...func,
    ...memory,
    ...exports,
    ...code,
    11,
    ...leb(dataSize),
    ...segmentHead,
  ]);
  return Buffer.concat([head, randomBytes(dataLength, seed)]);
}

/** The module whose total size is exactly `size` (LEB128 widths settle in a few steps). */
function moduleOfSize(size, seed) {
  let dataLength = size - 64;
  for (let i = 0; i < 8; i++) {
    const bytes = moduleBytes(dataLength, seed);
    if (bytes.length === size) return bytes;
    dataLength += size - bytes.length;
  }
  throw new Error(`cannot reach exactly ${size} bytes`);
}

mkdirSync(outDir, { recursive: true });
for (const { file, size, seed } of TEMPLATES) {
  const bytes = moduleOfSize(size, seed);
  // Catch a malformed module here rather than in a test.
  if (!WebAssembly.validate(bytes)) throw new Error(`${file}: generated module does not validate`);
  const target = path.join(outDir, file);
  let same = false;
  try {
    same = readFileSync(target).equals(bytes);
  } catch {
    // Not there yet.
  }
  if (!same) writeFileSync(target, bytes);
  console.log(
    `${same ? 'unchanged' : 'wrote'} ${path.relative(process.cwd(), target)} (${bytes.length} bytes)`,
  );
}

// Memory the emulator holds on purpose: per loaded skill, and per execution.
//
// Both live in WebAssembly.Memory objects rather than Buffers. V8 maps wasm
// memories with mmap and unmaps them when they are collected, so freeing one
// gives its pages back to the OS at once. Buffers go through malloc, whose
// dynamic mmap threshold moves after the first large free and then keeps
// freed blocks in the heap, so RSS would not go down after a drop. The price
// is a virtual size like a real wasm runtime's: each memory reserves about
// 10 GiB of address space (VmSize in the terabytes under load).
//
// RSS of a JS process is still noisier than the Rust kernel's: the V8 heap
// grows and shrinks on its own, and freed memories go back only at a garbage
// collection. `release()` forces one when node runs with --expose-gc.

import { MAX_MEMORY_KB } from './config.ts';

const PAGE = 64 * 1024;
const MAX_PAGES = (MAX_MEMORY_KB * 1024) / PAGE;
/** Non-zero, so every page is really written (zero pages may stay shared). */
const FILL = 0x5a;

/** A wasm memory of at least `bytes`, every byte written so it is resident. */
export function holdMemory(bytes: number): WebAssembly.Memory {
  const pages = Math.ceil(bytes / PAGE);
  if (pages > MAX_PAGES) throw new RangeError(`${bytes} bytes is above a wasm memory's 4 GiB`);
  const memory = new WebAssembly.Memory({ initial: pages, maximum: pages });
  new Uint8Array(memory.buffer).fill(FILL);
  return memory;
}

export interface Allocation {
  /** Null when nothing was asked for. */
  memory: WebAssembly.Memory | null;
  chunks: number;
  bytes: number;
}

/**
 * Allocates `kb` KiB the way the sample skill does: up to 300 KiB at once,
 * above that in chunks of random size between 100 and 300 KiB (the last one
 * takes the remainder). One memory grows for each chunk, as a skill's linear
 * memory grows, and each chunk is written.
 */
export function allocateLikeSkill(kb: number, random: () => number = Math.random): Allocation {
  if (kb <= 0) return { memory: null, chunks: 0, bytes: 0 };
  const total = kb * 1024;
  const memory = new WebAssembly.Memory({ initial: 0, maximum: MAX_PAGES });
  let used = 0;
  let chunks = 0;
  while (used < total) {
    const size =
      kb <= 300 ? total : Math.min(total - used, (100 + Math.floor(random() * 201)) * 1024);
    const capacity = memory.buffer.byteLength;
    if (used + size > capacity) memory.grow(Math.ceil((used + size - capacity) / PAGE));
    new Uint8Array(memory.buffer, used, size).fill(FILL);
    used += size;
    chunks += 1;
  }
  return { memory, chunks, bytes: total };
}

const gc = (globalThis as { gc?: () => void }).gc;

/** True when memory can be given back on demand (node started with --expose-gc). */
export const canRelease = typeof gc === 'function';

/**
 * Frees unreferenced memories now. Two collections: the first one only
 * finalises a dropped memory, the second one unmaps it (measured on Node 20;
 * one collection left it resident nine times out of ten).
 */
export function release(): void {
  if (!gc) return;
  gc();
  gc();
}

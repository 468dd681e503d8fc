// Line 1 of a run log: what machine the run was measured on, named the way
// the legacy tool named it so old and new logs read alike.

import os from 'node:os';
import si from 'systeminformation';
import type { MachineLine } from '../runlog/types.ts';

/** Node's `process.arch` names → the legacy log's names. */
export const ARCH_NAMES: Readonly<Record<string, string>> = {
  x64: 'X86_64',
  arm64: 'ARM_8',
  arm: 'ARM_7',
  ia32: 'X86_32',
};

/** `x64` → `X86_64`, ...; architectures the legacy tool never saw are uppercased. */
export function archName(nodeArch: string): string {
  return ARCH_NAMES[nodeArch] ?? nodeArch.toUpperCase();
}

/** `AMD` + `Ryzen 7 PRO 5750G` → `AMD Ryzen 7 PRO 5750G`; null when both are empty. */
export function brandName(
  manufacturer: string | undefined,
  brand: string | undefined,
): string | null {
  const maker = (manufacturer ?? '').trim();
  const model = (brand ?? '').trim();
  if (!model) return maker || null;
  if (!maker || model.toLowerCase().startsWith(maker.toLowerCase())) return model;
  return `${maker} ${model}`;
}

const GIB = 1024 ** 3;

/**
 * Reads the machine line. Never throws: a value that cannot be read, or is
 * not read within `timeoutMs` (systeminformation runs tools that can be
 * slow), is null.
 */
export async function readMachine(options: { timeoutMs?: number } = {}): Promise<MachineLine> {
  const timeoutMs = options.timeoutMs ?? 5000;
  const [cpu, mem] = await Promise.all([
    within(timeoutMs, () => si.cpu()),
    within(timeoutMs, () => si.mem()),
  ]);
  return {
    arch: archName(os.arch()),
    brand: cpu ? brandName(cpu.manufacturer, cpu.brand) : null,
    cores: positive(cpu?.cores) ?? positive(os.cpus().length),
    memory_total: mem && positive(mem.total) ? Math.round(mem.total / GIB) : null,
    memory_available: mem && positive(mem.available) ? Math.round(mem.available / GIB) : null,
    os: process.platform,
  };
}

function positive(value: number | undefined): number | null {
  return typeof value === 'number' && Number.isFinite(value) && value > 0 ? value : null;
}

/** The value, or null on failure or after `ms`. */
async function within<T>(ms: number, read: () => Promise<T>): Promise<T | null> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<null>((resolve) => {
    timer = setTimeout(() => resolve(null), ms);
  });
  try {
    return await Promise.race([read().catch(() => null), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

import { test } from 'node:test';
import assert from 'node:assert/strict';
import os from 'node:os';
import { archName, brandName, readMachine } from '../src/measure/machine.ts';

// First: later calls may be answered from systeminformation's cache.
test('readMachine gives nulls, not an error, when systeminformation is too slow', async () => {
  const machine = await readMachine({ timeoutMs: 1 });
  assert.equal(machine.brand, null);
  assert.equal(machine.memory_total, null);
  assert.equal(machine.memory_available, null);
  // Known without systeminformation.
  assert.equal(machine.arch, archName(process.arch));
  assert.equal(machine.cores, os.cpus().length);
});

test('readMachine describes this machine', { timeout: 30_000 }, async () => {
  const machine = await readMachine();
  const expected: Record<string, string> = { x64: 'X86_64', arm64: 'ARM_8' };
  if (expected[process.arch]) assert.equal(machine.arch, expected[process.arch]);
  assert.equal(machine.cores, os.cpus().length);
  assert.equal(machine.os, process.platform);
  assert.equal(machine.memory_total, Math.round(os.totalmem() / 1024 ** 3));
  assert.ok(machine.memory_available !== null);
  assert.ok(machine.memory_available >= 0 && machine.memory_available <= machine.memory_total!);
  assert.ok(machine.brand && machine.brand.length > 2, `brand ${machine.brand}`);
});

test('archName uses the legacy names', () => {
  assert.equal(archName('x64'), 'X86_64');
  assert.equal(archName('arm64'), 'ARM_8');
  assert.equal(archName('arm'), 'ARM_7');
  assert.equal(archName('ia32'), 'X86_32');
  assert.equal(archName('riscv64'), 'RISCV64');
});

test('brandName joins maker and model as the legacy logs show', () => {
  assert.equal(
    brandName('AMD', 'Ryzen 7 PRO 5750G with Radeon Graphics'),
    'AMD Ryzen 7 PRO 5750G with Radeon Graphics',
  );
  assert.equal(brandName('Apple', 'M3 Pro'), 'Apple M3 Pro');
  assert.equal(brandName('Intel', 'Intel Xeon'), 'Intel Xeon');
  assert.equal(brandName('', 'EPYC 7301'), 'EPYC 7301');
  assert.equal(brandName('', ''), null);
  assert.equal(brandName(undefined, undefined), null);
});

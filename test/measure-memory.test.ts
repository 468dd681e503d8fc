import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { execa } from 'execa';
import { treePids } from '../src/measure/tree.ts';
import {
  closeMeasurements,
  peakSource,
  readMemory,
  readMemoryOnly,
  readPeak,
  resetPeak,
} from '../src/measure/memory.ts';
import { MIB, startChild, until } from './fixtures/measure/helpers.ts';

const linux = process.platform === 'linux';
after(() => closeMeasurements());

/** The pid of a process that has exited and been reaped. */
async function goneId(): Promise<number> {
  const done = execa(process.execPath, ['-e', '0']);
  await done;
  return done.pid!;
}

for (const source of ['proc', 'portable'] as const) {
  describe(`treePids (${source})`, () => {
    test('lists a wrapper shell first, then its child', { timeout: 30_000 }, async () => {
      const child = await startChild({ shell: true });
      try {
        const pids = await treePids(child.pid, source);
        assert.equal(pids.length, 2, `pids: ${pids.join(',')}`);
        assert.equal(pids[0], child.pid);
      } finally {
        await child.stop();
      }
    });

    test('gives [] for a pid that no longer exists', async () => {
      assert.deepEqual(await treePids(await goneId(), source), []);
    });
  });
}

describe('readMemory', () => {
  test(
    'reads one process, and sees 50 MiB more once it holds them',
    { timeout: 30_000 },
    async () => {
      const child = await startChild();
      try {
        const idle = await readMemory(child.pid);
        assert.ok(idle, 'a live process gives a reading');
        assert.deepEqual(idle.pids, [child.pid]);
        // A bare node process is a few tens of MiB resident, far more virtual.
        assert.ok(idle.rss > 10 * MIB && idle.rss < 500 * MIB, `rss ${idle.rss} KiB`);
        assert.ok(idle.vms > idle.rss, `vms ${idle.vms} KiB, rss ${idle.rss} KiB`);
        assert.ok(Number.isInteger(idle.cpuMs) && idle.cpuMs >= 0, `cpuMs ${idle.cpuMs}`);

        await child.ask('hold', 'held');
        const holding = await readMemory(child.pid);
        assert.ok(holding);
        assert.ok(holding.rss - idle.rss >= 45 * MIB, `rss grew by ${holding.rss - idle.rss} KiB`);
        assert.ok(holding.at > idle.at);
      } finally {
        await child.stop();
      }
    },
  );

  test('counts the CPU the process spends', { timeout: 30_000 }, async () => {
    const child = await startChild();
    try {
      const before = await readMemory(child.pid);
      await child.ask('busy', 'busy'); // 300 ms of CPU time
      const after = await readMemory(child.pid);
      assert.ok(before && after);
      // Clock ticks are 10 ms: allow for rounding at both ends.
      assert.ok(after.cpuMs - before.cpuMs >= 270, `cpu grew by ${after.cpuMs - before.cpuMs} ms`);
    } finally {
      await child.stop();
    }
  });

  test('sums a wrapper tree (`sh -c` and its node child)', { timeout: 30_000 }, async () => {
    const child = await startChild({ shell: true });
    try {
      const tree = await readMemory(child.pid);
      assert.ok(tree);
      assert.equal(tree.pids.length, 2);
      assert.equal(tree.pids[0], child.pid);
      const [, nodePid] = tree.pids;
      const shellOnly = await readMemory(child.pid, { pids: [child.pid] });
      const nodeOnly = await readMemory(nodePid!, { pids: [nodePid!] });
      assert.ok(shellOnly && nodeOnly);
      // The node child dominates; the sum is both (give or take pages touched in between).
      assert.ok(nodeOnly.rss > 10 * MIB, `node rss ${nodeOnly.rss}`);
      assert.ok(Math.abs(tree.rss - (shellOnly.rss + nodeOnly.rss)) < 5 * MIB);
      assert.ok(tree.rss > nodeOnly.rss);
    } finally {
      await child.stop();
    }
  });

  test('is null for a process that is gone', async () => {
    const pid = await goneId();
    assert.equal(await readMemory(pid), null);
    assert.equal(await readMemory(pid, { pids: [pid] }), null);
  });

  test(
    'is null for a zombie, and leaves zombie children out of a tree',
    { skip: !linux && 'zombies are detected through /proc (Linux)', timeout: 30_000 },
    async () => {
      // sh starts `sleep 0.1` in the background, then becomes `sleep 30`,
      // which never reaps it: the short sleep stays a zombie.
      const parent = execa('sh', ['-c', 'sleep 0.1 & exec sleep 30'], { reject: false });
      try {
        let pids: number[] = [];
        await until(async () => (pids = await treePids(parent.pid!)).length === 2, 'two pids');
        const zombie = pids[1]!;
        await until(
          () => /State:\s+Z/.test(readStatusText(zombie)),
          'the background sleep to become a zombie',
        );
        assert.equal(await readMemory(zombie, { pids: [zombie] }), null);
        const tree = await readMemory(parent.pid!);
        assert.ok(tree);
        assert.deepEqual(tree.pids, [parent.pid]);
      } finally {
        parent.kill();
        await parent;
      }
    },
  );

  test('the portable source (pidusage + ps) agrees with /proc', { timeout: 30_000 }, async () => {
    const child = await startChild();
    try {
      const proc = await readMemory(child.pid, { source: 'proc' });
      const portable = await readMemory(child.pid, { source: 'portable' });
      assert.ok(proc && portable);
      assert.deepEqual(portable.pids, [child.pid]);
      // Same process, read moments apart: within a few MiB.
      assert.ok(Math.abs(portable.rss - proc.rss) < 5 * MIB, `${portable.rss} vs ${proc.rss}`);
      assert.ok(Math.abs(portable.vms - proc.vms) < 50 * MIB, `${portable.vms} vs ${proc.vms}`);
      assert.ok(portable.cpuMs >= 0);
    } finally {
      await child.stop();
    }
  });

  test('readMemoryOnly skips CPU on Linux', { timeout: 30_000 }, async () => {
    const child = await startChild();
    try {
      const reading = await readMemoryOnly(child.pid, { pids: [child.pid] });
      assert.ok(reading);
      assert.equal(reading.cpuMs, linux ? null : reading.cpuMs);
      assert.ok(reading.rss > 10 * MIB);
    } finally {
      await child.stop();
    }
  });
});

describe('peaks', () => {
  test(
    'resetPeak + readPeak catch a 50 MiB spike that before/after readings miss',
    { skip: !linux && 'VmHWM and clear_refs are Linux only', timeout: 30_000 },
    async () => {
      const child = await startChild();
      try {
        await child.ask('hold', 'held');
        await child.ask('free', 'freed');
        // The hold above already raised the high-water mark: reset it.
        assert.equal(await resetPeak([child.pid]), true);
        assert.equal(peakSource(), 'hwm');
        const before = await readMemory(child.pid);
        const resetTo = await readPeak([child.pid]);
        assert.ok(before && resetTo !== null);
        assert.ok(resetTo < before.rss + 5 * MIB, `peak after reset ${resetTo}, rss ${before.rss}`);

        await child.ask('spike', 'spiked');
        const after = await readMemory(child.pid);
        const peak = await readPeak([child.pid]);
        assert.ok(after && peak !== null);
        assert.ok(after.rss - before.rss < 20 * MIB, `after - before = ${after.rss - before.rss}`);
        assert.ok(peak - before.rss >= 45 * MIB, `peak ${peak}, before ${before.rss}`);
      } finally {
        await child.stop();
      }
    },
  );

  test(
    'readPeak of a tree sums the per-process peaks',
    { skip: !linux && 'VmHWM is Linux only', timeout: 30_000 },
    async () => {
      const child = await startChild({ shell: true });
      try {
        const tree = await readMemory(child.pid);
        assert.ok(tree);
        assert.equal(await resetPeak(tree.pids), true);
        const peak = await readPeak(tree.pids);
        assert.ok(peak !== null && peak >= tree.rss - 1 * MIB, `peak ${peak}, rss ${tree.rss}`);
      } finally {
        await child.stop();
      }
    },
  );

  test('resetPeak and readPeak report nothing for gone pids', async () => {
    const pid = await goneId();
    assert.equal(await resetPeak([pid]), false);
    assert.equal(await readPeak([pid]), null);
  });

  test('peakSource names hwm on Linux, samples elsewhere', () => {
    assert.equal(peakSource(), linux ? 'hwm' : 'samples');
  });
});

function readStatusText(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/status`, 'latin1');
  } catch {
    return '';
  }
}

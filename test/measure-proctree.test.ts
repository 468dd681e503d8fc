import assert from 'node:assert/strict';
import { test } from 'node:test';
import { execa } from 'execa';
import { procTreePids, psTreePids } from '../src/measure/tree.ts';

test(
  'procTreePids lists the same tree as ps, without running ps',
  { skip: process.platform !== 'linux' },
  async () => {
    // A shell with two sleeping children, one of them a grandchild.
    const shell = execa('sh', ['-c', 'sleep 30 & sh -c "sleep 30 & wait" & wait']);
    try {
      let fromProc: number[] | null = [];
      // The shell forks its children right after starting: poll until both layers are there.
      for (let i = 0; i < 100; i++) {
        fromProc = procTreePids(shell.pid!);
        if (fromProc !== null && fromProc.length >= 4) break;
        await new Promise((r) => setTimeout(r, 50));
      }
      assert.ok(fromProc, '/proc/PID/task/TID/children is missing on this kernel');
      assert.equal(fromProc[0], shell.pid);
      assert.equal(fromProc.length, 4);
      assert.deepEqual([...fromProc].sort(), [...(await psTreePids(shell.pid!))].sort());
    } finally {
      shell.kill('SIGKILL');
      await shell.catch(() => {});
    }
    assert.deepEqual(procTreePids(shell.pid!), []);
  },
);

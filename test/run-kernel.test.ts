// End-to-end: how the kernel process is handled, a wrapper shell whose child
// is the real kernel, and a harness that exits as soon as the run is over.

import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { emulatorCommand } from '../src/emulator/locate.ts';
import {
  alive,
  cleanup,
  gone,
  readRun,
  runCli,
  startCli,
  strayChildren,
  tempDir,
  whenStderr,
  writeScript,
} from './fixtures/run/cli.ts';

after(cleanup);

const FAST = ['--progress', 'plain', '--update-interval', '100ms'];

test(
  'a wrapper kernel: memory over the tree, the stop waits for the child, nothing left',
  { timeout: 120_000 },
  async () => {
    const dir = tempDir();
    const script = writeScript(dir, 'wrapped.cmds', ['add_rs', 'execute_skill sample_rs1 A 0 0']);
    const out = join(dir, 'out');
    // `; :` keeps sh (dash here) as the parent instead of exec-ing node.
    const inner = emulatorCommand()
      .map((word) => `"${word}"`)
      .join(' ');
    const cli = await runCli([
      'run',
      script,
      '--out',
      out,
      ...FAST,
      '--kernel',
      `sh -c '${inner} ; :'`,
      // The emulator takes 400 ms to stop after SIGTERM; sh dies at once.
      '--env',
      'KB_EMU_STOP_DELAY_MS=400',
    ]);
    assert.equal(cli.code, 0, cli.stderr);
    const run = readRun(out);
    assert.equal(run.binary.emulated, false);
    // Only the emulated kernel runs on kernel-bench's node.
    assert.equal((run.binary.settings as { runtime?: string }).runtime, undefined);
    assert.deepEqual((run.binary.command as string[]).slice(0, 2), ['sh', '-c']);
    const shPid = run.kernelPid!;
    for (const entry of run.entries) {
      assert.ok(entry.pids!.length >= 2, `${entry.cmd}: pids ${entry.pids}`);
      assert.equal(entry.pids![0], shPid);
      // A dash alone holds a few MB; node under it tens of MB.
      assert.ok(entry.rss > 20_000, `${entry.cmd}: rss ${entry.rss}`);
      assert.equal(entry.failed, undefined);
    }
    assert.ok(run.samples.some((s) => s.pids >= 2));
    const stop = run.stop!;
    assert.equal(stop.killed, false);
    assert.ok(
      stop.took >= 390 && stop.took < 5000,
      `stop took ${stop.took}: until the child is gone`,
    );
    for (const pid of run.entries.flatMap((e) => e.pids!))
      assert.ok(await gone(pid, 2000), `pid ${pid} left`);
    assert.deepEqual(strayChildren(), []);
  },
);

test(
  'keep-alive sockets: a quick stop, and the CLI exits right after the run',
  { timeout: 120_000 },
  async () => {
    const dir = tempDir();
    // 20 requests at once leave 20 idle keep-alive sockets to the kernel.
    const script = writeScript(dir, 'keepalive.cmds', [
      'add_rs',
      'p_execute_all A 0 0 20',
      'skills',
    ]);
    const out = join(dir, 'out');
    // This kernel waits at stop until its clients close their connections (or
    // its 5 s idle timeout ends them): only our closing them first keeps the
    // stop short.
    const child = startCli([
      'run',
      script,
      '--out',
      out,
      '--env',
      'KB_EMU_WAIT_FOR_CLIENTS=1',
      ...FAST,
    ]);
    await whenStderr(child, /^run log: /);
    const t0 = performance.now();
    const result = await child;
    const tail = performance.now() - t0;
    assert.equal(result.exitCode, 0, String(result.stderr));
    // Nothing (a socket, a timer, the kernel) keeps the harness alive.
    assert.ok(tail < 3000, `exited ${Math.round(tail)} ms after the run log line`);
    const run = readRun(out);
    assert.equal(run.entries[1]!.requests?.ok, 20);
    assert.ok(run.stop!.took < 2000, `stop took ${run.stop!.took}`);
    assert.equal(alive(run.kernelPid!), false);
    assert.deepEqual(strayChildren(), []);
  },
);

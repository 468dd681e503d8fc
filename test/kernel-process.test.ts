import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { after, test } from 'node:test';
import { KernelError } from '../src/errors.ts';
import { KernelClient } from '../src/kernel/client.ts';
import {
  freeLoopbackAddress,
  kernelEnv,
  liveKernels,
  startKernel,
  type KernelProcess,
} from '../src/kernel/process.ts';
import { PROFILES } from '../src/kernel/profiles.ts';

const FIXTURES = join(import.meta.dirname, 'fixtures', 'kernel');
const NODE = process.execPath;
const fixture = (name: string) => join(FIXTURES, name);

const tempDirs: string[] = [];
function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  tempDirs.push(dir);
  return dir;
}
after(() => {
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
});

/** Independent of the code under test: a zombie (never reaped here) counts as gone. */
function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const state = stat.slice(stat.lastIndexOf(')') + 2)[0];
    return state !== 'Z' && state !== 'X';
  } catch {
    return false;
  }
}

interface Started {
  kernel: KernelProcess;
  client: KernelClient;
  dir: string;
  pkLog: string;
}

async function start(
  command: string[],
  extraEnv: Record<string, string> = {},
  readyTimeoutMs = 30_000,
): Promise<Started> {
  const dir = tempDir('kb-process-');
  const address = await freeLoopbackAddress();
  const profile = PROFILES.v1;
  const client = new KernelClient({ address, profile, healthTimeoutMs: 500 });
  const pkLog = join(dir, 'pk.log');
  try {
    const kernel = await startKernel({
      command,
      env: {
        ...profile.env({ address, skillsDir: dir, updateInterval: '1s', logLevel: 'info' }),
        ...extraEnv,
      },
      cwd: dir,
      pkLogPath: pkLog,
      ready: () => client.health(),
      readyTimeoutMs,
    });
    return { kernel, client, dir, pkLog };
  } catch (error) {
    await client.close();
    throw Object.assign(error as Error, { pkLog });
  }
}

/** The pid the fake kernel prints first (`... INFO pid N`). */
function childPid(kernel: KernelProcess): number {
  const line = kernel.logTail(50).find((l) => / pid \d+$/.test(l));
  assert.ok(line, `no pid line in ${JSON.stringify(kernel.logTail(50))}`);
  return Number(line.split(' ').pop());
}

test('ready once health answers; pk log has whole lines, timestamps, no ANSI; stop is timed', async () => {
  const { kernel, client, pkLog } = await start([NODE, fixture('fake-kernel.mjs')], {
    FAKE_READY_DELAY_MS: '300',
  });
  assert.equal(kernel.running(), true);
  assert.equal(await client.health(), true);
  assert.ok(liveKernels().includes(kernel.pid));
  kernel.note('rss 1234 KiB');
  await client.close();
  const stop = await kernel.stop(5000);
  assert.equal(stop.killed, false);
  assert.equal(stop.code, 0);
  assert.equal(stop.signal, null);
  assert.ok(stop.took > 0 && stop.took < 5000, `took ${stop.took}`);
  assert.equal(kernel.running(), false);
  assert.equal(alive(kernel.pid), false);
  assert.ok(!liveKernels().includes(kernel.pid));
  assert.deepEqual(await kernel.exited, { code: 0, signal: null });
  // A second stop gives the same answer instead of signalling again.
  assert.deepEqual(await kernel.stop(5000), stop);

  const text = readFileSync(pkLog, 'utf8');
  assert.ok(!text.includes('\x1b'), 'ANSI codes left in the pk log');
  const lines = text.trimEnd().split('\n');
  assert.match(lines[0]!, /^# pk log of .*fake-kernel\.mjs \(pid \d+\), started \d{4}-\d\d-\d\dT/);
  for (const line of lines.slice(1)) assert.match(line, /^ *\d+\.\d (out|err|kb) /);
  assert.ok(
    lines.some((l) => / out partial line joined$/.test(l)),
    text,
  );
  assert.ok(
    lines.some((l) => / err WARN a line on stderr$/.test(l)),
    text,
  );
  assert.ok(
    lines.some((l) => / out 2024-10-22T20:42:17Z  INFO listening on 127\.0\.0\.1:\d+$/.test(l)),
    text,
  );
  assert.ok(
    lines.some((l) => / kb rss 1234 KiB$/.test(l)),
    text,
  );
  assert.ok(
    lines.some((l) => / kb SIGTERM to process group \d+$/.test(l)),
    text,
  );
  assert.ok(
    lines.some((l) => / out .*SIGTERM: shutting down$/.test(l)),
    text,
  );
  // Timestamps never go backwards.
  const stamps = lines.slice(1).map((l) => Number(l.trim().split(' ')[0]));
  assert.deepEqual(
    stamps,
    [...stamps].sort((a, b) => a - b),
  );
  // The tail holds the kernel's lines only, stripped.
  assert.ok(kernel.logTail().includes('WARN a line on stderr'));
});

test('a kernel that exits before it is ready: KernelError with the code and its last line', async () => {
  await assert.rejects(start([NODE, fixture('exit-early.mjs')]), (error: unknown) => {
    assert.ok(error instanceof KernelError, String(error));
    assert.match(error.message, /exited with code 3 before it was ready/);
    assert.match(error.message, /exit-early\.mjs/);
    // The last line had no newline: it must still be there.
    assert.match(error.message, /ERROR cannot open operator-config\.toml/);
    assert.equal(error.logTail.at(-1), 'ERROR cannot open operator-config.toml');
    const pk = readFileSync((error as unknown as { pkLog: string }).pkLog, 'utf8');
    assert.match(pk, / err ERROR cannot open operator-config\.toml\n/);
    return true;
  });
});

test('a kernel that never answers health fails within the bound and is killed', async () => {
  const t0 = performance.now();
  let pid = 0;
  await assert.rejects(start([NODE, fixture('never-ready.mjs')], {}, 1500), (error: unknown) => {
    assert.ok(error instanceof KernelError, String(error));
    assert.match(error.message, /was not ready within 1\.5 s \(killed\)/);
    assert.match(error.message, /answering nothing/);
    pid = Number(/pid (\d+) listening/.exec(error.message)?.[1]);
    return true;
  });
  const elapsed = performance.now() - t0;
  assert.ok(elapsed >= 1400, `gave up after ${elapsed} ms`);
  assert.ok(elapsed < 1500 + 8000, `gave up only after ${elapsed} ms`);
  assert.ok(pid > 0);
  assert.equal(alive(pid), false);
});

test('a command that cannot be started names the command and the reason', async () => {
  await assert.rejects(start(['/nonexistent/pharia-kernel', '--x']), (error: unknown) => {
    assert.ok(error instanceof KernelError, String(error));
    assert.match(
      error.message,
      /cannot start the kernel command \/nonexistent\/pharia-kernel --x .*ENOENT/,
    );
    return true;
  });
  const dir = tempDir('kb-noexec-');
  const script = join(dir, 'kernel.sh');
  writeFileSync(script, '#!/bin/sh\necho hi\n');
  chmodSync(script, 0o644);
  await assert.rejects(start([script]), (error: unknown) => {
    assert.ok(error instanceof KernelError, String(error));
    assert.match(error.message, /kernel\.sh.*EACCES/);
    return true;
  });
});

test('a kernel that ignores SIGTERM is killed after the grace period', async () => {
  const { kernel, client, pkLog } = await start([NODE, fixture('fake-kernel.mjs')], {
    FAKE_IGNORE_TERM: '1',
  });
  await client.close();
  const stop = await kernel.stop(400);
  assert.equal(stop.killed, true);
  assert.equal(stop.signal, 'SIGKILL');
  assert.equal(stop.code, null);
  assert.ok(stop.took >= 390, `took ${stop.took}`);
  assert.equal(alive(kernel.pid), false);
  const text = readFileSync(pkLog, 'utf8');
  assert.match(text, / out .*ignoring SIGTERM\n/);
  assert.match(text, / kb still running after 400 ms: SIGKILL to process group \d+\n/);
});

test('a kernel under a /bin/sh wrapper stops with no process left', async () => {
  const { kernel, client } = await start([
    '/bin/sh',
    '-c',
    // The trailing command keeps the shell from exec-ing node: a real wrapper.
    `"${NODE}" "${fixture('fake-kernel.mjs')}"; echo wrapper-after`,
  ]);
  await client.close();
  const child = childPid(kernel);
  assert.notEqual(child, kernel.pid);
  assert.equal(alive(child), true);
  const stop = await kernel.stop(5000);
  assert.equal(stop.killed, false);
  assert.equal(alive(kernel.pid), false);
  assert.equal(alive(child), false);
});

test('a wrapper whose child ignores SIGTERM: the straggler is killed, nothing left', async () => {
  const { kernel, client, pkLog } = await start(
    ['/bin/sh', '-c', `"${NODE}" "${fixture('fake-kernel.mjs')}"; echo wrapper-after`],
    { FAKE_IGNORE_TERM: '1' },
  );
  await client.close();
  const child = childPid(kernel);
  const stop = await kernel.stop(400);
  // The shell itself dies of SIGTERM; its child only of SIGKILL.
  assert.equal(stop.signal, 'SIGTERM');
  assert.equal(stop.killed, true);
  assert.equal(alive(kernel.pid), false);
  assert.equal(alive(child), false);
  // Output of the child after its wrapper died still reaches the pk log.
  assert.match(readFileSync(pkLog, 'utf8'), / out .*ignoring SIGTERM\n/);
});

test('a descendant that left the group (setsid) is still found and killed', async () => {
  const { kernel, client } = await start([
    '/bin/sh',
    '-c',
    `setsid "${NODE}" -e "console.log('escapee', process.pid); setInterval(() => {}, 1000)" & exec "${NODE}" "${fixture('fake-kernel.mjs')}"`,
  ]);
  await client.close();
  let escapee = 0;
  try {
    // Up to 15 s: a node start is slow on a loaded 2-core machine.
    for (let i = 0; i < 300 && !escapee; i++) {
      // Anywhere in a line: the fake kernel's deliberately split "partial …"
      // line can take the escapee's output into its middle (one shared pipe).
      const match = kernel
        .logTail(50)
        .map((l) => /escapee (\d+)/.exec(l))
        .find(Boolean);
      if (match) escapee = Number(match[1]);
      else await new Promise((r) => setTimeout(r, 50));
    }
    assert.ok(escapee > 0, 'the escapee never printed its pid');
    assert.equal(alive(escapee), true);
    const stop = await kernel.stop(5000);
    assert.equal(stop.code, 0);
    assert.equal(stop.killed, true);
    assert.equal(alive(escapee), false);
  } finally {
    // Whatever failed above, no process may outlive the test (it would hang the run).
    await kernel.stop(200);
    if (escapee && alive(escapee)) process.kill(escapee, 'SIGKILL');
  }
});

test('the kernel never sees GitHub credentials but gets its own variables', async () => {
  const saved = {
    GITHUB_TOKEN: process.env.GITHUB_TOKEN,
    ACTIONS_RUNTIME_TOKEN: process.env.ACTIONS_RUNTIME_TOKEN,
  };
  process.env.GITHUB_TOKEN = 'ghp_should_not_leak';
  process.env.ACTIONS_RUNTIME_TOKEN = 'runtime_should_not_leak';
  process.env['INPUT_GITHUB-TOKEN'] = 'input_should_not_leak';
  let started: Started | undefined;
  try {
    started = await start([NODE, fixture('fake-kernel.mjs')], { FAKE_MARK: 'passed' });
  } finally {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
    delete process.env['INPUT_GITHUB-TOKEN'];
  }
  const { kernel, client } = started;
  try {
    const answer = await (await fetch(`${client.origin}/env`)).json();
    assert.deepEqual(answer, {
      GITHUB_TOKEN: null,
      ACTIONS_RUNTIME_TOKEN: null,
      'INPUT_GITHUB-TOKEN': null,
      LOG_LEVEL: 'info',
      NAMESPACE_UPDATE_INTERVAL: '1s',
      FAKE_MARK: 'passed',
    });
  } finally {
    await client.close();
    await kernel.stop(5000);
  }
  const env = kernelEnv({ GH_TOKEN: 'x', PHARIA_AI_TOKEN: 'kept' });
  assert.equal(env.GH_TOKEN, undefined);
  assert.equal(env.PHARIA_AI_TOKEN, 'kept');
});

test('stop after the kernel died by itself reports its exit, took 0', async () => {
  const { kernel, client } = await start([NODE, fixture('fake-kernel.mjs')]);
  await client.close();
  process.kill(kernel.pid, 'SIGKILL');
  assert.deepEqual(await kernel.exited, { code: null, signal: 'SIGKILL' });
  const stop = await kernel.stop(1000);
  assert.deepEqual(stop, { took: 0, killed: false, code: null, signal: 'SIGKILL' });
});

test('kill() ends the group at once', async () => {
  const { kernel, client } = await start([NODE, fixture('fake-kernel.mjs')], {
    FAKE_IGNORE_TERM: '1',
  });
  await client.close();
  await kernel.kill();
  assert.equal(kernel.running(), false);
  assert.equal(alive(kernel.pid), false);
});

test('freeLoopbackAddress gives a loopback host:port', async () => {
  assert.match(await freeLoopbackAddress(), /^127\.0\.0\.1:\d{2,5}$/);
});

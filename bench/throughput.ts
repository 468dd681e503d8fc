// Harness throughput: `p_execute_all` with 0 ms of work, 200 requests at once,
// against the emulated kernel, versus autocannon (200 connections) on the same
// route of an emulated kernel started the same way, in the same benchmark.
// Target: the harness reaches at least 0.9 x autocannon's requests per second.
import { copyFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { KernelClient } from '../src/kernel/client.ts';
import { freeLoopbackAddress, startKernel } from '../src/kernel/process.ts';
import { getProfile } from '../src/kernel/profiles.ts';
import { emulatorCommand, templatePaths } from '../src/emulator/locate.ts';
import {
  fmt,
  median,
  run,
  runIfMain,
  script,
  tempDir,
  UPDATE_INTERVAL,
  type BenchResult,
} from './lib.ts';

const AT_ONCE = 200;
const BURSTS = 10;

async function harnessRps(): Promise<{ rps: number; took: number[] }> {
  const path = await script('throughput', [
    'add_py',
    'p_execute_all Warm 0 0 200',
    ...Array(BURSTS).fill(`p_execute_all T 0 0 ${AT_ONCE}`),
  ]);
  const result = await run(path);
  const bursts = result.log.entries.slice(2);
  for (const e of bursts) {
    if (e.failed) throw new Error(`harness burst failed: ${e.failures?.join('; ')}`);
  }
  const took = bursts.map((e) => e.took);
  return { rps: (AT_ONCE * BURSTS) / (took.reduce((s, t) => s + t, 0) / 1000), took };
}

async function autocannonRps(): Promise<{ rps: number; errors: number }> {
  const dir = await tempDir();
  const skills = join(dir, 'skills');
  await mkdir(skills);
  await copyFile(templatePaths().py, join(skills, 'sample_py1.wasm'));
  const address = await freeLoopbackAddress();
  const profile = getProfile('v1');
  const client = new KernelClient({ baseUrl: `http://${address}`, api: 'v1' });
  const kernel = await startKernel({
    command: emulatorCommand(),
    env: profile.env({
      address,
      skillsDir: skills,
      updateInterval: UPDATE_INTERVAL,
      logLevel: 'info',
    }),
    cwd: dir,
    pkLogPath: join(dir, 'pk.log'),
    ready: () => client.health(),
    readyTimeoutMs: 30_000,
  });
  try {
    // Load the skill first, as the harness's add_py does.
    const first = await client.run('sample_py1', { topic: 'Warm', memory: 0, wait_time: 0 });
    if (!first.ok) throw new Error(`warm-up request failed: ${first.error ?? first.status}`);
    const options = {
      url: `http://${address}/v1/skills/dev/sample_py1/run`,
      method: 'POST' as const,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ topic: 'T', memory: 0, wait_time: 0 }),
      connections: AT_ONCE,
    };
    await autocannon({ ...options, amount: AT_ONCE }); // warm-up, like the harness's
    const res = await autocannon({ ...options, amount: AT_ONCE * BURSTS });
    return { rps: res.requests.total / (res.duration || 1), errors: res.errors + res.non2xx };
  } finally {
    await client.close();
    await kernel.stop(10_000);
  }
}

export async function throughput(): Promise<BenchResult> {
  const harness = await harnessRps();
  const cannon = await autocannonRps();
  const ratio = harness.rps / cannon.rps;
  return {
    name: 'harness throughput',
    what: `p_execute_all, ${AT_ONCE} requests at once, 0 ms work, vs autocannon`,
    figure: `${fmt(ratio, 2)} × autocannon (${fmt(harness.rps, 0)} vs ${fmt(cannon.rps, 0)} req/s)`,
    target: '≥ 0.9 × autocannon',
    ok: ratio >= 0.9 && cannon.errors === 0,
    details: [
      `harness: ${BURSTS} bursts of ${AT_ONCE}, took (ms) ${harness.took.join(', ')}, median ${median(harness.took)}`,
      `autocannon: ${AT_ONCE} connections, ${AT_ONCE * BURSTS} requests, ${cannon.errors} errors`,
    ],
  };
}

await runIfMain(import.meta.url, throughput);

import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { KernelError } from '../src/errors.ts';
import { KernelClient } from '../src/kernel/client.ts';
import { freeLoopbackAddress, startKernel } from '../src/kernel/process.ts';
import {
  API_NAMES,
  PROFILES,
  isApiName,
  profileFor,
  qualify,
  unqualify,
} from '../src/kernel/profiles.ts';

const FAKE = join(import.meta.dirname, 'fixtures', 'kernel', 'fake-kernel.mjs');

test('API_NAMES is the one list of profiles, checked by isApiName', () => {
  assert.deepEqual([...API_NAMES], ['v1', '2024']);
  assert.deepEqual(Object.keys(PROFILES).sort(), ['2024', 'v1']);
  assert.equal(isApiName('2024'), true);
  assert.equal(isApiName('v2'), false);
  assert.equal(isApiName(2024), false);
  for (const name of API_NAMES) assert.equal(profileFor(name).name, name);
});

test('v1 routes and environment follow the current kernel', () => {
  const p = PROFILES.v1;
  assert.equal(p.health, '/health');
  assert.equal(p.listSkills, '/v1/skills');
  assert.equal(p.cachedSkills, '/cached_skills');
  assert.equal(p.skillsDirFromCwd, false);
  assert.deepEqual(p.run('a', { topic: 'Bob', memory: 0, wait_time: 0 }), {
    method: 'POST',
    path: '/v1/skills/dev/a/run',
    body: '{"topic":"Bob","memory":0,"wait_time":0}',
  });
  assert.deepEqual(p.drop('a'), { method: 'DELETE', path: '/cached_skills/dev/a' });
  assert.deepEqual(
    p.env({
      address: '127.0.0.1:9999',
      skillsDir: '/tmp/x/skills',
      updateInterval: '1s',
      logLevel: 'info',
      token: 't0k',
      metricsAddress: '127.0.0.1:9001',
    }),
    {
      KERNEL_ADDRESS: '127.0.0.1:9999',
      NAMESPACES__DEV__DIRECTORY: '/tmp/x/skills',
      NAMESPACE_UPDATE_INTERVAL: '1s',
      LOG_LEVEL: 'info',
      PHARIA_AI_TOKEN: 't0k',
      METRICS_ADDRESS: '127.0.0.1:9001',
    },
  );
});

test('2024 routes and environment follow the Oct 2024 kernel', () => {
  const p = PROFILES['2024'];
  assert.equal(p.health, '/healthcheck');
  assert.equal(p.listSkills, '/skills');
  assert.equal(p.cachedSkills, '/cached_skills');
  assert.equal(p.skillsDirFromCwd, true);
  assert.deepEqual(p.run('a', { topic: 'Bob' }), {
    method: 'POST',
    path: '/execute_skill',
    body: '{"skill":"dev/a","input":{"topic":"Bob"}}',
  });
  assert.deepEqual(p.drop('a'), { method: 'DELETE', path: '/cached_skills/dev%2Fa' });
  const env = p.env({
    address: '127.0.0.1:9999',
    skillsDir: '/x/skills',
    updateInterval: '1s',
    logLevel: 'debug',
  });
  assert.deepEqual(env, {
    PHARIA_KERNEL_ADDRESS: '127.0.0.1:9999',
    NAMESPACE_UPDATE_INTERVAL: '1s',
    LOG_LEVEL: 'debug',
  });
  assert.equal(
    p.env({ address: 'a:1', skillsDir: 's', updateInterval: '1s', logLevel: 'i', token: 'k' })
      .AA_API_TOKEN,
    'k',
  );
});

test('skill names: dev/ added once, odd characters encoded per path part', () => {
  assert.equal(qualify('a'), 'dev/a');
  assert.equal(qualify('other/a'), 'other/a');
  assert.equal(unqualify('dev/sample_py1'), 'sample_py1');
  assert.equal(unqualify('other/a'), 'other/a');
  assert.equal(PROFILES.v1.run('a b', {}).path, '/v1/skills/dev/a%20b/run');
  assert.equal(PROFILES['2024'].drop('a b').path, '/cached_skills/dev%2Fa%20b');
});

// Each profile end to end against the fake kernel process: the environment it
// builds must make the kernel serve the right directory, and the client's
// routes must be the ones that kernel answers.
for (const api of API_NAMES) {
  test(`${api}: env, routes and client work together against a kernel process`, async () => {
    const profile = PROFILES[api];
    const cwd = mkdtempSync(join(tmpdir(), `kb-profile-${api}-`));
    const skillsDir = join(cwd, 'skills');
    mkdirSync(skillsDir);
    for (const name of ['sample_py2', 'sample_py10', 'a'])
      writeFileSync(join(skillsDir, `${name}.wasm`), '');
    const address = await freeLoopbackAddress();
    const token = `secret-${api}`;
    const client = new KernelClient({ address, profile, token });
    const kernel = await startKernel({
      command: [process.execPath, FAKE],
      // For 2024 nothing names the directory: the kernel must find ./skills from its cwd.
      env: profile.env({ address, skillsDir, updateInterval: '1s', logLevel: 'info', token }),
      cwd,
      pkLogPath: join(cwd, 'pk.log'),
      ready: () => client.health(),
      readyTimeoutMs: 30_000,
    });
    try {
      assert.deepEqual(await client.listSkills(), ['a', 'sample_py10', 'sample_py2']);
      const run = await client.run('sample_py2', { topic: 'Bob', memory: 0, wait_time: 0 });
      assert.equal(run.ok, true, run.error);
      assert.equal(run.body, 'Hello Bob');
      assert.equal(run.status, 200);
      assert.deepEqual(await client.cachedSkills(), ['sample_py2']);
      const drop = await client.drop('sample_py2');
      assert.equal(drop.ok, true, drop.error);
      assert.deepEqual(await client.cachedSkills(), []);
      const missing = await client.run('nope', { topic: 'x' });
      assert.equal(missing.kind, 'http');
      assert.equal(missing.status, 404);

      // Without the token the kernel refuses; the error names the request and status.
      const anonymous = new KernelClient({ address, profile });
      await assert.rejects(anonymous.listSkills(), (error: unknown) => {
        assert.ok(error instanceof KernelError);
        assert.match(error.message, new RegExp(`GET ${profile.listSkills}: HTTP 401`));
        return true;
      });
      await anonymous.close();
    } finally {
      await client.close();
      const stop = await kernel.stop(5000);
      rmSync(cwd, { recursive: true, force: true });
      assert.equal(stop.killed, false);
    }
  });
}

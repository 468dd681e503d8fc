// The emulator's configuration readers, its locator and its template skills.

import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, test } from 'node:test';
import { execa } from 'execa';
import {
  DEFAULT_SKILL_MEMORY_FACTOR,
  parseAddress,
  parseDuration,
  parseLogLevel,
  KNOBS,
  readConfig,
} from '../src/emulator/config.ts';
import { emulatorCommand, repoRoot, templatePaths } from '../src/emulator/locate.ts';
import { skillNameOf, wasmKind } from '../src/emulator/skills.ts';
import { InputError } from '../src/errors.ts';

describe('emulator configuration', () => {
  test('defaults: loopback, ./skills, 1 s, info, no auth, factor 24, unlimited', () => {
    assert.deepEqual(readConfig({}), {
      address: { host: '127.0.0.1', port: 8081, source: 'default' },
      skillsDir: 'skills',
      updateIntervalMs: 1000,
      logLevel: 'info',
      metricsAddress: null,
      tokens: [],
      skillMemory: { kind: 'factor', factor: DEFAULT_SKILL_MEMORY_FACTOR },
      loadMs: null,
      listDelayMs: 0,
      maxInFlight: Infinity,
      crashAfter: null,
      stopDelayMs: 0,
      ignoreSigterm: false,
      waitForClients: false,
      health: 'ok',
    });
  });

  test('the v1 address variable wins over the 2024 one; IPv6 in brackets', () => {
    const both = readConfig({
      KERNEL_ADDRESS: '[::1]:9001',
      PHARIA_KERNEL_ADDRESS: '127.0.0.1:9002',
    });
    assert.deepEqual(both.address, { host: '::1', port: 9001, source: 'KERNEL_ADDRESS' });
    const old = readConfig({ PHARIA_KERNEL_ADDRESS: '127.0.0.1:9002', KERNEL_ADDRESS: '' });
    assert.deepEqual(old.address, {
      host: '127.0.0.1',
      port: 9002,
      source: 'PHARIA_KERNEL_ADDRESS',
    });
  });

  test('knobs are read; the KB value overrides the factor', () => {
    const config = readConfig({
      NAMESPACES__DEV__DIRECTORY: '/tmp/s',
      NAMESPACE_UPDATE_INTERVAL: '1m30s',
      METRICS_ADDRESS: '127.0.0.1:9000',
      PHARIA_AI_TOKEN: 'a',
      AA_API_TOKEN: 'b',
      KB_EMU_SKILL_MEMORY_FACTOR: '2.5',
      KB_EMU_SKILL_MEMORY_KB: '2048',
      KB_EMU_LOAD_MS: '10',
      KB_EMU_LIST_DELAY_MS: '5',
      KB_EMU_MAX_IN_FLIGHT: '300',
      KB_EMU_CRASH_AFTER: '0',
      KB_EMU_STOP_DELAY_MS: '6000',
      KB_EMU_IGNORE_SIGTERM: 'true',
      KB_EMU_HEALTH: 'never',
    });
    assert.equal(config.skillsDir, '/tmp/s');
    assert.equal(config.updateIntervalMs, 90_000);
    assert.deepEqual(config.metricsAddress, {
      host: '127.0.0.1',
      port: 9000,
      source: 'METRICS_ADDRESS',
    });
    assert.deepEqual(config.tokens, ['a', 'b']);
    assert.deepEqual(config.skillMemory, { kind: 'kb', kb: 2048 });
    assert.equal(config.loadMs, 10);
    assert.equal(config.listDelayMs, 5);
    assert.equal(config.maxInFlight, 300);
    assert.equal(config.crashAfter, 0);
    assert.equal(config.stopDelayMs, 6000);
    assert.equal(config.ignoreSigterm, true);
    assert.equal(config.health, 'never');
  });

  test('durations: ms, s, m, h and sums of them (shared reader)', () => {
    assert.equal(parseDuration('X', '500ms'), 500);
    assert.equal(parseDuration('X', '1s'), 1000);
    assert.equal(parseDuration('X', '2m'), 120_000);
    assert.equal(parseDuration('X', '1h 1s'), 3_601_000);
    for (const bad of ['1', 's', '0s', '-1s', 'soon', '']) {
      assert.throws(
        () => parseDuration('NAMESPACE_UPDATE_INTERVAL', bad),
        (e: Error) =>
          e instanceof InputError &&
          e.message.startsWith(
            `NAMESPACE_UPDATE_INTERVAL=${JSON.stringify(bad)} is not valid: expected a duration`,
          ),
      );
    }
    // Node's timers hold at most 2^31 - 1 ms; longer fired at once.
    assert.equal(parseDuration('X', '24d'), 2_073_600_000);
    assert.throws(
      () => parseDuration('--stop-grace', '30d'),
      (e: Error) =>
        e instanceof InputError &&
        e.message ===
          '--stop-grace="30d" is too long: at most 24 days (2147483647 ms), the longest a Node.js timer waits',
    );
  });

  test('addresses need host:port with a port up to 65535', () => {
    assert.deepEqual(parseAddress('A', 'localhost:0'), { host: 'localhost', port: 0, source: 'A' });
    for (const bad of ['8081', '127.0.0.1', '127.0.0.1:65536', ':8081', '::1:8081']) {
      assert.throws(
        () => parseAddress('METRICS_ADDRESS', bad),
        /METRICS_ADDRESS=".*" is not valid: expected host:port/,
      );
    }
  });

  test('log levels: bare, and tracing-style lists where pharia_kernel wins', () => {
    assert.equal(parseLogLevel('L', 'INFO'), 'info');
    assert.equal(parseLogLevel('L', 'warn,pharia_kernel=debug'), 'debug');
    assert.equal(parseLogLevel('L', 'pharia_kernel::shell=trace,error'), 'trace');
    assert.equal(parseLogLevel('L', 'error,hyper=trace'), 'error');
    assert.throws(
      () => parseLogLevel('LOG_LEVEL', 'verbose'),
      /LOG_LEVEL="verbose" is not valid: expected one of off, error/,
    );
  });

  test('bad knob values name the variable, the value and the expected form', () => {
    const cases: [Record<string, string>, RegExp][] = [
      [
        { KB_EMU_SKILL_MEMORY_FACTOR: '0' },
        /KB_EMU_SKILL_MEMORY_FACTOR="0" is not valid: expected a number above 0/,
      ],
      [
        { KB_EMU_SKILL_MEMORY_KB: '1e3' },
        /KB_EMU_SKILL_MEMORY_KB="1e3" is not valid: expected an integer/,
      ],
      [
        { KB_EMU_SKILL_MEMORY_KB: '5000000' },
        /KB_EMU_SKILL_MEMORY_KB="5000000" is not valid: expected at most 4194304/,
      ],
      [{ KB_EMU_LOAD_MS: '-1' }, /KB_EMU_LOAD_MS="-1"/],
      [{ KB_EMU_CRASH_AFTER: 'soon' }, /KB_EMU_CRASH_AFTER="soon"/],
      [
        { KB_EMU_HEALTH: 'sometimes' },
        /KB_EMU_HEALTH="sometimes" is not valid: expected one of ok, never/,
      ],
      [{ KB_EMU_IGNORE_SIGTERM: 'yes' }, /KB_EMU_IGNORE_SIGTERM="yes"/],
    ];
    for (const [env, message] of cases) {
      assert.throws(
        () => readConfig(env),
        (e: Error) => e instanceof InputError && message.test(e.message),
      );
    }
  });

  test('an unknown KB_EMU_ variable is an error naming it and listing the knobs', () => {
    assert.throws(
      () => readConfig({ KB_EMU_MAX_INFLIGHT: '3', KB_EMU_CRASH_AFTER: '2' }),
      (e: Error) =>
        e instanceof InputError &&
        e.message ===
          `KB_EMU_MAX_INFLIGHT: not an emulator knob; expected one of ${KNOBS.join(', ')}` &&
        e.message.includes('KB_EMU_MAX_IN_FLIGHT'),
    );
    assert.throws(
      () => readConfig({ KB_EMU_B: '1', KB_EMU_A: '1' }),
      /^InputError: KB_EMU_A, KB_EMU_B: not emulator knobs; expected one of KB_EMU_SKILL_MEMORY_FACTOR, /,
    );
    // Every knob the header documents is known.
    assert.equal(readConfig(Object.fromEntries(KNOBS.map((k) => [k, '']))).health, 'ok');
  });
});

describe('emulator skills directory rules', () => {
  test('NAME.wasm is a skill; hidden and temporary files are not', () => {
    assert.equal(skillNameOf('sample_py1.wasm'), 'sample_py1');
    for (const ignored of [
      '.sample_py1.wasm.tmp',
      'sample_py1.wasm.tmp',
      '.x.wasm',
      '.wasm',
      'a.txt',
    ]) {
      assert.equal(skillNameOf(ignored), null, ignored);
    }
  });

  test('headers: core module, component, neither', () => {
    assert.equal(wasmKind(Uint8Array.from([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0])), 'core');
    assert.equal(wasmKind(Uint8Array.from([0, 0x61, 0x73, 0x6d, 0x0d, 0, 1, 0])), 'component');
    assert.equal(wasmKind(Uint8Array.from([0, 0x61, 0x73, 0x6d, 2, 0, 0, 0])), null);
    assert.equal(wasmKind(Buffer.from('hello world')), null);
  });
});

describe('emulator locator and templates', () => {
  test('repoRoot is the kernel-bench package; from sources the command runs main.ts under tsx', () => {
    const root = repoRoot();
    assert.equal(
      JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')).name,
      'kernel-bench',
    );
    const [node, gc, importFlag, tsx, main] = emulatorCommand();
    assert.equal(node, process.execPath);
    assert.equal(gc, '--expose-gc');
    assert.equal(importFlag, '--import');
    assert.match(tsx!, /^file:\/\/.*\/node_modules\/tsx\//);
    assert.equal(main, path.join(root, 'src', 'emulator', 'main.ts'));
  });

  test('templates are valid core modules of 1 MiB and 64 KiB', async () => {
    const { py, rs } = templatePaths();
    for (const [file, size] of [
      [py, 1024 * 1024],
      [rs, 64 * 1024],
    ] as const) {
      assert.ok(existsSync(file), file);
      const bytes = await readFile(file);
      assert.equal(bytes.length, size);
      assert.equal(wasmKind(bytes), 'core');
      const module = await WebAssembly.compile(bytes);
      assert.deepEqual(
        WebAssembly.Module.exports(module).map((e) => e.name),
        ['memory', 'run'],
      );
    }
  });

  test('make-templates is deterministic and the committed templates are fresh', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'kb-templates-'));
    try {
      await execa(process.execPath, [path.join(repoRoot(), 'scripts', 'make-templates.mjs'), dir]);
      for (const [kind, file] of Object.entries(templatePaths())) {
        const fresh = await readFile(path.join(dir, path.basename(file)));
        assert.ok(
          fresh.equals(await readFile(file)),
          `${kind} template differs from a fresh build`,
        );
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

// End-to-end: a bad script or a bad flag is refused before anything starts:
// exit 2, a message naming the file and line (or the flag), no kernel, no
// run log, not even the output directory.

import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, cleanup, runCli, strayChildren, tempDir, writeScript } from './fixtures/run/cli.ts';

after(cleanup);

interface Case {
  name: string;
  /** Script path, given the case's directory. */
  script: (dir: string) => string;
  extra?: (dir: string) => string[];
  message: (dir: string) => RegExp;
}

const esc = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** A bad line after a good one, so the line number is 2. */
const bad = (line: string) => (dir: string) => writeScript(dir, 'bad.cmds', ['skills', line]);
const at = (rest: string) => (dir: string) =>
  new RegExp(`^kernel-bench: ${esc(join(dir, 'bad.cmds'))}:2: ${rest}`);

/** A valid script, for cases where a flag is what is wrong. */
const ok = (dir: string) => writeScript(dir, 'ok.cmds', ['skills']);

const CASES: Case[] = [
  {
    name: 'negative TIMES',
    script: bad('p_execute_all X 0 0 -3'),
    message: at('TIMES must be a whole number >= 1, got -3'),
  },
  {
    name: 'negative repeat',
    script: bad('-2 add_py'),
    message: at('repeat count must be a whole number >= 1, got -2'),
  },
  {
    name: 'an argument too many',
    script: bad('add_py 5'),
    message: at('add_py takes no argument, got "5"'),
  },
  {
    name: 'execute_skill without a name',
    script: bad('execute_skill'),
    message: at('execute_skill needs NAME and TOPIC'),
  },
  {
    name: 'a path as skill name',
    script: bad('delete_skill ../outside'),
    message: at('skill name "\\.\\./outside" contains a path separator'),
  },
  {
    name: 'an empty script',
    script: (dir) => writeScript(dir, 'empty.cmds', []),
    message: (dir) =>
      new RegExp(`^kernel-bench: ${esc(join(dir, 'empty.cmds'))}: the script has no commands`),
  },
  {
    name: 'only comments',
    script: (dir) => writeScript(dir, 'comments.cmds', ['# nothing', '', '   # to do']),
    message: (dir) =>
      new RegExp(`^kernel-bench: ${esc(join(dir, 'comments.cmds'))}: the script has no commands`),
  },
  {
    name: 'a missing file',
    script: (dir) => join(dir, 'missing.cmds'),
    message: (dir) =>
      new RegExp(`^kernel-bench: script "${esc(join(dir, 'missing.cmds'))}" does not exist`),
  },
  {
    name: 'a directory',
    script: (dir) => {
      mkdirSync(join(dir, 'folder.cmds'));
      return join(dir, 'folder.cmds');
    },
    message: (dir) =>
      new RegExp(`^kernel-bench: script "${esc(join(dir, 'folder.cmds'))}" is a directory`),
  },
  {
    name: 'a missing --skill template',
    script: (dir) => writeScript(dir, 'wasi.cmds', ['skills', 'add_wasi']),
    extra: (dir) => ['--skill', `wasi=${join(dir, 'nothere.wasm')}`],
    message: (dir) =>
      new RegExp(`^kernel-bench: --skill wasi=${esc(join(dir, 'nothere.wasm'))}: no such file`),
  },
  {
    name: 'a --skill template that is not WebAssembly',
    script: (dir) => writeScript(dir, 'wasi.cmds', ['skills']),
    extra: (dir) => {
      writeFileSync(join(dir, 'text.wasm'), 'hello');
      return ['--skill', `wasi=${join(dir, 'text.wasm')}`];
    },
    message: (dir) =>
      new RegExp(
        `^kernel-bench: --skill wasi=${esc(join(dir, 'text.wasm'))}: not WebAssembly \\(starts with "hell"`,
      ),
  },
  {
    name: 'a misspelled emulator knob',
    script: ok,
    extra: () => ['--env', 'KB_EMU_MAX_INFLIGHT=3'],
    message: () =>
      /^kernel-bench: the emulator's environment .*: KB_EMU_MAX_INFLIGHT: not an emulator knob; expected one of KB_EMU_SKILL_MEMORY_FACTOR, .*KB_EMU_MAX_IN_FLIGHT/,
  },
  {
    name: 'a bad emulator knob value',
    script: ok,
    extra: () => ['--env', 'KB_EMU_CRASH_AFTER=soon'],
    message: () =>
      /^kernel-bench: the emulator's environment .*: KB_EMU_CRASH_AFTER="soon" is not valid/,
  },
  {
    name: 'a bad --log-level for the emulator',
    script: ok,
    extra: () => ['--log-level', 'loud'],
    message: () => /^kernel-bench: the emulator's environment .*: LOG_LEVEL="loud" is not valid/,
  },
  {
    name: 'a --kernel path that does not exist',
    script: ok,
    extra: (dir) => ['--kernel', `${join(dir, 'no-kernel')} --flag`],
    message: (dir) =>
      new RegExp(
        `^kernel-bench: --kernel: ${esc(join(dir, 'no-kernel'))} does not exist or is not executable`,
      ),
  },
  {
    name: 'a --kernel file that is not executable',
    script: ok,
    extra: (dir) => {
      writeFileSync(join(dir, 'kernel.sh'), '#!/bin/sh\n', { mode: 0o644 });
      return ['--kernel', join(dir, 'kernel.sh')];
    },
    message: (dir) =>
      new RegExp(
        `^kernel-bench: --kernel: ${esc(join(dir, 'kernel.sh'))} does not exist or is not executable`,
      ),
  },
  {
    name: 'a --kernel command not on PATH',
    script: ok,
    extra: () => ['--kernel', 'kernel-bench-no-such-command'],
    message: () => /^kernel-bench: --kernel: kernel-bench-no-such-command is not found on PATH/,
  },
  {
    name: 'more than 1000 iterations',
    script: ok,
    extra: () => ['--iterations', '1001'],
    message: () =>
      /^kernel-bench: --iterations: "1001" is not a positive whole number from 1 to 1000/,
  },
];

test(
  'bad scripts and templates: exit 2, file and line named, nothing started or written',
  { timeout: 120_000 },
  async () => {
    // Three CLIs at a time: each is only a node start-up and a parse.
    const queue = [...CASES];
    const failures: string[] = [];
    const worker = async () => {
      for (let c = queue.shift(); c; c = queue.shift()) {
        const dir = tempDir();
        const out = join(dir, 'out');
        const cli = await runCli([
          'run',
          c.script(dir),
          '--out',
          out,
          '--progress',
          'plain',
          ...(c.extra?.(dir) ?? []),
        ]);
        const problems = [
          cli.code !== 2 && `exit ${cli.code}`,
          !c.message(dir).test(cli.stderr) && `stderr ${JSON.stringify(cli.stderr)}`,
          /emulated kernel|run log:/.test(cli.stderr) && 'a kernel was started',
          existsSync(out) && 'the output directory was made',
        ].filter(Boolean);
        if (problems.length > 0) failures.push(`${c.name}: ${problems.join('; ')}`);
      }
    };
    await Promise.all([worker(), worker(), worker()]);
    assert.deepEqual(failures, []);
    assert.deepEqual(strayChildren(), []);
  },
);

test(
  'a template that exists but is a directory is refused the same way',
  { timeout: 60_000 },
  async () => {
    const dir = tempDir();
    mkdirSync(join(dir, 'tpl.wasm'));
    writeFileSync(join(dir, 'x.cmds'), 'add_wasi\n');
    const cli = await runCli([
      'run',
      join(dir, 'x.cmds'),
      '--out',
      join(dir, 'out'),
      '--skill',
      `wasi=${join(dir, 'tpl.wasm')}`,
    ]);
    assert.equal(cli.code, 2, cli.stderr);
    assert.match(
      cli.stderr,
      /--skill wasi=.*tpl\.wasm: not a regular file .*expected --skill wasi=PATH/,
    );
    assert.equal(existsSync(join(dir, 'out')), false);
  },
);

test(
  '--out that is a file: exit 2 naming --out and the path, no stack trace',
  { timeout: 60_000 },
  async () => {
    const dir = tempDir();
    const file = join(dir, 'taken');
    writeFileSync(file, 'not a directory');
    for (const out of [file, join(file, 'runs')]) {
      const cli = await runCli(['run', ok(dir), '--out', out, '--progress', 'plain']);
      assert.equal(cli.code, 2, cli.stderr);
      assert.equal(
        cli.stderr,
        `kernel-bench: --out ${out}: cannot make the directory (a file is in the way); expected a directory path`,
      );
    }
    assert.deepEqual(strayChildren(), []);
  },
);

test(
  'check: a --skill template must exist and be WebAssembly, as for run',
  { timeout: 60_000 },
  async () => {
    const dir = tempDir();
    const script = writeScript(dir, 'wasi.cmds', ['add_wasi']);
    writeFileSync(join(dir, 'text.wasm'), 'hello');
    copyFileSync(join(ROOT, 'templates/sample_rs.wasm'), join(dir, 'good.wasm'));
    const missing = await runCli(['check', script, '--skill', `wasi=${join(dir, 'nothere.wasm')}`]);
    assert.equal(missing.code, 2, missing.stderr);
    assert.match(missing.stderr, /^kernel-bench: --skill wasi=.*nothere\.wasm: no such file/);
    const text = await runCli(['check', script, '--skill', `wasi=${join(dir, 'text.wasm')}`]);
    assert.equal(text.code, 2, text.stderr);
    assert.match(text.stderr, /^kernel-bench: --skill wasi=.*text\.wasm: not WebAssembly/);
    const good = await runCli(['check', script, '--skill', `wasi=${join(dir, 'good.wasm')}`]);
    assert.equal(good.code, 0, good.stderr);
  },
);

test(
  '--env may not set what kernel-bench sets: exit 2 naming the variable and the flag to use',
  { timeout: 60_000 },
  async () => {
    const dir = tempDir();
    const cases: [string[], string][] = [
      [
        ['--env', 'NAMESPACE_UPDATE_INTERVAL=5s'],
        '--env NAMESPACE_UPDATE_INTERVAL: kernel-bench sets this variable; use --update-interval',
      ],
      [
        ['--env', 'KERNEL_ADDRESS=1.2.3.4:5'],
        '--env KERNEL_ADDRESS: kernel-bench sets this variable; kernel-bench gives the kernel a free loopback port',
      ],
      [
        ['--api', '2024', '--env', 'LOG_LEVEL=debug'],
        '--env LOG_LEVEL: kernel-bench sets this variable; use --log-level',
      ],
    ];
    for (const [flags, message] of cases) {
      const out = join(dir, 'out');
      const cli = await runCli(['run', ok(dir), '--out', out, ...flags]);
      assert.equal(cli.code, 2, cli.stderr);
      assert.equal(cli.stderr, `kernel-bench: ${message}`);
      assert.equal(existsSync(out), false);
    }
  },
);

// The command table: usage strings, per-kind commands, the README table.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  COMMANDS,
  MAX_PARALLEL_TIMES,
  commandsMarkdown,
  normalizeKinds,
  resolveCommands,
} from '../src/script/commands.ts';
import { parseScript } from '../src/script/parse.ts';

describe('command table', () => {
  it('resolves every command with its usage for the default kinds', () => {
    assert.deepEqual(
      resolveCommands().map((c) => c.usage),
      [
        'add_py',
        'add_rs',
        'p_add_py N',
        'p_add_rs N',
        'skills',
        'cached_skills',
        'execute_skill NAME TOPIC [MEMORY_KB] [WAIT_MS]',
        'execute_all TOPIC [MEMORY_KB] [WAIT_MS]',
        'p_execute_all TOPIC [MEMORY_KB] [WAIT_MS] [TIMES]',
        'drop_cached_skill [NAME]',
        'delete_skill [NAME]',
      ],
    );
  });

  it('names the kind in per-kind descriptions', () => {
    const [py, wasi] = resolveCommands(['py', 'wasi']).filter((c) => c.spec.id === 'add');
    assert.match(py!.description, /Python template .* `sample_py<N>\.wasm`/);
    assert.match(wasi!.description, /wasi template .* `sample_wasi<N>\.wasm`/);
  });

  it('every usage line the table prints parses with example values', () => {
    const example: Record<string, string> = {
      NAME: 'sample_py1',
      TOPIC: 'Alice',
      MEMORY_KB: '100',
      WAIT_MS: '20',
      TIMES: '3',
      N: '2',
    };
    const text = resolveCommands()
      .map((c) => c.usage.replace(/\[?([A-Z][A-Z_]*)\]?/g, (_, p: string) => example[p]!))
      .join('\n');
    const script = parseScript(text, 'usage.cmds');
    assert.equal(script.lines.length, resolveCommands().length);
    assert.deepEqual(script.lines[8]!.command, {
      kind: 'p_execute_all',
      input: { topic: 'Alice', memory: 100, wait_time: 20 },
      times: 3,
    });
  });

  it('holds the legacy TIMES limit in one constant', () => {
    const times = COMMANDS.find((c) => c.id === 'p_execute_all')!.args.at(-1)!;
    assert.equal(MAX_PARALLEL_TIMES, 1000);
    assert.equal(times.max?.value, MAX_PARALLEL_TIMES);
  });

  it('renders the README table', () => {
    const lines = commandsMarkdown().split('\n');
    assert.equal(lines.length, 2 + resolveCommands().length);
    assert.match(lines[0]!, /^\| command +\| meaning +\|$/);
    assert.match(
      lines[8]!,
      /^\| `execute_skill NAME TOPIC \[MEMORY_KB\] \[WAIT_MS\]` +\| execute one skill once +\|$/,
    );
  });

  it('dedupes kinds and refuses bad ones', () => {
    assert.deepEqual(normalizeKinds(['py', 'py', 'rs']), ['py', 'rs']);
    for (const bad of ['', 'Py', 'py2', '2py', 'a-b', 'a/b']) {
      assert.throws(() => normalizeKinds([bad]), { name: 'InputError' }, bad);
    }
    assert.throws(() => normalizeKinds([]), {
      message: 'skill kinds: the list is empty; expected: at least one kind, e.g. "py"',
    });
  });
});

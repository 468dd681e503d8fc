// loadScript on real files: the project's cmds/ (against copies of the legacy scripts),
// a fixture with Python-only whitespace, and the file errors (missing, directory,
// unreadable, not UTF-8).

import assert from 'node:assert/strict';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { InputError } from '../src/errors.ts';
import { ScriptError, loadScript } from '../src/script/parse.ts';

const CMDS = fileURLToPath(new URL('../cmds/', import.meta.url));
const FIXTURES = fileURLToPath(new URL('./fixtures/script/', import.meta.url));

// Hashes computed with python3 from the legacy copies in fixtures/script/legacy/:
// python3 -c "import hashlib,sys; w=[l.split() for l in open(sys.argv[1], encoding='utf-8') if l.split() and not l.split()[0].startswith('#')]; print(hashlib.sha1(repr(w).encode()).hexdigest())" FILE
const LEGACY: Record<string, { hash: string; entries: number }> = {
  bench: { hash: '3c6d21c18c26d4130b6f57d617d2131cedd58d1d', entries: 8 },
  stress: { hash: 'fe671f5712f7fca8f7e5ac64be07a72186df2be6', entries: 11 },
  p_execute_all: { hash: 'c43cb5d37cabddd93e11c576235223e0bd695992', entries: 12 },
  saturate: { hash: '3adee1afcc53ea464359a82e89ee18235204e802', entries: 13 },
  test_drop: { hash: 'fe253a18561ee165bcec80a926e4cc13cf55f3a2', entries: 10 },
  test_remove: { hash: 'b8cd4199d52adcc7d5566d48639b58d2af0cd23a', entries: 6 },
  test_rust: { hash: 'b4ad16003bd8d45b7307f7c178621a7937fcc8fc', entries: 6 },
  mem_chunks_2: { hash: 'b15aad654f80726c6b991d0293a7f058de07372e', entries: 12 },
};

describe('loadScript: the project scripts', () => {
  for (const [name, { hash, entries }] of Object.entries(LEGACY)) {
    it(`cmds/${name}.cmds parses and keeps the legacy hash`, async () => {
      const ours = await loadScript(join(CMDS, `${name}.cmds`));
      const legacy = await loadScript(join(FIXTURES, 'legacy', `${name}.cmds`));
      assert.equal(ours.hash, hash);
      assert.equal(legacy.hash, hash);
      assert.equal(ours.lines.length, entries);
      assert.deepEqual(
        ours.lines.map((l) => l.text),
        legacy.lines.map((l) => l.text),
      );
    });
  }

  it('bench.cmds has the entries of the legacy logs', async () => {
    const bench = await loadScript(join(CMDS, 'bench.cmds'));
    assert.deepEqual(
      bench.lines.map((l) => l.text),
      [
        'add_py',
        '4 add_py',
        'skills',
        'execute_skill sample_py1 Alice 100 20',
        'execute_all Bob 20 10',
        '10 execute_all Cecilia 0 0',
        'skills',
        'cached_skills',
      ],
    );
  });

  it('splits words and lines as the legacy Python tool did', async () => {
    // The fixture mixes CRLF, a lone CR, tabs, \x0b, \x0c, \x1c, \x85, \xa0, \u3000 and a
    // \ufeff inside a word. Expected hash:
    // python3 -c "import hashlib; w=[l.split() for l in open('test/fixtures/script/whitespace.cmds', encoding='utf-8') if l.split() and not l.split()[0].startswith('#')]; print(hashlib.sha1(repr(w).encode()).hexdigest())"
    const script = await loadScript(join(FIXTURES, 'whitespace.cmds'));
    assert.equal(script.hash, '28987bea90e9ec80ee2f9c89f9332056efadf66f');
    assert.deepEqual(
      script.lines.map((l) => [l.line, l.words]),
      [
        [3, ['4', 'add_py']],
        [5, ['execute_all', 'naïve', '100', '20']],
        [6, ['p_execute_all', "it's", '0', '0', '2']],
        [7, ['execute_skill', 'sample_py1', 'say"hi"', '1_0']],
        [8, ['execute_all', 'a\ufeffb']],
        [9, ['execute_all', '日本']],
      ],
    );
    assert.deepEqual(script.lines[3]!.command, {
      kind: 'execute_skill',
      skill: 'sample_py1',
      input: { topic: 'say"hi"', memory: 10, wait_time: 0 },
    });
  });
});

describe('loadScript: file errors', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'kb-script-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('names a missing file', async () => {
    const path = join(dir, 'nope.cmds');
    await assert.rejects(loadScript(path), {
      name: 'InputError',
      message: `script ${JSON.stringify(path)} does not exist; expected: a readable .cmds file`,
    });
  });

  it('names a directory', async () => {
    await assert.rejects(loadScript(dir), {
      name: 'InputError',
      message: `script ${JSON.stringify(dir)} is a directory; expected: a .cmds file`,
    });
  });

  it(
    'names an unreadable file',
    { skip: process.getuid?.() === 0 && 'root reads any file' },
    async () => {
      const path = join(dir, 'locked.cmds');
      await writeFile(path, 'skills\n');
      await chmod(path, 0o000);
      await assert.rejects(loadScript(path), {
        name: 'InputError',
        message: `script ${JSON.stringify(path)} cannot be read (permission denied); expected: a readable .cmds file`,
      });
    },
  );

  it('names a path that runs through a file', async () => {
    const file = join(dir, 'plain.cmds');
    await writeFile(file, 'skills\n');
    const path = join(file, 'inner.cmds');
    await assert.rejects(loadScript(path), {
      name: 'InputError',
      message: `script ${JSON.stringify(path)} cannot be read (ENOTDIR: not a directory, stat '${path}'); expected: a readable .cmds file`,
    });
  });

  it('names each line that is not UTF-8', async () => {
    const path = join(dir, 'latin1.cmds');
    // Latin-1 "é" (0xe9) on lines 2 and 4; CRLF endings must not shift the numbering.
    await writeFile(
      path,
      Buffer.concat([
        Buffer.from('add_py\r\nexecute_all caf'),
        Buffer.from([0xe9]),
        Buffer.from('\r\nskills\r\n# '),
        Buffer.from([0xff, 0xfe]),
        Buffer.from('\r\n'),
      ]),
    );
    const error = await loadScript(path).then(
      () => assert.fail('no error'),
      (e: unknown) => e,
    );
    assert.ok(error instanceof ScriptError);
    assert.ok(error instanceof InputError);
    assert.deepEqual(error.message.split('\n'), [
      `${path}:2: not valid UTF-8 text: "execute_all caf\ufffd"; expected: a UTF-8 encoded line`,
      `${path}:4: not valid UTF-8 text: "# \ufffd\ufffd"; expected: a UTF-8 encoded line`,
    ]);
  });

  it('reports parse errors with the path as given', async () => {
    const path = join(dir, 'bad.cmds');
    await writeFile(path, 'skills\n\nadd_py 5\n');
    await assert.rejects(loadScript(path), {
      message: `${path}:3: add_py takes no argument, got "5": "add_py 5"; expected: add_py`,
    });
  });

  it('refuses an empty file', async () => {
    const path = join(dir, 'empty.cmds');
    await writeFile(path, '');
    await assert.rejects(loadScript(path), {
      message: `${path}: the script has no commands (it is empty or holds only comments and blank lines); expected: at least one command line, e.g. "add_py"`,
    });
  });

  it('passes the kinds on', async () => {
    const path = join(dir, 'wasi.cmds');
    await writeFile(path, 'add_wasi\n');
    await assert.rejects(loadScript(path), ScriptError);
    const script = await loadScript(path, { kinds: ['wasi'] });
    assert.deepEqual(script.lines[0]!.command, { kind: 'add', skillKind: 'wasi' });
  });
});

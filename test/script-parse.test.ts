// parseScript: words, repeats, typed arguments, and every kind of error with its
// file:line, the line text and the expected form.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { InputError } from '../src/errors.ts';
import { ScriptError, parsePyNumber, parseScript, pySplit } from '../src/script/parse.ts';

/** The messages of the error parseScript throws, one per problem. */
function errorsOf(text: string, kinds?: string[]): string[] {
  try {
    parseScript(text, 'my.cmds', kinds ? { kinds } : {});
  } catch (error) {
    assert.ok(error instanceof ScriptError);
    assert.ok(error instanceof InputError);
    assert.equal(error.exitCode, 2);
    assert.equal(error.message.split('\n').length, error.problems.length);
    return error.message.split('\n');
  }
  assert.fail(`no error for ${JSON.stringify(text)}`);
}

const EXECUTE_SKILL = 'execute_skill NAME TOPIC [MEMORY_KB] [WAIT_MS]';
const P_EXECUTE_ALL = 'p_execute_all TOPIC [MEMORY_KB] [WAIT_MS] [TIMES]';
const PLAIN_NAME = `${EXECUTE_SKILL} with NAME a plain file name (no "/", "\\", ".", ".." or control characters)`;

describe('parseScript: valid scripts', () => {
  it('reads commands, repeats and typed arguments', () => {
    const script = parseScript(
      [
        '# comment',
        '',
        'add_py',
        '4 add_py',
        'p_add_rs 3',
        'execute_skill sample_py1 Alice 100 20',
        'execute_all Bob',
        'p_execute_all Max 1000 100 5',
        'p_execute_all Max',
        'drop_cached_skill',
        '10 delete_skill sample_py2',
        'skills',
        'cached_skills',
      ].join('\n'),
      'my.cmds',
    );
    assert.equal(script.filename, 'my.cmds');
    assert.deepEqual(
      script.lines.map((l) => [l.line, l.repeat, l.name, l.text]),
      [
        [3, 1, 'add_py', 'add_py'],
        [4, 4, 'add_py', '4 add_py'],
        [5, 1, 'p_add_rs', 'p_add_rs 3'],
        [6, 1, 'execute_skill', 'execute_skill sample_py1 Alice 100 20'],
        [7, 1, 'execute_all', 'execute_all Bob'],
        [8, 1, 'p_execute_all', 'p_execute_all Max 1000 100 5'],
        [9, 1, 'p_execute_all', 'p_execute_all Max'],
        [10, 1, 'drop_cached_skill', 'drop_cached_skill'],
        [11, 10, 'delete_skill', '10 delete_skill sample_py2'],
        [12, 1, 'skills', 'skills'],
        [13, 1, 'cached_skills', 'cached_skills'],
      ],
    );
    assert.deepEqual(
      script.lines.map((l) => l.command),
      [
        { kind: 'add', skillKind: 'py' },
        { kind: 'add', skillKind: 'py' },
        { kind: 'p_add', skillKind: 'rs', count: 3 },
        {
          kind: 'execute_skill',
          skill: 'sample_py1',
          input: { topic: 'Alice', memory: 100, wait_time: 20 },
        },
        { kind: 'execute_all', input: { topic: 'Bob', memory: 0, wait_time: 0 } },
        { kind: 'p_execute_all', input: { topic: 'Max', memory: 1000, wait_time: 100 }, times: 5 },
        { kind: 'p_execute_all', input: { topic: 'Max', memory: 0, wait_time: 0 }, times: 1 },
        { kind: 'drop_cached_skill' },
        { kind: 'delete_skill', skill: 'sample_py2' },
        { kind: 'skills' },
        { kind: 'cached_skills' },
      ],
    );
    assert.deepEqual(script.lines[1]!.words, ['4', 'add_py']);
    assert.deepEqual(script.lines[3]!.args, ['sample_py1', 'Alice', 100, 20]);
  });

  it('accepts CRLF, a lone CR, tabs and runs of blanks; the hash ignores them', () => {
    const unix = parseScript('add_py\n4 add_py\nexecute_all Bob 20 10\n', 'a.cmds');
    const mixed = parseScript(
      '  add_py  \r\n\r\n4\t\tadd_py\r \t execute_all\tBob 20\t10 \r\n',
      'b.cmds',
    );
    assert.deepEqual(
      mixed.lines.map((l) => [l.line, l.text]),
      [
        [1, 'add_py'],
        [3, '4 add_py'],
        [4, 'execute_all Bob 20 10'],
      ],
    );
    assert.equal(mixed.hash, unix.hash);
    // python3 -c "import hashlib; w=[['add_py'], ['4', 'add_py'], ['execute_all', 'Bob', '20', '10']]; print(hashlib.sha1(repr(w).encode()).hexdigest())"
    assert.equal(unix.hash, '0db66338aa6d06eaae453f8d92c14a5fb7fa84a0');
  });

  it('ignores comments indented with blanks, and a byte order mark', () => {
    const script = parseScript('\ufeff# head\n \t # indented\nskills\n', 'c.cmds');
    assert.deepEqual(
      script.lines.map((l) => [l.line, l.text]),
      [[3, 'skills']],
    );
  });

  it('reads numbers as Python int()/float() would and keeps other words as strings', () => {
    const script = parseScript(
      [
        'execute_skill 12 42 1_000 +7',
        'execute_all 1.5e3 010 0',
        'execute_all nan',
        'drop_cached_skill 0x10',
        'execute_all Inf',
      ].join('\n'),
      'n.cmds',
    );
    assert.deepEqual(script.lines[0]!.args, [12, 42, 1000, 7]);
    // Names and topics keep the word as written, even when it reads as a number.
    assert.deepEqual(script.lines[0]!.command, {
      kind: 'execute_skill',
      skill: '12',
      input: { topic: '42', memory: 1000, wait_time: 7 },
    });
    assert.deepEqual(script.lines[1]!.args, [1500, 10, 0]);
    assert.ok(Number.isNaN(script.lines[2]!.args[0]));
    assert.deepEqual(script.lines[3]!.args, ['0x10']);
    assert.deepEqual(script.lines[4]!.args, [Infinity]);
    assert.deepEqual(script.lines[4]!.command, {
      kind: 'execute_all',
      input: { topic: 'Inf', memory: 0, wait_time: 0 },
    });
  });

  it('enables add_<kind> and p_add_<kind> for the kinds given', () => {
    const script = parseScript('add_wasi\np_add_wasi 2\n', 'k.cmds', { kinds: ['py', 'wasi'] });
    assert.deepEqual(
      script.lines.map((l) => l.command),
      [
        { kind: 'add', skillKind: 'wasi' },
        { kind: 'p_add', skillKind: 'wasi', count: 2 },
      ],
    );
  });
});

describe('parseScript: errors', () => {
  it('names an unknown command and suggests the closest one', () => {
    assert.deepEqual(errorsOf('skills\nad_py\n'), [
      'my.cmds:2: unknown command "ad_py" (did you mean "add_py"?): "ad_py"; expected: add_py',
    ]);
    assert.deepEqual(errorsOf('execute_al Bob'), [
      'my.cmds:1: unknown command "execute_al" (did you mean "execute_all"?): "execute_al Bob"; expected: execute_all TOPIC [MEMORY_KB] [WAIT_MS]',
    ]);
    const [far] = errorsOf('frobnicate');
    assert.equal(
      far,
      'my.cmds:1: unknown command "frobnicate": "frobnicate"; expected: one of add_py, add_rs, p_add_py, p_add_rs, skills, cached_skills, execute_skill, execute_all, p_execute_all, drop_cached_skill, delete_skill',
    );
  });

  it('says a run log is not a script, once', () => {
    const log = [
      '{"arch":"X86_64","cores":2}',
      '{"bin":"/k","hash":"h"}',
      '{"cmd":"skills","took":1}',
    ];
    assert.deepEqual(errorsOf(log.join('\n')), [
      'my.cmds:1: this is JSON, like a run log, not a command script; ' +
        'expected: a .cmds script (run logs go to `kernel-bench compare`)',
    ]);
  });

  it('refuses add_<kind> for a kind that was not enabled, naming the enabled ones', () => {
    assert.deepEqual(errorsOf('add_wasi'), [
      'my.cmds:1: unknown command "add_wasi" (skill kind "wasi" is not enabled; kinds: py, rs; ' +
        'give its template with --skill wasi=FILE.wasm): "add_wasi"; expected: add_py or add_rs',
    ]);
    assert.deepEqual(errorsOf('p_add_py 2', ['wasi']), [
      'my.cmds:1: unknown command "p_add_py" (skill kind "py" is not enabled; kinds: wasi; ' +
        'give its template with --skill py=FILE.wasm): "p_add_py 2"; expected: p_add_wasi N',
    ]);
  });

  it('refuses repeat counts that are not positive integers', () => {
    const form = '[REPEAT] add_py with REPEAT a whole number >= 1 (no number runs it once)';
    assert.deepEqual(errorsOf('0 add_py\n-2 add_py\n1.5 add_py\n'), [
      `my.cmds:1: repeat count must be a whole number >= 1, got 0: "0 add_py"; expected: ${form}`,
      `my.cmds:2: repeat count must be a whole number >= 1, got -2: "-2 add_py"; expected: ${form}`,
      `my.cmds:3: repeat count must be a whole number >= 1, got 1.5: "1.5 add_py"; expected: ${form}`,
    ]);
    assert.deepEqual(errorsOf('4'), [
      'my.cmds:1: a repeat count without a command: "4"; expected: [REPEAT] COMMAND ... with REPEAT a whole number >= 1 (no number runs it once)',
    ]);
  });

  it('refuses arguments to commands that take none, with a hint for trailing comments', () => {
    assert.deepEqual(errorsOf('add_py 5\nskills # list'), [
      'my.cmds:1: add_py takes no argument, got "5": "add_py 5"; expected: add_py',
      'my.cmds:2: skills takes no argument, got "# list"; comments must be on a line of their own: "skills # list"; expected: skills',
    ]);
    assert.deepEqual(errorsOf('execute_all a 1 2 3'), [
      'my.cmds:1: execute_all takes at most 3 arguments, got 4 (extra: "3"): "execute_all a 1 2 3"; expected: execute_all TOPIC [MEMORY_KB] [WAIT_MS]',
    ]);
    assert.deepEqual(errorsOf('delete_skill a b'), [
      'my.cmds:1: delete_skill takes at most 1 argument, got 2 (extra: "b"): "delete_skill a b"; expected: delete_skill [NAME]',
    ]);
  });

  it('refuses missing required arguments', () => {
    assert.deepEqual(errorsOf('execute_skill\nexecute_skill sample_py1\np_add_py\nexecute_all'), [
      `my.cmds:1: execute_skill needs NAME and TOPIC: "execute_skill"; expected: ${EXECUTE_SKILL}`,
      `my.cmds:2: execute_skill needs TOPIC: "execute_skill sample_py1"; expected: ${EXECUTE_SKILL}`,
      'my.cmds:3: p_add_py needs N: "p_add_py"; expected: p_add_py N',
      'my.cmds:4: execute_all needs TOPIC: "execute_all"; expected: execute_all TOPIC [MEMORY_KB] [WAIT_MS]',
    ]);
  });

  it('refuses negative, fractional and non-numeric counts, KB and ms, one message each', () => {
    assert.deepEqual(errorsOf('p_execute_all X 0 0 -3\nexecute_all Bob lots 1.5\np_add_rs 0'), [
      `my.cmds:1: TIMES must be a whole number >= 1, got -3: "p_execute_all X 0 0 -3"; expected: ${P_EXECUTE_ALL}`,
      'my.cmds:2: MEMORY_KB must be a whole number >= 0, got "lots": "execute_all Bob lots 1.5"; expected: execute_all TOPIC [MEMORY_KB] [WAIT_MS]',
      'my.cmds:2: WAIT_MS must be a whole number >= 0, got "1.5": "execute_all Bob lots 1.5"; expected: execute_all TOPIC [MEMORY_KB] [WAIT_MS]',
      'my.cmds:3: N must be a whole number >= 1, got 0: "p_add_rs 0"; expected: p_add_rs N',
    ]);
  });

  it('refuses p_execute_all TIMES above the legacy limit and says why', () => {
    assert.equal(parseScript('p_execute_all X 0 0 1000', 'ok.cmds').lines[0]!.args[3], 1000);
    assert.deepEqual(errorsOf('p_execute_all X 0 0 1001'), [
      `my.cmds:1: TIMES 1001 is above the limit of 1000 (the legacy tool refused more, so scripts stay runnable and comparable with it): "p_execute_all X 0 0 1001"; expected: ${P_EXECUTE_ALL}`,
    ]);
  });

  it('refuses skill names that are not plain file names', () => {
    const lines = [
      'execute_skill ../outside A',
      'execute_skill a/b A',
      'execute_skill . A',
      'execute_skill .. A',
      'execute_skill /etc/passwd A',
      'execute_skill a\\b A',
      'execute_skill a\0b A',
      'delete_skill ..',
    ];
    assert.deepEqual(errorsOf(lines.join('\n')), [
      `my.cmds:1: skill name "../outside" contains a path separator: "execute_skill ../outside A"; expected: ${PLAIN_NAME}`,
      `my.cmds:2: skill name "a/b" contains a path separator: "execute_skill a/b A"; expected: ${PLAIN_NAME}`,
      `my.cmds:3: skill name "." is a directory reference: "execute_skill . A"; expected: ${PLAIN_NAME}`,
      `my.cmds:4: skill name ".." is a directory reference: "execute_skill .. A"; expected: ${PLAIN_NAME}`,
      `my.cmds:5: skill name "/etc/passwd" contains a path separator: "execute_skill /etc/passwd A"; expected: ${PLAIN_NAME}`,
      `my.cmds:6: skill name "a\\\\b" contains a path separator: "execute_skill a\\\\b A"; expected: ${PLAIN_NAME}`,
      `my.cmds:7: skill name "a\\u0000b" contains a NUL character: "execute_skill a\\u0000b A"; expected: ${PLAIN_NAME}`,
      'my.cmds:8: skill name ".." is a directory reference: "delete_skill .."; expected: delete_skill [NAME] with NAME a plain file name (no "/", "\\", ".", ".." or control characters)',
    ]);
  });

  it('collects the problems of every line, in line order', () => {
    const errors = errorsOf('add_py\nad_py\nskills\n0 add_py\nexecute_skill\n');
    assert.deepEqual(
      errors.map((e) => e.split(':').slice(0, 2).join(':')),
      ['my.cmds:2', 'my.cmds:4', 'my.cmds:5'],
    );
  });

  it('refuses a script without commands', () => {
    const expected = [
      'my.cmds: the script has no commands (it is empty or holds only comments and blank lines); expected: at least one command line, e.g. "add_py"',
    ];
    assert.deepEqual(errorsOf(''), expected);
    assert.deepEqual(errorsOf('# only a comment\n\n   \n\t# another\n'), expected);
  });

  it('refuses invalid kinds', () => {
    assert.throws(() => parseScript('skills', 'k.cmds', { kinds: ['py2'] }), {
      name: 'InputError',
      message:
        'skill kinds: "py2" is not a valid kind; expected: lower-case letters, digits or "_", starting with a letter and not ending with a digit, e.g. "py" or "wasi"',
    });
  });
});

describe('pySplit and parsePyNumber', () => {
  it('split on the characters Python str.split() splits on, and no others', () => {
    // python3 -c "print('a\x1cb\x85c\u3000d\xa0e\ufefff\u200bg'.split())"
    assert.deepEqual(pySplit('a\x1cb\x85c\u3000d\xa0e\ufefff\u200bg'), [
      'a',
      'b',
      'c',
      'd',
      'e\ufefff\u200bg',
    ]);
  });

  it('accept what Python int() and float() accept', () => {
    for (const [word, value, integer] of [
      ['7', 7, true],
      ['-7', -7, true],
      ['+007', 7, true],
      ['1_000', 1000, true],
      ['1.5', 1.5, false],
      ['.5', 0.5, false],
      ['5.', 5, false],
      ['1e3', 1000, false],
      ['1.e-1', 0.1, false],
      ['-inf', -Infinity, false],
      ['Infinity', Infinity, false],
    ] as const) {
      assert.deepEqual(parsePyNumber(word), { value, integer }, word);
    }
    for (const word of ['1__0', '_1', '1_', '0x10', '1e', 'e3', '.', '1.2.3', 'infinit', '']) {
      assert.equal(parsePyNumber(word), undefined, word);
    }
  });
});

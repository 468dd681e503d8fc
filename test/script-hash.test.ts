// The legacy script identity: SHA-1 of Python's repr() of the word lists. Expected values
// were computed once with python3 (3.11) and are written here with the one-liner used.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { pythonStrRepr, pythonWordListsRepr, scriptHash } from '../src/script/hash.ts';

describe('scriptHash', () => {
  it('matches the README example', () => {
    // python3 -c "import hashlib; w=[['add_py'], ['4', 'add_py']]; print(hashlib.sha1(repr(w).encode()).hexdigest())"
    const words = [['add_py'], ['4', 'add_py']];
    assert.equal(pythonWordListsRepr(words), "[['add_py'], ['4', 'add_py']]");
    assert.equal(scriptHash(words), 'a18cc935be5f57e6f6a480199e4aea73df6137f2');
  });

  it('follows Python quoting of single quotes, double quotes and backslashes', () => {
    // python3 -c "import hashlib; w=[['execute_all', \"it's\"], ['execute_all', 'say \"hi\"'], ['execute_all', 'both\'\"'], ['x', 'back\\\\slash']]; print(repr(w), hashlib.sha1(repr(w).encode()).hexdigest())"
    const words = [
      ['execute_all', "it's"],
      ['execute_all', 'say "hi"'],
      ['execute_all', 'both\'"'],
      ['x', 'back\\slash'],
    ];
    assert.equal(
      pythonWordListsRepr(words),
      `[['execute_all', "it's"], ['execute_all', 'say "hi"'], ['execute_all', 'both\\'"'], ['x', 'back\\\\slash']]`,
    );
    assert.equal(scriptHash(words), '6d7b9ca2cfd481e30d9bd0d0b5d2388deab2d745');
  });

  it('escapes non-printable characters as Python does', () => {
    // python3 -c "import hashlib; w=[['a\x00b', '\x7f', '\x85', '\xa0', '\xad', '\u200b', '\ufeff', '\U000e0001', '\ue000', '\u0378', '\U0010ffff', '\ud800'], ['t\tn\nr\r', '\x1b']]; print(repr(w), hashlib.sha1(repr(w).encode()).hexdigest())"
    const words = [
      [
        'a\x00b',
        '\x7f',
        '\x85',
        '\xa0',
        '\xad',
        '\u200b',
        '\ufeff',
        '\u{e0001}',
        '\ue000',
        '\u0378',
        '\u{10ffff}',
        '\ud800',
      ],
      ['t\tn\nr\r', '\x1b'],
    ];
    assert.equal(
      pythonWordListsRepr(words),
      String.raw`[['a\x00b', '\x7f', '\x85', '\xa0', '\xad', '\u200b', '\ufeff', '\U000e0001', '\ue000', '\u0378', '\U0010ffff', '\ud800'], ['t\tn\nr\r', '\x1b']]`,
    );
    assert.equal(scriptHash(words), '9128f9da4bb38170a3aabb2ca11d90eeedd89c44');
  });

  it('keeps printable non-ASCII characters and hashes their UTF-8 bytes', () => {
    // python3 -c "import hashlib; w=[['execute_all', 'naïve', '日本', '😀', 'Ω']]; print(repr(w), hashlib.sha1(repr(w).encode()).hexdigest())"
    const words = [['execute_all', 'naïve', '日本', '😀', 'Ω']];
    assert.equal(pythonWordListsRepr(words), "[['execute_all', 'naïve', '日本', '😀', 'Ω']]");
    assert.equal(scriptHash(words), '6ead1c9930611ea40e7aa3d6cbe2d0f105bf947e');
  });

  it('hashes the empty list', () => {
    // python3 -c "import hashlib; print(hashlib.sha1(repr([]).encode()).hexdigest())"
    assert.equal(scriptHash([]), '97d170e1550eee4afc0af065b78cda302a97674c');
  });

  it('prints single strings like repr()', () => {
    assert.equal(pythonStrRepr(''), "''");
    assert.equal(pythonStrRepr("'"), `"'"`);
    assert.equal(pythonStrRepr(`'"`), `'\\'"'`);
  });
});

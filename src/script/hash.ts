// The legacy script identity: SHA-1 of Python's `repr()` of the list of word lists, e.g.
// `[['add_py'], ['4', 'add_py']]`. Reproducing repr exactly keeps old logs comparable.

import { createHash } from 'node:crypto';

// Python's str.isprintable() is false for these categories (except the plain space).
// Shortcoming: `Cn` (unassigned) follows Node's Unicode version, not the legacy tool's
// Python; they differ only for characters assigned in between.
const NON_PRINTABLE = /[\p{Cc}\p{Cf}\p{Cs}\p{Co}\p{Cn}\p{Zl}\p{Zp}\p{Zs}]/u;

function hex(code: number, width: number): string {
  return code.toString(16).padStart(width, '0');
}

/** Python's `repr(s)` for a str. */
export function pythonStrRepr(s: string): string {
  // Python picks double quotes only when that avoids escaping.
  const quote = s.includes("'") && !s.includes('"') ? '"' : "'";
  let out = quote;
  // for...of walks code points; a lone surrogate comes out on its own (as Python sees it).
  for (const ch of s) {
    const code = ch.codePointAt(0)!;
    if (ch === quote || ch === '\\') out += '\\' + ch;
    else if (ch === '\t') out += '\\t';
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (code < 0x20 || code === 0x7f) out += '\\x' + hex(code, 2);
    else if (code < 0x7f) out += ch;
    else if (ch !== ' ' && NON_PRINTABLE.test(ch)) {
      if (code <= 0xff) out += '\\x' + hex(code, 2);
      else if (code <= 0xffff) out += '\\u' + hex(code, 4);
      else out += '\\U' + hex(code, 8);
    } else out += ch;
  }
  return out + quote;
}

/** Python's `repr()` of a list of lists of str. */
export function pythonWordListsRepr(wordLists: readonly (readonly string[])[]): string {
  return '[' + wordLists.map((w) => '[' + w.map(pythonStrRepr).join(', ') + ']').join(', ') + ']';
}

/** SHA-1 hex of the UTF-8 bytes of `repr(wordLists)`, as the legacy tool computed it. */
export function scriptHash(wordLists: readonly (readonly string[])[]): string {
  return createHash('sha1').update(pythonWordListsRepr(wordLists), 'utf8').digest('hex');
}

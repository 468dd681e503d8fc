import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { openFilesLimit } from '../src/measure/limits.ts';

const dir = mkdtempSync(join(tmpdir(), 'kb-limits-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function limits(openFiles: string): string {
  const path = join(dir, `limits-${openFiles.replace(/\W+/g, '_')}`);
  writeFileSync(
    path,
    'Limit                     Soft Limit           Hard Limit           Units     \n' +
      'Max processes             127437               127437               processes \n' +
      `Max open files            ${openFiles}              files     \n` +
      'Max locked memory         8388608              8388608              bytes     \n',
  );
  return path;
}

test('openFilesLimit: the soft limit; null when unlimited or unreadable', () => {
  assert.equal(openFilesLimit(limits('1024                 4096')), 1024);
  assert.equal(openFilesLimit(limits('unlimited            unlimited')), null);
  assert.equal(openFilesLimit(join(dir, 'missing')), null);
  if (process.platform === 'linux') {
    const own = openFilesLimit();
    assert.ok(own !== null && own >= 256, `this process: ${own}`);
  }
});

import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, statSync } from 'node:fs';
import { mkdtemp, rm, symlink, writeFile, chmod } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { fileInfo, formatStamp, resolveExecutable, sha1Of } from '../src/measure/fileinfo.ts';

const HELLO = fileURLToPath(new URL('./fixtures/measure/hello.txt', import.meta.url));
// Verified once with `sha1sum test/fixtures/measure/hello.txt`.
const HELLO_SHA1 = 'dd3a45e623b1a53e56725403fe577ea0289d2184';

const dir = await mkdtemp(join(tmpdir(), 'kernel-bench-fileinfo-'));
after(() => rm(dir, { recursive: true, force: true }));

test('formatStamp writes local time as YYMMDD_HHMMSS.mmm', () => {
  // Built from local fields, so the expected text holds in any time zone.
  assert.equal(formatStamp(new Date(2024, 9, 22, 20, 42, 17, 730)), '241022_204217.730');
  assert.equal(formatStamp(new Date(2009, 0, 2, 3, 4, 5, 6)), '090102_030405.006');
});

test('fileInfo hashes the bytes and stamps the change time', async () => {
  const info = await fileInfo(HELLO);
  assert.equal(info.path, HELLO);
  assert.equal(info.sha1, HELLO_SHA1);
  assert.equal(info.modified, formatStamp(statSync(HELLO).ctime));
  assert.match(info.modified!, /^\d{6}_\d{6}\.\d{3}$/);
});

test('fileInfo resolves symlinks and relative paths to the real path', async () => {
  const link = join(dir, 'link.txt');
  await symlink(HELLO, link);
  const viaLink = await fileInfo(link);
  assert.equal(viaLink.path, HELLO);
  assert.equal(viaLink.sha1, HELLO_SHA1);
  const viaRelative = await fileInfo(relative(process.cwd(), HELLO));
  assert.equal(viaRelative.path, HELLO);
});

test('fileInfo streams a file larger than one read', async () => {
  // 3 MiB of one byte value: read in several 1 MiB chunks.
  const big = join(dir, 'big.bin');
  await writeFile(big, Buffer.alloc(3 * 1024 * 1024 + 5, 0x61));
  // Verified once: head -c 3145733 /dev/zero | tr '\0' 'a' | sha1sum
  assert.equal(await sha1Of(big), '33a0516d6d0d05685d894c3fa78542ddee5aa522');
});

test('fileInfo of a missing file gives nulls and the path as given', async () => {
  const missing = join(dir, 'nope', 'kernel');
  assert.deepEqual(await fileInfo(missing), { path: missing, sha1: null, modified: null });
});

test('fileInfo of a directory has no hash but a change time', async () => {
  const info = await fileInfo(dir);
  assert.equal(info.sha1, null);
  assert.match(info.modified!, /^\d{6}_\d{6}\.\d{3}$/);
});

test(
  'resolveExecutable finds a bare name on PATH',
  { skip: process.platform === 'win32' },
  async () => {
    const sh = await resolveExecutable('sh');
    assert.ok(sh && sh.startsWith('/') && existsSync(sh), `sh resolved to ${sh}`);
    assert.equal(await resolveExecutable('kernel-bench-no-such-command-4242'), null);
    assert.equal(await resolveExecutable(''), null);
  },
);

test('resolveExecutable takes a path with a slash as is, when executable', async () => {
  const tool = join(dir, 'tool.sh');
  await writeFile(tool, '#!/bin/sh\n');
  await chmod(tool, 0o755);
  assert.equal(await resolveExecutable(tool), tool);
  const plain = join(dir, 'plain.txt');
  await writeFile(plain, 'x');
  assert.equal(await resolveExecutable(plain), null, 'not executable');
});

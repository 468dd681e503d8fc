// Identity of the files a run depends on (the kernel binary, the script):
// resolved path, SHA-1 of the bytes, change time as a log stamp.

import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { realpath, stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import which from 'which';

export interface FileInfo {
  /** The real path (symlinks resolved), or the path as given when it could not be resolved. */
  path: string;
  /** SHA-1 hex of the bytes; null when the file could not be read. */
  sha1: string | null;
  /** Change time (ctime) as `YYMMDD_HHMMSS.mmm`, local time; null when unreadable. */
  modified: string | null;
}

const pad = (value: number, width = 2) => String(value).padStart(width, '0');

/** Local time as `YYMMDD_HHMMSS.mmm`, the legacy stamp (e.g. `241022_204217.730`). */
export function formatStamp(date: Date): string {
  return (
    pad(date.getFullYear() % 100) +
    pad(date.getMonth() + 1) +
    pad(date.getDate()) +
    '_' +
    pad(date.getHours()) +
    pad(date.getMinutes()) +
    pad(date.getSeconds()) +
    '.' +
    pad(date.getMilliseconds(), 3)
  );
}

/** Path, SHA-1 and change time of a file. Never throws: what cannot be read is null. */
export async function fileInfo(path: string): Promise<FileInfo> {
  let real: string;
  try {
    real = await realpath(path);
  } catch {
    return { path, sha1: null, modified: null };
  }
  const [sha1, modified] = await Promise.all([
    sha1Of(real).catch(() => null),
    stat(real).then(
      (info) => formatStamp(info.ctime),
      () => null,
    ),
  ]);
  return { path: real, sha1, modified };
}

/** SHA-1 hex of a file, streamed: kernel binaries and skills run to 100+ MB. */
export async function sha1Of(path: string): Promise<string> {
  const hash = createHash('sha1');
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) {
    hash.update(chunk as Buffer);
  }
  return hash.digest('hex');
}

/**
 * The absolute path of an executable: a bare name is looked up on PATH, a
 * name with a slash is taken relative to the working directory. Null when
 * not found or not executable.
 */
export async function resolveExecutable(cmd: string): Promise<string | null> {
  if (!cmd) return null;
  try {
    // A relative PATH entry (like `.`) gives a relative result.
    return resolve(await which(cmd));
  } catch {
    return null;
  }
}

/**
 * File output that never leaves a half-written file. The temp-file + fsync + rename (and removing
 * the temp file on failure, even on a signal) is `write-file-atomic`'s job; this adds the parent
 * folders and turns a system error into a CLI error that names the path.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import writeFileAtomicSync from 'write-file-atomic';
import { CliError } from './io.js';

export function writeFileAtomic(path: string, data: string | Uint8Array): void {
  try {
    mkdirSync(dirname(path), { recursive: true });
    // A Buffer view of the same memory (no copy): the library's types take a Buffer.
    writeFileAtomicSync.sync(path, typeof data === 'string' ? data : Buffer.from(data.buffer, data.byteOffset, data.byteLength));
  } catch (e) {
    throw new CliError(`cannot write '${path}': ${describeFsError(e)}`);
  }
}

export function describeFsError(e: unknown): string {
  const err = e as NodeJS.ErrnoException;
  switch (err?.code) {
    case 'ENOENT': return 'no such file or directory';
    case 'EACCES':
    case 'EPERM': return 'permission denied';
    case 'EISDIR': return 'it is a directory';
    case 'ENOTDIR': return 'a parent path is not a directory';
    case 'ENOSPC': return 'no space left on the device';
    case 'EROFS': return 'read-only file system';
    case 'EEXIST': return 'something is already there and in the way';
    case 'EDQUOT': return 'the disk quota is exhausted';
    default: return err?.message ?? String(e);
  }
}

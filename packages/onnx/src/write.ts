/** Atomic file output: a reader never sees a half-written .onnx file, even if the process dies. */
import { closeSync, fsyncSync, openSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { diag, type Diagnostic } from '@dlm/core';

/**
 * Writes `bytes` to a temporary file in the target's directory, fsyncs it, then renames it over
 * `path` (rename within one directory is atomic on POSIX). Returns diagnostics instead of
 * throwing: DLM6008 names the path and the system's reason.
 */
export function writeOnnxFile(path: string, bytes: Uint8Array): Diagnostic[] {
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.${Date.now()}.tmp`);
  let fd: number | undefined;
  try {
    fd = openSync(tmp, 'wx', 0o644);
    let off = 0;
    while (off < bytes.length) off += writeSync(fd, bytes, off, bytes.length - off);
    fsyncSync(fd);
    closeSync(fd);
    fd = undefined;
    renameSync(tmp, path);
    syncDir(dirname(path));
    return [];
  } catch (e) {
    if (fd !== undefined) {
      try {
        closeSync(fd);
      } catch {
        /* already failing; the original error is what the user needs */
      }
    }
    try {
      unlinkSync(tmp);
    } catch {
      /* the temp file may never have been created */
    }
    return [diag('DLM6008', [path, reason(e)])];
  }
}

/** Makes the rename itself durable; not possible on every platform, so failures are ignored. */
function syncDir(dir: string): void {
  try {
    const fd = openSync(dir, 'r');
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  } catch {
    /* directories cannot be opened for fsync on some systems (Windows) */
  }
}

function reason(e: unknown): string {
  const err = e as NodeJS.ErrnoException;
  switch (err?.code) {
    case 'ENOENT':
      return 'the directory does not exist';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'EISDIR':
      return 'it is a directory';
    case 'ENOTDIR':
      return 'a parent of it is not a directory';
    case 'EROFS':
      return 'the file system is read-only';
    case 'ENOSPC':
      return 'no space left on the device';
    default:
      return err instanceof Error ? err.message : String(e);
  }
}

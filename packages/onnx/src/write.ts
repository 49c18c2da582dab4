/** Atomic file output: a reader never sees a half-written .onnx file, even if the process dies. */
import writeFileAtomic from 'write-file-atomic';
import { diag, type Diagnostic } from '@dlm/core';

/**
 * Writes `bytes` through `write-file-atomic` (a temporary file beside `path`, fsynced, then renamed
 * over it; the temporary file is removed on failure). Returns diagnostics instead of throwing:
 * DLM6008 names the path and the system's reason.
 */
export function writeOnnxFile(path: string, bytes: Uint8Array): Diagnostic[] {
  try {
    // A Buffer view of the same memory (no copy): the library's types take a Buffer.
    writeFileAtomic.sync(path, Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
    return [];
  } catch (e) {
    return [diag('DLM6008', [path, reason(e)])];
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

/**
 * File helpers shared by the dataset loaders. Every user-facing failure becomes a
 * `DatasetError` naming the file, so the CLI can print it as a diagnostic instead of a stack.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import { homedir } from 'node:os';
import * as path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { DatasetError } from '@dlm/core';

/**
 * Resolves a user-given path: `~/` is the home directory; relative paths are from `baseDir` (the
 * .dlm file's folder, see DatasetOpenContext.baseDir) or else the current directory.
 */
export function resolveUserPath(p: string, baseDir?: string): string {
  if (p === '~') return homedir();
  if (p.startsWith('~/')) return path.join(homedir(), p.slice(2));
  return baseDir ? path.resolve(baseDir, p) : path.resolve(p);
}

export function isFile(p: string): boolean {
  try {
    return fs.statSync(p).isFile();
  } catch {
    return false;
  }
}

/** Reads a whole file; a missing or unreadable file is a DatasetError. */
export function readFileOrFail(file: string): Buffer {
  try {
    return fs.readFileSync(file);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'file not found' : code === 'EISDIR' ? 'is a directory, not a file' : `cannot read (${code ?? String(e)})`;
    throw new DatasetError(`${file}: ${why}`, file);
  }
}

/** True when the bytes start with the gzip magic number (1f 8b). */
export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

/**
 * Reads a file that may be gzip-compressed (detected by its magic number, not by its name, so a
 * `.gz` that was already unpacked by a browser still loads). A cut-off gzip stream is reported as
 * truncated rather than as zlib's "unexpected end of file".
 */
export function readMaybeGzip(file: string): Uint8Array {
  const raw = readFileOrFail(file);
  if (!isGzip(raw)) return raw;
  try {
    return gunzipSync(raw);
  } catch (e) {
    const msg = (e as Error).message;
    if (/unexpected end/i.test(msg)) {
      throw new DatasetError(`${file}: truncated gzip file (${raw.length} bytes; the download was probably cut off)`, file);
    }
    throw new DatasetError(`${file}: corrupt gzip data (${msg})`, file);
  }
}

export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

export async function sha256File(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of fs.createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** The first of `candidates` that exists as a file, or undefined. */
export function firstExisting(candidates: readonly string[]): string | undefined {
  return candidates.find(isFile);
}

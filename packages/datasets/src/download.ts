/**
 * Verified downloads into the dataset cache.
 *
 * Bytes go to `<dest>.part`; only a file whose SHA-256 matches the pinned checksum is renamed to
 * `<dest>` (rename is atomic on one file system), so a cached file is always complete and
 * genuine. A network failure keeps the `.part` file and the next attempt resumes it with an HTTP
 * Range request; a server that ignores Range (answers 200) simply restarts the file. A checksum
 * mismatch deletes the `.part` file: corrupt bytes are never cached.
 */
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as https from 'node:https';
import * as path from 'node:path';
import { DatasetError } from '@dlm/core';
import { sha256File } from './io.js';

export interface DownloadOptions {
  log?(message: string): void;
  /** Per-request inactivity timeout; default 60 s. */
  timeoutMs?: number;
}

/** Joins a base URL (a mirror) and a file name with exactly one slash. */
export function joinUrl(base: string, file: string): string {
  return `${base.replace(/\/+$/, '')}/${file}`;
}

function get(url: string, headers: Record<string, string>, timeoutMs: number, redirects = 5): Promise<http.IncomingMessage> {
  return new Promise((resolve, reject) => {
    const lib = url.startsWith('https:') ? https : url.startsWith('http:') ? http : undefined;
    if (!lib) {
      reject(new Error(`unsupported URL scheme (only http and https): ${url}`));
      return;
    }
    const req = lib.get(url, { headers }, (res) => {
      const status = res.statusCode ?? 0;
      if (status >= 300 && status < 400 && res.headers.location) {
        res.resume();
        if (redirects === 0) {
          reject(new Error('too many redirects'));
          return;
        }
        get(new URL(res.headers.location, url).toString(), headers, timeoutMs, redirects - 1).then(resolve, reject);
        return;
      }
      resolve(res);
    });
    req.setTimeout(timeoutMs, () => req.destroy(new Error(`no data for ${timeoutMs / 1000} s`)));
    req.on('error', reject);
  });
}

function fileSize(p: string): number {
  try {
    return fs.statSync(p).size;
  } catch {
    return 0;
  }
}

/**
 * Streams the response body to `part` (appending when `append`); rejects if it ends early. What
 * arrived before a dropped connection is flushed to disk, so the next attempt can resume.
 */
function saveBody(res: http.IncomingMessage, part: string, append: boolean, log?: (m: string) => void, offset = 0): Promise<void> {
  return new Promise((resolve, reject) => {
    const expected = Number(res.headers['content-length'] ?? NaN);
    let received = 0;
    let failure: Error | undefined;
    const out = fs.createWriteStream(part, { flags: append ? 'a' : 'w' });
    const fail = (e: Error) => {
      failure ??= e;
      res.unpipe(out);
      out.end();
    };
    // Big files (CIFAR-10 is 163 MB) report progress every 10%.
    let nextReport = 0.1;
    res.on('data', (chunk: Buffer) => {
      received += chunk.length;
      if (log && expected > 8e6 && received / expected >= nextReport) {
        log(`  ${Math.floor((received / expected) * 100)}% (${((offset + received) / 1e6).toFixed(1)} MB)`);
        while (received / expected >= nextReport) nextReport += 0.1;
      }
    });
    res.on('aborted', () => fail(new Error('connection closed mid-download')));
    res.on('error', (e) => fail(e));
    out.on('error', reject);
    out.on('finish', () => {
      if (failure) reject(failure);
      else if (Number.isFinite(expected) && received < expected) reject(new Error(`connection closed after ${received} of ${expected} bytes`));
      else resolve();
    });
    res.pipe(out);
  });
}

/**
 * Downloads `url` to `dest` and checks its SHA-256. Resolves when `dest` holds the verified file;
 * rejects with a DatasetError (naming the URL) otherwise.
 */
export async function downloadVerified(url: string, dest: string, sha256: string, opts: DownloadOptions = {}): Promise<void> {
  const part = `${dest}.part`;
  const timeoutMs = opts.timeoutMs ?? 60_000;
  fs.mkdirSync(path.dirname(dest), { recursive: true });
  const have = fileSize(part);
  opts.log?.(have > 0 ? `resuming download of ${url} at byte ${have}` : `downloading ${url}`);
  try {
    const res = await get(url, have > 0 ? { Range: `bytes=${have}-` } : {}, timeoutMs);
    const status = res.statusCode ?? 0;
    if (status === 416 && have > 0) {
      // The server has nothing after byte `have`: the .part file is already complete (or too long);
      // the checksum below decides.
      res.resume();
    } else if (status === 206 && have > 0 && (res.headers['content-range'] ?? '').startsWith(`bytes ${have}-`)) {
      await saveBody(res, part, true, opts.log, have);
    } else if (status === 200) {
      await saveBody(res, part, false, opts.log);
    } else {
      res.resume();
      throw new Error(`HTTP ${status}${res.statusMessage ? ` ${res.statusMessage}` : ''}`);
    }
  } catch (e) {
    throw new DatasetError(`download of ${url} failed: ${(e as Error).message}${fileSize(part) > 0 ? ' (the partial file is kept and the next run resumes it)' : ''}`, dest);
  }
  const got = await sha256File(part);
  if (got !== sha256) {
    fs.rmSync(part, { force: true });
    throw new DatasetError(
      `checksum mismatch for ${url}: expected SHA-256 ${sha256}, got ${got}; the file was deleted, not cached (a broken mirror or a corrupted transfer)`,
      dest,
    );
  }
  fs.renameSync(part, dest);
  opts.log?.(`saved ${dest} (SHA-256 verified)`);
}

/**
 * A minimal streaming reader for (gzip-compressed) tar archives — enough to unpack
 * cifar-10-binary.tar.gz without a dependency. Understands ustar headers (with the 155-byte name
 * prefix), GNU long names ('L' entries) and pax extended headers ('x' entries, `path=`), checks
 * each header's checksum, and reports a cut-off archive as truncated.
 */
import * as fs from 'node:fs';
import { createGunzip } from 'node:zlib';
import { DatasetError } from '@dlm/core';

export interface TarEntryHeader {
  name: string;
  size: number;
  /** '0' (or NUL) file, '5' directory, … as in the header. */
  type: string;
}

/** Receives one entry's bytes, or skips the entry when `onEntry` returns undefined. */
export interface TarSink {
  write(chunk: Uint8Array): void;
  end(): void;
}

function cstr(b: Uint8Array, start: number, len: number): string {
  let end = start;
  while (end < start + len && b[end] !== 0) end++;
  return Buffer.from(b.subarray(start, end)).toString('utf8');
}

function octal(b: Uint8Array, start: number, len: number): number {
  // GNU base-256 for sizes ≥ 8 GiB: high bit of the first byte set.
  if (b[start] & 0x80) {
    let v = 0;
    for (let i = start + 1; i < start + len; i++) v = v * 256 + b[i];
    return v;
  }
  const s = cstr(b, start, len).trim();
  return s === '' ? 0 : parseInt(s, 8);
}

function isZeroBlock(b: Uint8Array): boolean {
  for (let i = 0; i < 512; i++) if (b[i] !== 0) return false;
  return true;
}

/** Incremental tar parser: feed bytes with `push`, then call `end`. */
export class TarReader {
  private pending: Uint8Array[] = [];
  private pendingLen = 0;
  /** Bytes of the current entry's data still to read, then padding to skip. */
  private dataLeft = 0;
  private padLeft = 0;
  private sink: TarSink | undefined;
  private meta: { kind: 'L' | 'x'; chunks: Uint8Array[] } | undefined;
  private longName: string | undefined;
  private done = false;

  constructor(
    private readonly file: string,
    private readonly onEntry: (h: TarEntryHeader) => TarSink | undefined,
  ) {}

  push(chunk: Uint8Array): void {
    let off = 0;
    while (off < chunk.length && !this.done) {
      if (this.dataLeft > 0) {
        const n = Math.min(this.dataLeft, chunk.length - off);
        const part = chunk.subarray(off, off + n);
        if (this.meta) this.meta.chunks.push(Uint8Array.from(part));
        else this.sink?.write(part);
        this.dataLeft -= n;
        off += n;
        if (this.dataLeft === 0) this.finishEntry();
        continue;
      }
      if (this.padLeft > 0) {
        const n = Math.min(this.padLeft, chunk.length - off);
        this.padLeft -= n;
        off += n;
        continue;
      }
      const need = 512 - this.pendingLen;
      const n = Math.min(need, chunk.length - off);
      this.pending.push(chunk.subarray(off, off + n));
      this.pendingLen += n;
      off += n;
      if (this.pendingLen === 512) {
        const block = Buffer.concat(this.pending);
        this.pending = [];
        this.pendingLen = 0;
        this.header(block);
      }
    }
  }

  end(): void {
    if (!this.done && (this.dataLeft > 0 || this.pendingLen > 0 || this.meta || this.sink)) {
      throw new DatasetError(`${this.file}: truncated tar archive`, this.file);
    }
  }

  private header(b: Uint8Array): void {
    if (isZeroBlock(b)) {
      this.done = true;
      return;
    }
    let sum = 0;
    for (let i = 0; i < 512; i++) sum += i >= 148 && i < 156 ? 32 : b[i];
    if (sum !== octal(b, 148, 8)) throw new DatasetError(`${this.file}: corrupt tar header (checksum mismatch); not a tar archive?`, this.file);
    const type = String.fromCharCode(b[156] || 48);
    const size = octal(b, 124, 12);
    let name = cstr(b, 0, 100);
    if (cstr(b, 257, 5) === 'ustar') {
      const prefix = cstr(b, 345, 155);
      if (prefix) name = `${prefix}/${name}`;
    }
    if (this.longName !== undefined) {
      name = this.longName;
      this.longName = undefined;
    }
    this.dataLeft = size;
    this.padLeft = (512 - (size % 512)) % 512;
    if (type === 'L' || type === 'x') {
      this.meta = { kind: type, chunks: [] };
    } else if (type === 'g') {
      this.sink = undefined; // global pax header: nothing dlm needs
    } else {
      this.sink = this.onEntry({ name, size, type });
    }
    if (size === 0) this.finishEntry();
  }

  private finishEntry(): void {
    if (this.meta) {
      const text = Buffer.concat(this.meta.chunks).toString('utf8');
      if (this.meta.kind === 'L') this.longName = text.replace(/\0+$/, '');
      else {
        // pax records: "<len> key=value\n"
        const m = /(?:^|\n)\d+ path=([^\n]*)\n/.exec(text);
        if (m) this.longName = m[1];
      }
      this.meta = undefined;
    } else {
      this.sink?.end();
      this.sink = undefined;
    }
  }
}

/**
 * Extracts the entries of a .tar.gz (or plain .tar) file for which `pick` returns a destination
 * path; returns the entry names that were written.
 */
export async function extractTarGz(file: string, pick: (entryName: string) => string | undefined): Promise<string[]> {
  const written: string[] = [];
  const reader = new TarReader(file, (h) => {
    if (h.type !== '0' && h.type !== '\0' && h.type !== '7') return undefined;
    const dest = pick(h.name);
    if (!dest) return undefined;
    const fd = fs.openSync(dest, 'w');
    written.push(h.name);
    return { write: (c) => fs.writeSync(fd, c), end: () => fs.closeSync(fd) };
  });
  const head = Buffer.alloc(2);
  const fd = fs.openSync(file, 'r');
  fs.readSync(fd, head, 0, 2, 0);
  fs.closeSync(fd);
  const source = fs.createReadStream(file);
  const stream = head[0] === 0x1f && head[1] === 0x8b ? source.pipe(createGunzip()) : source;
  try {
    for await (const chunk of stream) reader.push(chunk as Buffer);
  } catch (e) {
    if (e instanceof DatasetError) throw e;
    const msg = (e as Error).message;
    throw new DatasetError(`${file}: ${/unexpected end/i.test(msg) ? 'truncated gzip file' : `corrupt gzip data (${msg})`}`, file);
  } finally {
    source.destroy();
  }
  reader.end();
  return written;
}

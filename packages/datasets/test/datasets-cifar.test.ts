import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DatasetError, type Args } from '@dlm/core';
import { afterEach, describe, expect, it } from 'vitest';
import { CIFAR10_SPEC, STD_DATASETS, cifar10Dataset, extractTarGz, mulberry32 } from '../src/node.js';
import { ctxFor, startMirror, tempDir, type Mirror } from './fixtures/datasets-helpers.js';

const cifar10 = STD_DATASETS.find((d) => d.name === 'cifar10')!;
const RECORD = 3073;
function args(extra: Args = {}): Args {
  const a: Args = {};
  for (const s of cifar10.args) if (s.default !== undefined) a[s.name] = s.default;
  return { ...a, ...extra };
}

/** A CIFAR-10 binary batch of `n` random records; labels cycle from `first`. */
function batch(n: number, seed: number, first = 0): Uint8Array {
  const rand = mulberry32(seed);
  const b = new Uint8Array(n * RECORD);
  for (let r = 0; r < n; r++) {
    b[r * RECORD] = (first + r) % 10;
    for (let i = 1; i < RECORD; i++) b[r * RECORD + i] = Math.floor(rand() * 256);
  }
  return b;
}

function writeBins(dir: string, perFile = 3): Record<string, Uint8Array> {
  fs.mkdirSync(dir, { recursive: true });
  const files: Record<string, Uint8Array> = {};
  for (let k = 1; k <= 5; k++) files[`data_batch_${k}.bin`] = batch(perFile, k, k);
  files['test_batch.bin'] = batch(perFile + 1, 99);
  for (const [n, b] of Object.entries(files)) fs.writeFileSync(path.join(dir, n), b);
  return files;
}

describe('cifar10 from the binary .bin files', () => {
  it('concatenates the five training batches in order, NCHW with R,G,B planes', async () => {
    const dir = tempDir();
    const files = writeBins(dir);
    const train = await cifar10.open(args({ dir, normalize: false }), ctxFor('train', tempDir()));
    expect(train.size).toBe(15);
    expect(train.info).toMatchObject({ inputShape: [3, 32, 32], classes: 10 });
    expect(train.info.classNames?.[0]).toBe('airplane');
    const b = train.slice(3, 2); // records 0 and 1 of data_batch_2.bin
    expect(b.xShape).toEqual([2, 3, 32, 32]);
    expect(Array.from(b.y)).toEqual([2, 3]);
    const rec = files['data_batch_2.bin'];
    // pixel (c=1 green, row 5, col 7) of the first record
    expect(b.x[1 * 1024 + 5 * 32 + 7]).toBeCloseTo(rec[1 + 1024 + 5 * 32 + 7] / 255, 6);
    expect(b.x[3072 + 2 * 1024]).toBeCloseTo(rec[RECORD + 1 + 2048] / 255, 6);
    const test = await cifar10.open(args({ dir }), ctxFor('test', tempDir()));
    expect(test.size).toBe(4);
  });

  it('finds cifar-10-batches-bin/ under dir and normalizes per channel', async () => {
    const root = tempDir();
    const files = writeBins(path.join(root, 'cifar-10-batches-bin'));
    const test = (await cifar10.open(args({ dir: root }), ctxFor('test', tempDir()))).slice(0, 1);
    const t = files['test_batch.bin'];
    expect(test.x[0]).toBeCloseTo((t[1] / 255 - 0.4914) / 0.247, 5);
    expect(test.x[1024]).toBeCloseTo((t[1025] / 255 - 0.4822) / 0.2435, 5);
    expect(test.x[2048]).toBeCloseTo((t[2049] / 255 - 0.4465) / 0.2616, 5);
  });

  it('a truncated batch file, a bad label and missing files are DatasetErrors naming the file', async () => {
    const dir = tempDir();
    const files = writeBins(dir);
    const f3 = path.join(dir, 'data_batch_3.bin');
    fs.writeFileSync(f3, files['data_batch_3.bin'].subarray(0, RECORD * 2 + 10));
    await expect(cifar10.open(args({ dir }), ctxFor('train', tempDir()))).rejects.toMatchObject({
      name: 'DatasetError',
      file: f3,
      message: expect.stringMatching(/truncated file \(6156 bytes is not a whole number of 3073-byte CIFAR-10 records/),
    });
    const bad = Uint8Array.from(files['data_batch_3.bin']);
    bad[RECORD] = 12;
    fs.writeFileSync(f3, bad);
    await expect(cifar10.open(args({ dir }), ctxFor('train', tempDir()))).rejects.toThrow(/label 12 of record 1 is out of range/);
    fs.rmSync(f3);
    await expect(cifar10.open(args({ dir }), ctxFor('train', tempDir()))).rejects.toThrow(/lacks the train files data_batch_3\.bin/);
    await expect(cifar10.open(args(), ctxFor('train', tempDir()))).rejects.toThrow(/pass download: true to fetch cifar-10-binary\.tar\.gz/);
  });
});

const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

/** Builds cifar-10-binary.tar.gz with the system tar (an independent writer). */
function makeArchive(format: 'gnu' | 'pax' | 'ustar', longNames = false): { bytes: Uint8Array; files: Record<string, Uint8Array> } {
  const root = tempDir();
  const sub = longNames ? path.join('x'.repeat(60), 'y'.repeat(60), 'cifar-10-batches-bin') : 'cifar-10-batches-bin';
  const files = writeBins(path.join(root, sub), 2);
  fs.writeFileSync(path.join(root, sub, 'readme.html'), '<p>not needed</p>');
  const out = path.join(tempDir(), 'cifar-10-binary.tar.gz');
  execFileSync('tar', [`--format=${format}`, '-czf', out, '-C', root, sub.split(path.sep)[0]]);
  return { bytes: fs.readFileSync(out), files };
}

describe('cifar10 download and the tar reader', () => {
  let mirror: Mirror | undefined;
  afterEach(async () => {
    await mirror?.close();
    mirror = undefined;
  });

  it('downloads the archive, checks it, unpacks the .bin files into the cache and drops the archive', async () => {
    const { bytes, files } = makeArchive('gnu');
    const ds = cifar10Dataset({ ...CIFAR10_SPEC, archive: { name: 'cifar-10-binary.tar.gz', sha256: sha(bytes) } });
    mirror = await startMirror({ 'cifar-10-binary.tar.gz': bytes });
    const cache = tempDir();
    const ctx = ctxFor('train', cache, mirror.url);
    const train = await ds.open(args({ download: true, normalize: false }), ctx);
    expect(train.size).toBe(10);
    const binDir = path.join(cache, 'cifar10', 'cifar-10-batches-bin');
    expect(fs.readdirSync(binDir).sort()).toEqual(['.dlm-verified', 'data_batch_1.bin', 'data_batch_2.bin', 'data_batch_3.bin', 'data_batch_4.bin', 'data_batch_5.bin', 'test_batch.bin']);
    expect(sha(fs.readFileSync(path.join(binDir, 'test_batch.bin')))).toBe(sha(files['test_batch.bin']));
    expect(fs.existsSync(path.join(cache, 'cifar10', 'cifar-10-binary.tar.gz'))).toBe(false);
    const test = await ds.open(args({ download: true }), ctxFor('test', cache, mirror.url));
    expect(test.size).toBe(3);
    expect(mirror.requests).toHaveLength(1); // the second open used the cache
  });

  it('rejects an archive with the wrong checksum (the real pinned one) and caches nothing', async () => {
    const { bytes } = makeArchive('gnu');
    mirror = await startMirror({ 'cifar-10-binary.tar.gz': bytes });
    const cache = tempDir();
    await expect(cifar10.open(args({ download: true }), ctxFor('train', cache, mirror.url))).rejects.toThrow(
      /checksum mismatch for .*cifar-10-binary\.tar\.gz: expected SHA-256 c4a38c50a1bc5f3a1c5537f2155ab9d68f9f25eb1ed8d9ddda3db29a59bca1dd/,
    );
    expect(fs.readdirSync(path.join(cache, 'cifar10'))).toEqual([]);
  });

  for (const format of ['gnu', 'pax', 'ustar'] as const) {
    it(`reads ${format} archives with names longer than 100 characters`, async () => {
      const { bytes, files } = makeArchive(format, true);
      const file = path.join(tempDir(), 'a.tar.gz');
      fs.writeFileSync(file, bytes);
      const out = tempDir();
      const names = await extractTarGz(file, (n) => (n.endsWith('.bin') ? path.join(out, path.posix.basename(n)) : undefined));
      expect(names).toHaveLength(6);
      expect(names[0].length).toBeGreaterThan(100);
      expect(names.every((n) => n.startsWith(`${'x'.repeat(60)}/${'y'.repeat(60)}/cifar-10-batches-bin/`))).toBe(true);
      for (const [n, b] of Object.entries(files)) expect(sha(fs.readFileSync(path.join(out, n)))).toBe(sha(b));
    });
  }

  it('a truncated archive and a non-tar file are DatasetErrors', async () => {
    const { bytes } = makeArchive('gnu');
    const cut = path.join(tempDir(), 'cut.tar.gz');
    fs.writeFileSync(cut, bytes.subarray(0, Math.floor(bytes.length * 0.6)));
    const e = await extractTarGz(cut, () => undefined).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(DatasetError);
    expect((e as Error).message).toMatch(/truncated/);
    const notTar = path.join(tempDir(), 'x.tar');
    fs.writeFileSync(notTar, Buffer.alloc(1024, 'hello '));
    await expect(extractTarGz(notTar, () => undefined)).rejects.toThrow(/corrupt tar header \(checksum mismatch\)/);
  });
});

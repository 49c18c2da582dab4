import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { gzipSync } from 'node:zlib';
import { DatasetError, type Args } from '@dlm/core';
import { afterEach, describe, expect, it } from 'vitest';
import { MNIST_SPEC, STD_DATASETS, downloadVerified, encodeIdx, idxImageDataset, type IdxDatasetSpec } from '../src/node.js';
import { ctxFor, startMirror, tempDir, writeIdxSet, type Mirror } from './fixtures/datasets-helpers.js';

const mnist = STD_DATASETS.find((d) => d.name === 'mnist')!;
const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

/** Default args as the language would fill them. */
function args(extra: Args = {}): Args {
  const a: Args = {};
  for (const s of mnist.args) if (s.default !== undefined) a[s.name] = s.default;
  return { ...a, ...extra };
}

async function expectDatasetError(p: Promise<unknown>, pattern: RegExp, file?: string): Promise<DatasetError> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(DatasetError);
  expect((e as Error).message).toMatch(pattern);
  if (file) expect((e as DatasetError).file).toBe(file);
  return e as DatasetError;
}

describe('mnist from a folder of IDX files', () => {
  it('reads gzip files as NCHW float32 and int32 labels', async () => {
    const dir = tempDir();
    const { fixture } = writeIdxSet(dir, { count: 12 });
    const split = await mnist.open(args({ dir, normalize: false }), ctxFor('train', tempDir()));
    expect(split.size).toBe(12);
    expect(split.info).toMatchObject({ inputShape: [1, 28, 28], inputDType: 'f32', classes: 10, targetShape: [] });
    const b = split.slice(2, 5);
    expect(b.xShape).toEqual([5, 1, 28, 28]);
    expect(b.yShape).toEqual([5]);
    expect(b.x).toBeInstanceOf(Float32Array);
    expect(b.y).toBeInstanceOf(Int32Array);
    expect(Array.from(b.y)).toEqual(Array.from(fixture.labels.subarray(2, 7)));
    for (const i of [0, 100, 783, 784 * 5 - 1]) expect(b.x[i]).toBeCloseTo(fixture.pixels[2 * 784 + i] / 255, 6);
  });

  it('reads raw (uncompressed) and dotted file names; the test split uses t10k files', async () => {
    const dir = tempDir();
    const { fixture } = writeIdxSet(dir, { count: 7, gzip: false, prefix: 't10k', seed: 5 });
    fs.renameSync(path.join(dir, 't10k-images-idx3-ubyte'), path.join(dir, 't10k-images.idx3-ubyte'));
    const split = await mnist.open(args({ dir, normalize: 'unit' }), ctxFor('test', tempDir()));
    expect(split.size).toBe(7);
    expect(split.slice(6, 1).x[300]).toBeCloseTo(fixture.pixels[6 * 784 + 300] / 255, 6);
  });

  it('normalizes with the MNIST mean/std by default, or to [-1, 1] with tanh', async () => {
    const dir = tempDir();
    const { fixture } = writeIdxSet(dir, { count: 3 });
    const std = (await mnist.open(args({ dir }), ctxFor('train', tempDir()))).slice(0, 3);
    const tanh = (await mnist.open(args({ dir, normalize: 'tanh' }), ctxFor('train', tempDir()))).slice(0, 3);
    for (const i of [0, 10, 2000]) {
      const v = fixture.pixels[i] / 255;
      expect(std.x[i]).toBeCloseTo((v - 0.1307) / 0.3081, 5);
      expect(tanh.x[i]).toBeCloseTo(v * 2 - 1, 5);
    }
  });

  it('clamps a slice at the end of the split and rejects a start outside it', async () => {
    const dir = tempDir();
    writeIdxSet(dir, { count: 10 });
    const split = await mnist.open(args({ dir }), ctxFor('train', tempDir()));
    expect(split.slice(8, 64).yShape).toEqual([2]);
    expect(() => split.slice(11, 1)).toThrow(RangeError);
  });
});

describe('gather: a shuffled batch in one pass', () => {
  it('equals one slice per sample, in the given order, repeats included; an index outside is a RangeError', async () => {
    const dir = tempDir();
    writeIdxSet(dir, { count: 10 });
    const split = await mnist.open(args({ dir }), ctxFor('train', tempDir()));
    const at = Int32Array.from([7, 0, 9, 3, 3]);
    const g = split.gather!(at);
    const parts = Array.from(at, (i) => split.slice(i, 1));
    expect(g.xShape).toEqual([5, 1, 28, 28]);
    expect(g.yShape).toEqual([5]);
    expect(g.y).toBeInstanceOf(Int32Array);
    expect(Array.from(g.y)).toEqual(parts.map((p) => p.y[0]));
    expect(Array.from(g.x)).toEqual(parts.flatMap((p) => Array.from(p.x)));
    expect(() => split.gather!(Int32Array.from([10]))).toThrow(RangeError);
    expect(() => split.gather!(Int32Array.from([-1]))).toThrow(RangeError);
  });

  it('targets are the labels gather gives, without the images; an index outside is a RangeError', async () => {
    const dir = tempDir();
    writeIdxSet(dir, { count: 10 });
    const split = await mnist.open(args({ dir }), ctxFor('train', tempDir()));
    const at = Int32Array.from([7, 0, 9, 3, 3, 1, 2, 4, 5, 6, 8]);
    const y = split.targets!(at);
    expect(y).toBeInstanceOf(Int32Array);
    expect(Array.from(y)).toEqual(Array.from(split.gather!(at).y));
    expect(new Set(y).size).toBeGreaterThan(1); // the fixture's labels differ, so the order is checked
    expect(() => split.targets!(Int32Array.from([10]))).toThrow(RangeError);
    expect(() => split.targets!(Int32Array.from([-1]))).toThrow(RangeError);
  });
});

describe('bad IDX input is a DatasetError naming the file', () => {
  const open = (dir: string) => mnist.open(args({ dir }), ctxFor('train', tempDir()));
  const imagesOf = (dir: string) => path.join(dir, 'train-images-idx3-ubyte.gz');
  const labelsOf = (dir: string) => path.join(dir, 'train-labels-idx1-ubyte.gz');

  it('bad magic number', async () => {
    const dir = tempDir();
    writeIdxSet(dir);
    const bytes = encodeIdx([12, 28, 28], new Uint8Array(12 * 784));
    bytes[0] = 0x42;
    fs.writeFileSync(imagesOf(dir), gzipSync(bytes));
    await expectDatasetError(open(dir), /bad magic number 0x42000803/, imagesOf(dir));
  });

  it('truncated gzip', async () => {
    const dir = tempDir();
    const { files } = writeIdxSet(dir);
    const gz = files['train-images-idx3-ubyte.gz'];
    fs.writeFileSync(imagesOf(dir), gz.subarray(0, Math.floor(gz.length / 2)));
    await expectDatasetError(open(dir), /truncated gzip file/, imagesOf(dir));
  });

  it('truncated file (header announces more data than present)', async () => {
    const dir = tempDir();
    writeIdxSet(dir);
    const bytes = encodeIdx([12, 28, 28], new Uint8Array(12 * 784));
    fs.writeFileSync(imagesOf(dir), gzipSync(bytes.subarray(0, bytes.length - 100)));
    await expectDatasetError(open(dir), /truncated file \(the header announces 12×28×28 = 9408 bytes of data, found 9308\)/, imagesOf(dir));
  });

  it('image size mismatch (32×32 files for a 28×28 loader)', async () => {
    const dir = tempDir();
    writeIdxSet(dir, { h: 32, w: 32 });
    await expectDatasetError(open(dir), /image size mismatch: the file holds 32×32 images, mnist expects 28×28/, imagesOf(dir));
  });

  it('label count ≠ image count', async () => {
    const dir = tempDir();
    writeIdxSet(dir, { count: 12, labelCount: 11 });
    await expectDatasetError(open(dir), /label count 11 ≠ image count 12/, labelsOf(dir));
  });

  it('labels out of range, and images given where labels belong', async () => {
    const dir = tempDir();
    writeIdxSet(dir);
    fs.writeFileSync(labelsOf(dir), encodeIdx([12], new Uint8Array(12).fill(10)));
    await expectDatasetError(open(dir), /label 10 of sample 0 is out of range 0..9/, labelsOf(dir));
    fs.copyFileSync(imagesOf(dir), labelsOf(dir));
    await expectDatasetError(open(dir), /expected a labels file with 1 dimension, found 3/, labelsOf(dir));
  });

  it('missing files in dir name what was looked for', async () => {
    const dir = tempDir();
    await expectDatasetError(open(dir), /lacks the train files train-images-idx3-ubyte or train-images-idx3-ubyte\.gz/);
  });
});

describe('download into the cache from a mirror (local HTTP server)', () => {
  let mirror: Mirror | undefined;
  afterEach(async () => {
    await mirror?.close();
    mirror = undefined;
  });

  /** A spec like mnist's whose pinned checksums are those of the fixture files. */
  function fixtureSpec(files: Record<string, Uint8Array>): IdxDatasetSpec {
    const f = (name: string) => ({ name, sha256: sha(files[name]) });
    return {
      ...MNIST_SPEC,
      name: 'fixture_mnist',
      systemDirs: [],
      sample: undefined,
      files: {
        train: { images: f('train-images-idx3-ubyte.gz'), labels: f('train-labels-idx1-ubyte.gz') },
        test: { images: f('t10k-images-idx3-ubyte.gz'), labels: f('t10k-labels-idx1-ubyte.gz') },
      },
    };
  }

  function fixtureFiles() {
    const src = tempDir();
    const train = writeIdxSet(src, { count: 20, seed: 3 });
    const test = writeIdxSet(src, { count: 6, seed: 4, prefix: 't10k' });
    return { train, files: { ...train.files, ...test.files } };
  }

  it('downloads, verifies, caches, and reuses the cache without the network', async () => {
    const { train, files } = fixtureFiles();
    const ds = idxImageDataset(fixtureSpec(files));
    mirror = await startMirror(files);
    const cache = tempDir();
    const ctx = ctxFor('train', cache, mirror.url);
    const split = await ds.open(args({ download: true, normalize: false }), ctx);
    expect(split.size).toBe(20);
    expect(Array.from(split.slice(0, 20).y)).toEqual(Array.from(train.fixture.labels));
    expect(mirror.requests.map((r) => r.url).sort()).toEqual(['/train-images-idx3-ubyte.gz', '/train-labels-idx1-ubyte.gz']);
    const cached = path.join(cache, 'mnist', 'train-images-idx3-ubyte.gz');
    expect(sha(fs.readFileSync(cached))).toBe(sha(files['train-images-idx3-ubyte.gz']));
    expect(fs.readdirSync(path.join(cache, 'mnist')).filter((n) => n.endsWith('.part'))).toEqual([]);
    expect(ctx.logs.join('\n')).toMatch(/SHA-256 verified/);

    await ds.open(args({ download: true }), ctxFor('train', cache, mirror.url));
    expect(mirror.requests).toHaveLength(2);
    const test = await ds.open(args({ download: true }), ctxFor('test', cache, mirror.url));
    expect(test.size).toBe(6);
    expect(mirror.requests).toHaveLength(4);
  });

  it('rejects a corrupted download and caches nothing', async () => {
    const { files } = fixtureFiles();
    const ds = idxImageDataset(fixtureSpec(files));
    const bad = { ...files, 'train-images-idx3-ubyte.gz': Uint8Array.from(files['train-images-idx3-ubyte.gz']) };
    bad['train-images-idx3-ubyte.gz'][40] ^= 0xff;
    mirror = await startMirror(bad);
    const cache = tempDir();
    await expectDatasetError(ds.open(args({ download: true }), ctxFor('train', cache, mirror.url)), /checksum mismatch for http:\/\/127\.0\.0\.1:\d+\/train-images-idx3-ubyte\.gz: expected SHA-256 [0-9a-f]{64}, got [0-9a-f]{64}; the file was deleted/);
    const left = fs.existsSync(path.join(cache, 'mnist')) ? fs.readdirSync(path.join(cache, 'mnist')) : [];
    expect(left.filter((n) => n.startsWith('train-images'))).toEqual([]);
  });

  it('a corrupted cached file is an error without download, and is replaced with download', async () => {
    const { files } = fixtureFiles();
    const ds = idxImageDataset(fixtureSpec(files));
    const cache = tempDir();
    fs.mkdirSync(path.join(cache, 'mnist'));
    const cachedImages = path.join(cache, 'mnist', 'train-images-idx3-ubyte.gz');
    fs.writeFileSync(cachedImages, 'garbage');
    fs.writeFileSync(path.join(cache, 'mnist', 'train-labels-idx1-ubyte.gz'), files['train-labels-idx1-ubyte.gz']);
    await expectDatasetError(ds.open(args(), ctxFor('train', cache)), /checksum mismatch: expected SHA-256/, cachedImages);
    mirror = await startMirror(files);
    const split = await ds.open(args({ download: true }), ctxFor('train', cache, mirror.url));
    expect(split.size).toBe(20);
    expect(mirror.requests.map((r) => r.url)).toEqual(['/train-images-idx3-ubyte.gz']);
  });

  it('resumes a dropped download with a Range request', async () => {
    const { files } = fixtureFiles();
    const ds = idxImageDataset(fixtureSpec(files));
    mirror = await startMirror(files, { cutAfter: 1000 });
    const cache = tempDir();
    await expectDatasetError(ds.open(args({ download: true }), ctxFor('train', cache, mirror.url)), /failed: .*partial file is kept/);
    const part = path.join(cache, 'mnist', 'train-images-idx3-ubyte.gz.part');
    expect(fs.statSync(part).size).toBe(1000);
    expect(fs.existsSync(path.join(cache, 'mnist', 'train-images-idx3-ubyte.gz'))).toBe(false);
    const split = await ds.open(args({ download: true }), ctxFor('train', cache, mirror.url));
    expect(split.size).toBe(20);
    expect(mirror.requests.find((r) => r.range)).toEqual({ url: '/train-images-idx3-ubyte.gz', range: 'bytes=1000-' });
    expect(fs.existsSync(part)).toBe(false);
  });

  it('restarts from scratch when the server ignores Range', async () => {
    const { files } = fixtureFiles();
    const ds = idxImageDataset(fixtureSpec(files));
    const cache = tempDir();
    fs.mkdirSync(path.join(cache, 'mnist'));
    fs.writeFileSync(path.join(cache, 'mnist', 'train-images-idx3-ubyte.gz.part'), files['train-images-idx3-ubyte.gz'].subarray(0, 500));
    mirror = await startMirror(files, { ignoreRange: true });
    const split = await ds.open(args({ download: true }), ctxFor('train', cache, mirror.url));
    expect(split.size).toBe(20);
    expect(mirror.requests[0].range).toBe('bytes=500-');
  });

  it('reports progress every 10% for big files', async () => {
    const big = new Uint8Array(9_000_000);
    for (let i = 0; i < big.length; i += 4096) big[i] = i % 251;
    mirror = await startMirror({ 'big.bin': big });
    const logs: string[] = [];
    const dest = path.join(tempDir(), 'big.bin');
    await downloadVerified(`${mirror.url}/big.bin`, dest, sha(big), { log: (m) => logs.push(m) });
    const progress = logs.filter((l) => /^ {2}\d+% \([\d.]+ MB\)$/.test(l));
    expect(progress.length).toBeGreaterThanOrEqual(5);
    expect(progress.length).toBeLessThanOrEqual(10);
    expect(progress.at(-1)).toBe('  100% (9.0 MB)');
    expect(fs.statSync(dest).size).toBe(9_000_000);
  });

  it('an HTTP error names the URL and the status', async () => {
    mirror = await startMirror({});
    const ds = idxImageDataset(MNIST_SPEC);
    await expectDatasetError(ds.open(args({ download: true, sample: false }), ctxFor('train', tempDir(), mirror.url)), /download of http:\/\/127\.0\.0\.1:\d+\/train-images-idx3-ubyte\.gz failed: HTTP 404/);
  });
});

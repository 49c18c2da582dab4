/**
 * The MNIST sample the playground trains on, embedded at build time from @dlm/datasets' embedded
 * sample (the same real digits `dlm train` uses offline): the first 300 digits of each class,
 * interleaved by a fixed seeded shuffle, as bytes. 2,500 train, 500 test. Given to the page as
 * `define` constants (base64 bytes). test/mnist-sample.test.ts pins the bytes.
 */
import { loadSampleAll, shuffledIndices } from '@dlm/datasets/node';

export const PER_CLASS = 300;
export const TRAIN = 2500;

export function buildSample(): { pixels: Uint8Array; labels: Uint8Array } {
  const all = loadSampleAll();
  const n = PER_CLASS * 10;
  const pixels = new Uint8Array(n * 784);
  const labels = new Uint8Array(n);
  // Seeded permutation (@dlm/datasets' Fisher–Yates over mulberry32) so the split is the same on every build.
  const order = shuffledIndices(n, 20_231_129);
  // The sample is grouped by class: digit d starts where the labels first reach d.
  for (let digit = 0; digit < 10; digit++) {
    const first = all.labels.indexOf(digit);
    for (let k = 0; k < PER_CLASS; k++) {
      const dst = order[digit * PER_CLASS + k]!;
      pixels.set(all.pixels.subarray((first + k) * 784, (first + k + 1) * 784), dst * 784);
      labels[dst] = digit;
    }
  }
  return { pixels, labels };
}

/** The sample as `define` constants for the page (see vite.config.ts and src/env.d.ts). */
export function mnistSampleDefines(): Record<string, string> {
  const { pixels, labels } = buildSample();
  return {
    __MNIST_TRAIN__: String(TRAIN),
    __MNIST_COUNT__: String(labels.length),
    __MNIST_PIXELS__: JSON.stringify(Buffer.from(pixels).toString('base64')),
    __MNIST_LABELS__: JSON.stringify(Buffer.from(labels).toString('base64')),
  };
}

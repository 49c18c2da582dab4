/**
 * The embedded MNIST sample (built into the page from @dlm/datasets' sample, see
 * scripts/mnist-sample.ts) and the `mnist` dataset the playground registers in place of
 * @dlm/datasets/node's, whose loaders read files and download (Node only): same name and arguments
 * (the pure declaration), data from the page.
 */
import { DatasetError, PLUGIN_API_VERSION, type Args, type Batch, type DatasetDef, type DlmPlugin } from '@dlm/core';
import { MNIST_DECLARATION, MNIST_SPEC_DECLARED } from '@dlm/datasets';

const decode = (b64: string) => Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
export const sample = { pixels: decode(__MNIST_PIXELS__), labels: decode(__MNIST_LABELS__), count: __MNIST_COUNT__, train: __MNIST_TRAIN__ };

/** MNIST statistics of x/255 (those of @dlm/datasets), for `normalize: true`. */
const MEAN = MNIST_SPEC_DECLARED.mean;
const STD = MNIST_SPEC_DECLARED.std;

export function batchOf(split: 'train' | 'test', indices: readonly number[], normalize: boolean): Batch {
  const base = split === 'train' ? 0 : sample.train;
  const x = new Float32Array(indices.length * 784);
  const y = new Int32Array(indices.length);
  indices.forEach((idx, b) => {
    const i = base + idx;
    for (let k = 0; k < 784; k++) {
      const v = sample.pixels[i * 784 + k]! / 255;
      x[b * 784 + k] = normalize ? (v - MEAN) / STD : v;
    }
    y[b] = sample.labels[i]!;
  });
  return { x, xShape: [indices.length, 1, 28, 28], y, yShape: [indices.length] };
}

export const splitSize = (split: 'train' | 'test') => (split === 'train' ? sample.train : sample.count - sample.train);

/** `mnist` for the browser: same arguments as the standard one, data from the embedded sample. */
export const browserMnist: DatasetDef = {
  name: 'mnist',
  doc: 'MNIST digits in the playground: the embedded sample of 3,000 real digits (2,500 train / 500 test).',
  args: MNIST_DECLARATION.args,
  async open(args: Args, ctx) {
    const normalize = args['normalize'] === true;
    const size = splitSize(ctx.split);
    if (size <= 0) throw new DatasetError('the embedded MNIST sample is empty');
    return {
      info: { inputShape: [1, 28, 28], inputDType: 'f32', classes: 10, targetShape: [], pixels: { scale: normalize ? 'standard' : 'unit', mean: [normalize ? MEAN : 0], std: [normalize ? STD : 1] } },
      size,
      slice: (start: number, count: number) => batchOf(ctx.split, Array.from({ length: Math.min(count, size - start) }, (_, i) => start + i), normalize),
    };
  },
};

export const playgroundPlugin: DlmPlugin = { name: 'playground', apiVersion: PLUGIN_API_VERSION, datasets: [browserMnist] };

/**
 * @dlm/datasets/assets: where the embedded MNIST sample's two files are, next to this module's
 * folder (the same from src/ and dist/). A separate entry, so that only code that wants the
 * sample makes a bundler ship it.
 */
import type { MnistSampleUrls } from './mnist-sample.js';

export const MNIST_SAMPLE_ASSETS: MnistSampleUrls = {
  images: new URL('../assets/mnist-sample-images-idx3-ubyte.gz', import.meta.url),
  labels: new URL('../assets/mnist-sample-labels-idx1-ubyte.gz', import.meta.url),
};

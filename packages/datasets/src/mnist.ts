/** The `mnist` and `fashion_mnist` datasets: the IDX image loader over their specs (mnist-specs.ts). */
import { idxImageDataset, type IdxDatasetSpec } from './idx-dataset.js';
import { loadSampleSplit } from './mnist-sample-files.js';
import { FASHION_MNIST_SPEC, MNIST_SPEC_DECLARED } from './mnist-specs.js';

export { FASHION_MNIST_SPEC };

/** MNIST, falling back to the embedded sample read from this package's assets. */
export const MNIST_SPEC: IdxDatasetSpec = { ...MNIST_SPEC_DECLARED, sample: { ...MNIST_SPEC_DECLARED.sample, load: loadSampleSplit } };

export const mnist = idxImageDataset(MNIST_SPEC);
export const fashionMnist = idxImageDataset(FASHION_MNIST_SPEC);

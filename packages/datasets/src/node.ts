/**
 * @dlm/datasets/node: the standard datasets (`STD_DATASETS`: mnist, fashion_mnist, cifar10, csv,
 * text, chars) with their file readers, verified downloads and caches, plus helpers other plugins may
 * reuse. Everything of the pure "." entry is re-exported.
 */
import type { DatasetDef } from '@dlm/core';
import { cifar10 } from './cifar10.js';
import { csv } from './csv.js';
import { fashionMnist, mnist } from './mnist.js';
import { text } from './text.js';
import { chars } from './chars.js';

export const STD_DATASETS: readonly DatasetDef[] = [mnist, fashionMnist, cifar10, csv, text, chars];

export { charVocabulary } from './chars.js';

export { MNIST_SPEC } from './mnist.js';
export { idxImageDataset } from './idx-dataset.js';
export { CIFAR10_SPEC, CIFAR10_CLASSES, cifar10Dataset, type Cifar10Spec } from './cifar10.js';
export { TarReader, extractTarGz } from './tar.js';
export { holdoutIndices } from './csv.js';
export { downloadVerified } from './download.js';
export { readIdxImages, readIdxLabels } from './idx-files.js';
export { loadSampleAll, loadSampleSplit } from './mnist-sample-files.js';
export { MNIST_SAMPLE_ASSETS } from './assets.js';
export * from './index.js';

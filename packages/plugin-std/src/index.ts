/** @dlm/plugin-std: the standard layers, datasets, losses, metrics, optimizers, schedules and regularizers. */
import type { DlmPlugin } from '@dlm/core';
import { STD_DATASETS } from '@dlm/datasets/node';
import { stdPluginWithoutDatasets } from './pure.js';

export * from './pure.js';
export { STD_DATASETS };
// Dataset helpers other plugins reuse; they live in @dlm/datasets (re-exported here for existing imports).
export {
  MNIST_SPEC,
  FASHION_MNIST_SPEC,
  idxImageDataset,
  type IdxDatasetSpec,
  type IdxFile,
  CIFAR10_SPEC,
  CIFAR10_CLASSES,
  cifar10Dataset,
  type Cifar10Spec,
  TarReader,
  extractTarGz,
  parseDelimited,
  parseNumber,
  type Row,
  holdoutIndices,
  tokenize,
  buildVocabulary,
  encodeTokens,
  PAD,
  UNK,
  type Vocabulary,
  parseIdx,
  encodeIdx,
  downloadVerified,
  shuffledIndices,
  mulberry32,
} from '@dlm/datasets/node';

export const stdPlugin: DlmPlugin = { ...stdPluginWithoutDatasets, datasets: STD_DATASETS };

/** The conventional plugin export (`default`/`plugin`), so the standard plugin loads like any other. */
export { stdPlugin as plugin };

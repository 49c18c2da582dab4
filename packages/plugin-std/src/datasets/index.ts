/** The standard datasets: the one registration list, plus helpers other plugins may reuse. */
import type { DatasetDef } from '@dlm/core';
import { cifar10 } from './cifar10.js';
import { csv } from './csv.js';
import { fashionMnist, mnist } from './mnist.js';
import { text } from './text.js';

export const STD_DATASETS: readonly DatasetDef[] = [mnist, fashionMnist, cifar10, csv, text];

export { MNIST_SPEC, FASHION_MNIST_SPEC } from './mnist.js';
export { idxImageDataset, type IdxDatasetSpec, type IdxFile } from './idx-dataset.js';
export { CIFAR10_SPEC, CIFAR10_CLASSES, cifar10Dataset, type Cifar10Spec } from './cifar10.js';
export { TarReader, extractTarGz } from './tar.js';
export { parseDelimited, parseNumber, type Row } from './delimited.js';
export { holdoutIndices } from './csv.js';
export { tokenize, buildVocabulary, encodeTokens, PAD, UNK, type Vocabulary } from './text.js';
export { parseIdx, encodeIdx } from './idx.js';
export { downloadVerified } from './download.js';
export { shuffledIndices, mulberry32 } from './rng.js';

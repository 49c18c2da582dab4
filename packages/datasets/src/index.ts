/**
 * @dlm/datasets, the pure part (browser-safe: no Node built-ins): declarations (what `mnist` and
 * `fashion_mnist` are and take), in-memory decoders of the standard datasets' formats (IDX,
 * delimited text, gzip), the image split and pixel scaling every image dataset shares, the text
 * tokenizer, the seeded shuffles, and the embedded MNIST sample's decoder (`fetchMnistSample` in
 * a browser). Files, downloads and caches — and the dataset
 * definitions that use them (`STD_DATASETS`) — are in "@dlm/datasets/node".
 */
export { parseIdx, encodeIdx, type IdxArray } from './idx.js';
export { parseDelimited, parseNumber, type Row } from './delimited.js';
export { gunzip } from './gzip.js';
export { NORMALIZE_ARG, pixelScale, imageSplit, checkSlice, type ImageData, type PixelScale } from './image.js';
export { tokenize, buildVocabulary, encodeTokens, encodeText, PAD, UNK, type Vocabulary } from './tokens.js';
export { shuffledIndices, mulberry32 } from './rng.js';
export { candidateNames, idxDatasetArgs, type IdxArgsSpec, type IdxDatasetSpec, type IdxFile } from './idx-spec.js';
export { MNIST_SPEC_DECLARED, FASHION_MNIST_SPEC, MNIST_DECLARATION } from './mnist-specs.js';
export { SAMPLE_SIZE, SAMPLE_TRAIN, SAMPLE_SEED, decodeMnistSample, sampleSplit, fetchMnistSample, type MnistSample, type MnistSampleUrls } from './mnist-sample.js';

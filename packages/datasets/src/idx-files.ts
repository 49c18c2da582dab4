/** Reading IDX files from disk (gzip or raw), with the checks a dataset needs. */
import { DatasetError } from '@dlm/core';
import { parseIdx } from './idx.js';
import { readMaybeGzip } from './io.js';

export interface IdxImages {
  count: number;
  height: number;
  width: number;
  /** count × height × width unsigned bytes, row-major. */
  pixels: Uint8Array;
}

/** Reads an images file (gzip or raw) and checks the image size the dataset expects. */
export function readIdxImages(file: string, height: number, width: number, dataset: string): IdxImages {
  const a = parseIdx(readMaybeGzip(file), file);
  if (a.dims.length !== 3) {
    throw new DatasetError(`${file}: expected an images file with 3 dimensions (count, height, width), found ${a.dims.length} (${a.dims.join('×')})`, file);
  }
  const [count, h, w] = a.dims;
  if (h !== height || w !== width) {
    throw new DatasetError(`${file}: image size mismatch: the file holds ${h}×${w} images, ${dataset} expects ${height}×${width}`, file);
  }
  return { count, height: h, width: w, pixels: a.data };
}

/** Reads a labels file (gzip or raw) and checks every label is below `classes`. */
export function readIdxLabels(file: string, classes: number): Uint8Array {
  const a = parseIdx(readMaybeGzip(file), file);
  if (a.dims.length !== 1) {
    throw new DatasetError(`${file}: expected a labels file with 1 dimension, found ${a.dims.length} (${a.dims.join('×')})`, file);
  }
  for (let i = 0; i < a.data.length; i++) {
    if (a.data[i] >= classes) throw new DatasetError(`${file}: label ${a.data[i]} of sample ${i} is out of range 0..${classes - 1}`, file);
  }
  return a.data;
}

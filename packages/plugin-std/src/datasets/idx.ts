/**
 * The IDX format of MNIST and Fashion-MNIST (http://yann.lecun.com/exdb/mnist/):
 * a big-endian header `00 00 <type> <ndims>`, then `ndims` 32-bit big-endian sizes, then the data.
 * Only unsigned bytes (type 0x08) occur in these datasets, so only they are supported.
 */
import { DatasetError } from '@dlm/core';
import { readMaybeGzip } from './io.js';

export interface IdxArray {
  dims: number[];
  data: Uint8Array;
}

const TYPE_NAMES: Record<number, string> = {
  0x08: 'unsigned byte',
  0x09: 'signed byte',
  0x0b: 'short',
  0x0c: 'int',
  0x0d: 'float',
  0x0e: 'double',
};

/** Parses IDX bytes; `file` is only used in messages. */
export function parseIdx(bytes: Uint8Array, file: string): IdxArray {
  if (bytes.length < 4) throw new DatasetError(`${file}: truncated file (${bytes.length} bytes; an IDX header needs at least 4)`, file);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const magic = view.getUint32(0);
  const type = bytes[2];
  const ndims = bytes[3];
  if (bytes[0] !== 0 || bytes[1] !== 0 || !(type in TYPE_NAMES) || ndims < 1 || ndims > 4) {
    throw new DatasetError(
      `${file}: bad magic number 0x${magic.toString(16).padStart(8, '0')} (not an IDX file; expected 0x00000801 for labels or 0x00000803 for images)`,
      file,
    );
  }
  if (type !== 0x08) {
    throw new DatasetError(`${file}: IDX element type '${TYPE_NAMES[type]}' is not supported (only unsigned bytes)`, file);
  }
  const headerLen = 4 + 4 * ndims;
  if (bytes.length < headerLen) throw new DatasetError(`${file}: truncated file (the header needs ${headerLen} bytes, found ${bytes.length})`, file);
  const dims: number[] = [];
  for (let i = 0; i < ndims; i++) dims.push(view.getUint32(4 + 4 * i));
  const expected = dims.reduce((a, b) => a * b, 1);
  const actual = bytes.length - headerLen;
  if (actual < expected) {
    throw new DatasetError(
      `${file}: truncated file (the header announces ${dims.join('×')} = ${expected} bytes of data, found ${actual})`,
      file,
    );
  }
  if (actual > expected) {
    throw new DatasetError(`${file}: ${actual - expected} unexpected bytes after the ${dims.join('×')} data announced by the header`, file);
  }
  return { dims, data: bytes.subarray(headerLen) };
}

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

/** Encodes an IDX file of unsigned bytes (used by tests and by tools that write fixtures). */
export function encodeIdx(dims: readonly number[], data: Uint8Array): Uint8Array {
  const out = new Uint8Array(4 + 4 * dims.length + data.length);
  const view = new DataView(out.buffer);
  out[2] = 0x08;
  out[3] = dims.length;
  dims.forEach((d, i) => view.setUint32(4 + 4 * i, d));
  out.set(data, 4 + 4 * dims.length);
  return out;
}

/**
 * The IDX format of MNIST and Fashion-MNIST (http://yann.lecun.com/exdb/mnist/):
 * a big-endian header `00 00 <type> <ndims>`, then `ndims` 32-bit big-endian sizes, then the data.
 * Only unsigned bytes (type 0x08) occur in these datasets, so only they are supported.
 * Pure (bytes in, arrays out): the browser uses it too; reading files is idx-files.ts.
 */
import { DatasetError } from '@dlm/core';

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

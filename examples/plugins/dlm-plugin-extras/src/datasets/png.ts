/**
 * A small PNG decoder on node:zlib: 8-bit grayscale, gray+alpha, RGB, RGBA and palette images,
 * non-interlaced (what image tools write by default). Anything else is a `DatasetError` naming the
 * file and the unsupported feature, never a crash. Chunk CRCs are checked, so a damaged file is
 * reported as damaged rather than decoded into noise.
 */
import { inflateSync } from 'node:zlib';
import { DatasetError } from '@dlm/core';

export interface DecodedPng {
  width: number;
  height: number;
  /** 1 gray, 2 gray+alpha, 3 RGB, 4 RGBA (palette images decode to RGB or RGBA). */
  channels: number;
  /** height × width × channels bytes, row-major, interleaved (HWC). */
  data: Uint8Array;
}

const SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
const CHANNELS: Record<number, number> = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 };

let crcTable: Uint32Array | undefined;

/** CRC-32 (ISO 3309), as PNG chunks use. */
export function crc32(bytes: Uint8Array, start = 0, end = bytes.length): number {
  if (!crcTable) {
    crcTable = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      crcTable[n] = c >>> 0;
    }
  }
  let c = 0xffffffff;
  for (let i = start; i < end; i++) c = crcTable[(c ^ bytes[i]!) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

export function decodePng(bytes: Uint8Array, file = '<png>'): DecodedPng {
  const fail = (why: string): never => {
    throw new DatasetError(`${file}: ${why}`, file);
  };
  if (bytes.length < 8 || SIGNATURE.some((b, i) => bytes[i] !== b)) fail('not a PNG file (bad signature)');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let pos = 8;
  let width = 0;
  let height = 0;
  let colorType = -1;
  let palette: Uint8Array | undefined;
  let alpha: Uint8Array | undefined;
  const idat: Uint8Array[] = [];
  let ended = false;
  while (pos < bytes.length && !ended) {
    if (pos + 12 > bytes.length) fail('truncated PNG (a chunk header is cut off)');
    const len = view.getUint32(pos);
    const type = String.fromCharCode(bytes[pos + 4]!, bytes[pos + 5]!, bytes[pos + 6]!, bytes[pos + 7]!);
    const dataStart = pos + 8;
    const dataEnd = dataStart + len;
    if (dataEnd + 4 > bytes.length) fail(`truncated PNG (chunk ${type} is cut off)`);
    if (crc32(bytes, pos + 4, dataEnd) !== view.getUint32(dataEnd)) fail(`damaged PNG (CRC mismatch in chunk ${type})`);
    const data = bytes.subarray(dataStart, dataEnd);
    switch (type) {
      case 'IHDR': {
        width = view.getUint32(dataStart);
        height = view.getUint32(dataStart + 4);
        const depth = data[8]!;
        colorType = data[9]!;
        if (!(colorType in CHANNELS)) fail(`unknown PNG color type ${colorType}`);
        if (depth !== 8) fail(`${depth}-bit PNGs are not supported (only 8 bits per channel)`);
        if (data[12] !== 0) fail('interlaced (Adam7) PNGs are not supported; save the image without interlacing');
        if (width === 0 || height === 0) fail('the image is empty (0 pixels wide or high)');
        break;
      }
      case 'PLTE':
        palette = data;
        break;
      case 'tRNS':
        alpha = data;
        break;
      case 'IDAT':
        idat.push(data);
        break;
      case 'IEND':
        ended = true;
        break;
      default:
        break; // ancillary chunks (gAMA, pHYs, text) do not change the pixels we read
    }
    pos = dataEnd + 4;
  }
  if (colorType < 0) fail('no IHDR chunk');
  if (idat.length === 0) fail('no image data (IDAT)');
  let raw: Uint8Array;
  try {
    raw = inflateSync(Buffer.concat(idat));
  } catch (e) {
    return fail(`corrupt image data (${(e as Error).message})`);
  }
  const bpp = CHANNELS[colorType]!;
  const stride = width * bpp;
  if (raw.length < height * (stride + 1)) fail(`truncated image data (${raw.length} bytes, expected ${height * (stride + 1)})`);
  const px = unfilter(raw, width, height, bpp, fail);
  if (colorType !== 3) return { width, height, channels: bpp, data: px };
  if (!palette) return fail('palette image without a PLTE chunk');
  const channels = alpha ? 4 : 3;
  const out = new Uint8Array(width * height * channels);
  for (let i = 0; i < width * height; i++) {
    const k = px[i]!;
    if (3 * k + 2 >= palette.length) fail(`palette index ${k} is outside the palette`);
    out[i * channels] = palette[3 * k]!;
    out[i * channels + 1] = palette[3 * k + 1]!;
    out[i * channels + 2] = palette[3 * k + 2]!;
    if (alpha) out[i * channels + 3] = k < alpha.length ? alpha[k]! : 255;
  }
  return { width, height, channels, data: out };
}

/** Undoes the per-row filters (None, Sub, Up, Average, Paeth) of PNG's filter method 0. */
function unfilter(raw: Uint8Array, width: number, height: number, bpp: number, fail: (why: string) => never): Uint8Array {
  const stride = width * bpp;
  const out = new Uint8Array(stride * height);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)]!;
    const src = y * (stride + 1) + 1;
    const row = y * stride;
    const prev = row - stride;
    for (let x = 0; x < stride; x++) {
      const a = x >= bpp ? out[row + x - bpp]! : 0;
      const b = y > 0 ? out[prev + x]! : 0;
      const c = x >= bpp && y > 0 ? out[prev + x - bpp]! : 0;
      const v = raw[src + x]!;
      let pred: number;
      switch (filter) {
        case 0: pred = 0; break;
        case 1: pred = a; break;
        case 2: pred = b; break;
        case 3: pred = (a + b) >> 1; break;
        case 4: {
          const p = a + b - c;
          const pa = Math.abs(p - a);
          const pb = Math.abs(p - b);
          const pc = Math.abs(p - c);
          pred = pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
          break;
        }
        default:
          return fail(`unknown PNG row filter ${filter} in row ${y}`);
      }
      out[row + x] = (v + pred) & 0xff;
    }
  }
  return out;
}

/**
 * PNG reading for `image_folder`, on pngjs (the image codec library dlm uses everywhere): every
 * colour type (grey, grey+alpha, RGB, RGBA, palette), 1- to 16-bit depths and Adam7 interlacing.
 * pngjs verifies the chunk CRCs, so a damaged file is reported rather than decoded into noise.
 * Anything it cannot read becomes a `DatasetError` naming the file, never a crash.
 *
 * The plugin depends on pngjs itself rather than through @dlm/core: core stays free of codecs (the
 * language server and `dlm check` install it), and a plugin may use any npm library of its own.
 */
import { PNG } from 'pngjs';
import { DatasetError } from '@dlm/core';

export interface DecodedPng {
  width: number;
  height: number;
  /** 1 gray, 2 gray+alpha, 3 RGB, 4 RGBA (palette images decode to RGB, or RGBA with transparency). */
  channels: number;
  /** height × width × channels bytes, row-major, interleaved (HWC), 8 bits (16-bit files are scaled). */
  data: Uint8Array;
}

export function decodePng(bytes: Uint8Array, file = '<png>'): DecodedPng {
  let png: ReturnType<typeof PNG.sync.read>;
  try {
    png = PNG.sync.read(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  } catch (e) {
    throw new DatasetError(`${file}: not a readable PNG image (${e instanceof Error ? e.message : String(e)})`, file);
  }
  const { width, height, data: rgba } = png;
  // pngjs always hands back RGBA; keep only the channels the file has.
  const channels = (png.color ? 3 : 1) + (png.alpha ? 1 : 0);
  const data = new Uint8Array(width * height * channels);
  for (let p = 0; p < width * height; p++) {
    if (png.color) data.set(rgba.subarray(p * 4, p * 4 + 3), p * channels);
    else data[p * channels] = rgba[p * 4]!;
    if (png.alpha) data[p * channels + channels - 1] = rgba[p * 4 + 3]!;
  }
  return { width, height, channels, data };
}

/**
 * A small PNG decoder for `dlm predict --input image.png`: 8-bit grayscale, gray+alpha, RGB and
 * RGBA, non-interlaced (what image editors and dlm's own sample grids write). Anything else is
 * refused with a clear message rather than decoded wrongly.
 */
import { inflateSync } from 'node:zlib';

export interface DecodedImage {
  width: number;
  height: number;
  /** Channels per pixel in `pixels`: 1 (gray) or 3 (RGB); alpha is composited on white. */
  channels: 1 | 3;
  /** Row-major, interleaved, 0..255. */
  pixels: Uint8Array;
}

const SIGNATURE = [137, 80, 78, 71, 13, 10, 26, 10];

export function decodePng(bytes: Uint8Array): DecodedImage {
  if (bytes.length < 8 || SIGNATURE.some((b, i) => bytes[i] !== b)) throw new Error('not a PNG file (bad signature)');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let pos = 8;
  let width = 0;
  let height = 0;
  let bitDepth = 0;
  let colorType = -1;
  let interlace = 0;
  const idat: Uint8Array[] = [];
  while (pos + 8 <= bytes.length) {
    const len = view.getUint32(pos);
    const type = String.fromCharCode(...bytes.subarray(pos + 4, pos + 8));
    const data = bytes.subarray(pos + 8, pos + 8 + len);
    if (data.length !== len) throw new Error(`truncated PNG (chunk ${type})`);
    if (type === 'IHDR') {
      width = view.getUint32(pos + 8);
      height = view.getUint32(pos + 12);
      bitDepth = data[8]!;
      colorType = data[9]!;
      interlace = data[12]!;
    } else if (type === 'IDAT') idat.push(data);
    else if (type === 'IEND') break;
    pos += 12 + len;
  }
  if (width === 0 || height === 0) throw new Error('PNG has no image header');
  if (bitDepth !== 8) throw new Error(`PNG bit depth ${bitDepth} is not supported (8-bit only)`);
  if (interlace !== 0) throw new Error('interlaced PNGs are not supported');
  const bpp = ({ 0: 1, 2: 3, 4: 2, 6: 4 } as Record<number, number>)[colorType];
  if (!bpp) throw new Error(`PNG colour type ${colorType} is not supported (gray, gray+alpha, RGB, RGBA only)`);
  if (idat.length === 0) throw new Error('truncated PNG: no image data');
  let raw: Buffer;
  try {
    raw = inflateSync(Buffer.concat(idat));
  } catch (e) {
    throw new Error(`truncated or corrupt PNG image data (${e instanceof Error ? e.message : String(e)})`);
  }
  const stride = width * bpp;
  if (raw.length < height * (stride + 1)) throw new Error('truncated PNG image data');
  const out = new Uint8Array(height * stride);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)]!;
    const src = raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1));
    const row = out.subarray(y * stride, (y + 1) * stride);
    const prev = y > 0 ? out.subarray((y - 1) * stride, y * stride) : new Uint8Array(stride);
    for (let x = 0; x < stride; x++) {
      const a = x >= bpp ? row[x - bpp]! : 0;
      const b = prev[x]!;
      const c = x >= bpp ? prev[x - bpp]! : 0;
      let v = src[x]!;
      switch (filter) {
        case 0: break;
        case 1: v += a; break;
        case 2: v += b; break;
        case 3: v += (a + b) >> 1; break;
        case 4: {
          const p = a + b - c;
          const pa = Math.abs(p - a), pb = Math.abs(p - b), pc = Math.abs(p - c);
          v += pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
          break;
        }
        default: throw new Error(`bad PNG filter type ${filter}`);
      }
      row[x] = v & 255;
    }
  }
  const hasAlpha = colorType === 4 || colorType === 6;
  const color = colorType === 2 || colorType === 6;
  const channels: 1 | 3 = color ? 3 : 1;
  const pixels = new Uint8Array(width * height * channels);
  for (let i = 0; i < width * height; i++) {
    const alpha = hasAlpha ? out[i * bpp + bpp - 1]! / 255 : 1;
    for (let ch = 0; ch < channels; ch++) {
      const v = out[i * bpp + ch]!;
      pixels[i * channels + ch] = Math.round(v * alpha + 255 * (1 - alpha));
    }
  }
  return { width, height, channels, pixels };
}

/**
 * Image inputs of `dlm predict`: any PNG (grey, grey+alpha, RGB, RGBA, palette; 1- to 16-bit;
 * interlaced) through pngjs and any baseline or progressive JPEG through jpeg-js, converted to the
 * model's channels and resized to its input, then scaled as the training data was.
 *
 * The header is read first (image-size) and an image of more than `maxPixels` pixels is refused
 * before a byte is inflated: a PNG of 30000×30000 zeros is under 1 MB on disk but 3.6 GB decoded.
 */
import { diag, type Diagnostic } from '@dlm/core';
import { imageSize } from 'image-size';
import jpeg from 'jpeg-js';
import { PNG } from 'pngjs';

/** The default pixel limit: 50 megapixels (an 8-bit RGBA decode of 200 MB). */
export const DEFAULT_MAX_IMAGE_PIXELS = 50_000_000;

export interface RgbaImage {
  width: number;
  height: number;
  /** width·height·4 bytes, RGBA, 8 bits per channel (16-bit files are scaled by pngjs). */
  rgba: Uint8Array;
  /** What the file holds, for the note: "16-bit grey PNG", "palette PNG with transparency", "JPEG". */
  kind: string;
  /** Whether the file holds colour (false: every pixel is grey). */
  color: boolean;
  /** Whether any pixel is not fully opaque. */
  alpha: boolean;
}

export type ImageRead = { image: RgbaImage; diagnostic?: undefined } | { image?: undefined; diagnostic: Diagnostic };

const FORMAT: Record<string, string> = { png: 'PNG', jpg: 'JPEG' };

/** Decodes `bytes` (the file `name`, for messages) after checking its size in the header. */
export function readImage(name: string, bytes: Uint8Array, maxPixels: number): ImageRead {
  let header: { width?: number; height?: number; type?: string };
  try {
    header = imageSize(bytes);
  } catch (e) {
    return { diagnostic: diag('DLM9025', [name, reason(e)]) };
  }
  const format = header.type ? FORMAT[header.type] : undefined;
  if (!format) return { diagnostic: diag('DLM9025', [name, `a ${header.type ?? 'unknown'} file`]) };
  const { width = 0, height = 0 } = header;
  if (width * height > maxPixels) {
    return { diagnostic: diag('DLM9024', [name, width, height, (width * height).toLocaleString('en-US'), maxPixels.toLocaleString('en-US')]) };
  }
  try {
    return { image: format === 'PNG' ? decodePng(bytes) : decodeJpeg(bytes, maxPixels) };
  } catch (e) {
    return { diagnostic: diag('DLM9026', [name, format, reason(e)]) };
  }
}

function reason(e: unknown): string {
  return (e instanceof Error ? e.message : String(e)).replace(/\.$/, '');
}

function decodePng(bytes: Uint8Array): RgbaImage {
  const png = PNG.sync.read(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  const kind = [
    png.depth !== 8 ? `${png.depth}-bit` : '',
    png.palette ? 'palette' : png.color ? (png.alpha ? 'RGBA' : 'RGB') : png.alpha ? 'grey+alpha' : 'grey',
    png.interlace ? 'interlaced PNG' : 'PNG',
    png.palette && png.alpha ? 'with transparency' : '',
  ].filter(Boolean).join(' ');
  const rgba = new Uint8Array(png.data.buffer, png.data.byteOffset, png.data.byteLength);
  return { width: png.width, height: png.height, rgba, kind, color: png.color && !allGrey(rgba), alpha: png.alpha && !allOpaque(rgba) };
}

function decodeJpeg(bytes: Uint8Array, maxPixels: number): RgbaImage {
  // The header check already ran; jpeg-js's own limits guard the decoder a second time.
  const img = jpeg.decode(bytes, { useTArray: true, formatAsRGBA: true, maxResolutionInMP: Math.max(1, maxPixels / 1e6), maxMemoryUsageInMB: 1024 });
  return { width: img.width, height: img.height, rgba: img.data, kind: 'JPEG', color: !allGrey(img.data), alpha: false };
}

function allGrey(rgba: Uint8Array): boolean {
  for (let i = 0; i < rgba.length; i += 4) if (rgba[i] !== rgba[i + 1] || rgba[i] !== rgba[i + 2]) return false;
  return true;
}

function allOpaque(rgba: Uint8Array): boolean {
  for (let i = 3; i < rgba.length; i += 4) if (rgba[i] !== 255) return false;
  return true;
}

/**
 * The image as `channels` planes (1 grey or 3 RGB) of 0..255 floats, alpha composited on white;
 * colour becomes grey by ITU-R 601 luma (0.299 R + 0.587 G + 0.114 B), as the datasets do.
 */
export function toPlanes(img: RgbaImage, channels: number): Float32Array {
  const n = img.width * img.height;
  const out = new Float32Array(channels * n);
  const px = img.rgba;
  for (let p = 0; p < n; p++) {
    const a = px[p * 4 + 3]! / 255;
    const over = (v: number) => v * a + 255 * (1 - a);
    const r = over(px[p * 4]!);
    const g = over(px[p * 4 + 1]!);
    const b = over(px[p * 4 + 2]!);
    if (channels === 1) out[p] = 0.299 * r + 0.587 * g + 0.114 * b;
    else for (let c = 0; c < channels; c++) out[c * n + p] = [r, g, b][c] ?? 255;
  }
  return out;
}

/**
 * Resizes planar float images with a triangle (bilinear) filter whose support widens by the
 * shrink factor, so shrinking averages every source pixel (no aliasing of thin strokes) and
 * enlarging interpolates linearly. This is Pillow's `resize(…, BILINEAR)`, computed in floats.
 */
export function resizePlanes(src: Float32Array, channels: number, w: number, h: number, outW: number, outH: number): Float32Array {
  if (w === outW && h === outH) return src;
  const cols = filterTaps(w, outW);
  const rows = filterTaps(h, outH);
  const tmp = new Float32Array(channels * h * outW);
  for (let c = 0; c < channels; c++) {
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < outW; x++) {
        const { start, weights } = cols[x]!;
        let s = 0;
        for (let k = 0; k < weights.length; k++) s += weights[k]! * src[(c * h + y) * w + start + k]!;
        tmp[(c * h + y) * outW + x] = s;
      }
    }
  }
  const out = new Float32Array(channels * outH * outW);
  for (let c = 0; c < channels; c++) {
    for (let y = 0; y < outH; y++) {
      const { start, weights } = rows[y]!;
      for (let x = 0; x < outW; x++) {
        let s = 0;
        for (let k = 0; k < weights.length; k++) s += weights[k]! * tmp[(c * h + start + k) * outW + x]!;
        out[(c * outH + y) * outW + x] = s;
      }
    }
  }
  return out;
}

/** For each output position, the first source index and the normalized filter weights from there. */
function filterTaps(inSize: number, outSize: number): { start: number; weights: Float64Array }[] {
  const scale = inSize / outSize;
  const widen = Math.max(scale, 1);
  return Array.from({ length: outSize }, (_, o) => {
    const center = (o + 0.5) * scale;
    const start = Math.max(Math.trunc(center - widen + 0.5), 0);
    const end = Math.min(Math.trunc(center + widen + 0.5), inSize);
    const weights = new Float64Array(end - start);
    let sum = 0;
    for (let i = start; i < end; i++) {
      const t = Math.abs((i - center + 0.5) / widen);
      weights[i - start] = t < 1 ? 1 - t : 0;
      sum += weights[i - start]!;
    }
    for (let k = 0; k < weights.length; k++) weights[k] = weights[k]! / sum;
    return { start, weights };
  });
}

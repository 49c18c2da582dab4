/**
 * PNG output of reports (pngjs, the one image codec library dlm uses) and a grid of sample images
 * (GAN outputs, dataset previews) as one PNG.
 */
import { PNG, type ColorType } from 'pngjs';

/** PNG colour type per channel count: grey, grey+alpha, RGB, RGBA. */
const COLOR_TYPE: Record<number, ColorType> = { 1: 0, 2: 4, 3: 2, 4: 6 };

/**
 * Encodes `pixels` (row-major, interleaved channels, 8 bits each) as a PNG. The channel count comes
 * from the length: width·height (grey), ·2 (grey+alpha), ·3 (RGB) or ·4 (RGBA).
 */
export function encodePng(width: number, height: number, pixels: Uint8Array): Uint8Array {
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) throw new Error(`PNG size must be positive integers, got ${width}×${height}`);
  const channels = pixels.length / (width * height);
  const colorType = COLOR_TYPE[channels];
  if (colorType === undefined) {
    throw new Error(`${pixels.length} bytes is not ${width}×${height} pixels of 1, 2, 3 or 4 channels`);
  }
  const png = { width, height, data: Buffer.from(pixels.buffer, pixels.byteOffset, pixels.byteLength) } as PNG;
  return new Uint8Array(PNG.sync.write(png, { colorType, inputColorType: colorType, inputHasAlpha: channels === 2 || channels === 4, bitDepth: 8 }));
}

export interface SampleGridOptions {
  /** Value range of the images: 'tanh' [-1, 1], 'unit' [0, 1], or 'auto' (tanh when any value < 0). */
  range?: 'tanh' | 'unit' | 'auto';
  /** Pixels between tiles (default 2). */
  gap?: number;
  /** Grey level of the gaps, 0..255 (default 255, white). */
  background?: number;
}

/**
 * Tiles `n` images of a NCHW float batch (c = 1 grey or 3 RGB) into a grid of `cols` columns.
 * Values are clamped to the range and mapped to 0..255.
 */
export function sampleGridPng(images: Float32Array, n: number, c: number, h: number, w: number, cols: number, opts: SampleGridOptions = {}): Uint8Array {
  if (c !== 1 && c !== 3) throw new Error(`sample grids need 1 (grey) or 3 (RGB) channels, got ${c}`);
  if (images.length < n * c * h * w) throw new Error(`${images.length} values are fewer than ${n}×${c}×${h}×${w}`);
  if (n < 1 || cols < 1) throw new Error(`a sample grid needs at least one image and one column`);
  const gap = opts.gap ?? 2;
  const bg = opts.background ?? 255;
  let range = opts.range ?? 'auto';
  if (range === 'auto') {
    range = 'unit';
    for (let i = 0; i < n * c * h * w; i++) if (images[i] < 0) {
      range = 'tanh';
      break;
    }
  }
  const toByte = range === 'tanh' ? (v: number) => (v + 1) * 127.5 : (v: number) => v * 255;
  const cols2 = Math.min(cols, n);
  const rows = Math.ceil(n / cols2);
  const W = cols2 * w + (cols2 + 1) * gap;
  const H = rows * h + (rows + 1) * gap;
  const out = new Uint8Array(W * H * c).fill(bg);
  for (let k = 0; k < n; k++) {
    const ox = gap + (k % cols2) * (w + gap);
    const oy = gap + Math.floor(k / cols2) * (h + gap);
    for (let ch = 0; ch < c; ch++) {
      for (let y = 0; y < h; y++) {
        for (let x = 0; x < w; x++) {
          const v = images[((k * c + ch) * h + y) * w + x];
          const b = Number.isNaN(v) ? 0 : Math.round(Math.min(255, Math.max(0, toByte(v))));
          out[((oy + y) * W + ox + x) * c + ch] = b;
        }
      }
    }
  }
  return encodePng(W, H, out);
}

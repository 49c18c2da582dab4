/**
 * A minimal PNG encoder (8-bit grey, RGB or RGBA, no interlace) on node:zlib, and a grid of sample
 * images (GAN outputs, dataset previews) as one PNG. Rows use filter 0 (none): the images are
 * small, and predictable bytes make the output easy to verify.
 */
import { deflateSync } from 'node:zlib';

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

/** CRC-32 (ISO-HDLC, the one PNG and gzip use). */
export function crc32(bytes: Uint8Array, crc = 0): number {
  let c = ~crc >>> 0;
  for (let i = 0; i < bytes.length; i++) c = CRC_TABLE[(c ^ bytes[i]) & 0xff] ^ (c >>> 8);
  return ~c >>> 0;
}

function chunk(type: string, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + data.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, data.length);
  for (let i = 0; i < 4; i++) out[4 + i] = type.charCodeAt(i);
  out.set(data, 8);
  view.setUint32(8 + data.length, crc32(out.subarray(4, 8 + data.length)));
  return out;
}

const SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
const COLOR_TYPE: Record<number, number> = { 1: 0, 2: 4, 3: 2, 4: 6 };

/**
 * Encodes `pixels` (row-major, interleaved channels) as a PNG. The channel count comes from the
 * length: width·height (grey), ·2 (grey+alpha), ·3 (RGB) or ·4 (RGBA).
 */
export function encodePng(width: number, height: number, pixels: Uint8Array): Uint8Array {
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) throw new Error(`PNG size must be positive integers, got ${width}×${height}`);
  const channels = pixels.length / (width * height);
  if (!(channels in COLOR_TYPE)) {
    throw new Error(`${pixels.length} bytes is not ${width}×${height} pixels of 1, 2, 3 or 4 channels`);
  }
  const ihdr = new Uint8Array(13);
  const v = new DataView(ihdr.buffer);
  v.setUint32(0, width);
  v.setUint32(4, height);
  ihdr[8] = 8; // bit depth
  ihdr[9] = COLOR_TYPE[channels];
  // compression 0, filter method 0, interlace 0
  const stride = width * channels;
  const raw = new Uint8Array(height * (stride + 1));
  for (let y = 0; y < height; y++) raw.set(pixels.subarray(y * stride, (y + 1) * stride), y * (stride + 1) + 1);
  const parts = [Uint8Array.from(SIGNATURE), chunk('IHDR', ihdr), chunk('IDAT', deflateSync(raw, { level: 9 })), chunk('IEND', new Uint8Array(0))];
  const out = new Uint8Array(parts.reduce((a, p) => a + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
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

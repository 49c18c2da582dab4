/**
 * The image reader behind `dlm predict --input`: every kind of PNG and JPEG, checked against an
 * independent writer and decoder (Pillow) where it is installed and against the codec library's
 * own encoders everywhere; the resampling against Pillow's BILINEAR resize; the header-first
 * pixel limit.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import jpeg from 'jpeg-js';
import { PNG } from 'pngjs';
import { needs, systemTool } from '../../../tools/test-support/system-tools.js';
import { readImage, resizePlanes, toPlanes, type RgbaImage } from '../src/image-input.js';
import { TEST_DIR, tempDir } from './helpers.js';

const LIMIT = 50_000_000;

function decoded(name: string, bytes: Uint8Array): RgbaImage {
  const r = readImage(name, bytes, LIMIT);
  if (!r.image) throw new Error(r.diagnostic.message);
  return r.image;
}

function pngOf(width: number, height: number, rgba: Uint8Array, colorType: 0 | 2 | 4 | 6, bitDepth: 8 | 16 = 8): Buffer {
  const data = bitDepth === 16 ? Buffer.from(Uint16Array.from(rgba, (v) => v * 257).buffer) : Buffer.from(rgba);
  return PNG.sync.write({ width, height, data } as unknown as PNG, { colorType, inputColorType: 6, bitDepth });
}

describe('readImage decodes what the codec libraries encode', () => {
  const w = 5;
  const h = 3;
  const rgba = Uint8Array.from({ length: w * h * 4 }, (_, i) => (i % 4 === 3 ? 255 - i : (i * 37) % 256));
  const grey = Uint8Array.from(rgba, (v, i) => (i % 4 === 3 ? v : rgba[i - (i % 4)]!));

  it.each([
    ['RGBA PNG', 6, rgba, 8],
    ['RGB PNG', 2, Uint8Array.from(rgba, (v, i) => (i % 4 === 3 ? 255 : v)), 8],
    ['grey+alpha PNG', 4, grey, 8],
    ['grey PNG', 0, Uint8Array.from(grey, (v, i) => (i % 4 === 3 ? 255 : v)), 8],
    ['16-bit RGBA PNG', 6, rgba, 16],
  ] as const)('%s', (kind, colorType, px, depth) => {
    const img = decoded('x.png', pngOf(w, h, px, colorType, depth));
    expect(img.kind).toBe(kind);
    expect([img.width, img.height, img.color, img.alpha]).toEqual([w, h, colorType === 2 || colorType === 6, colorType === 4 || colorType === 6]);
    expect(Array.from(img.rgba)).toEqual(Array.from(px));
  });

  it('a JPEG (lossy: within a few levels of what was encoded)', () => {
    const px = Uint8Array.from({ length: 16 * 16 * 4 }, (_, i) => (i % 4 === 3 ? 255 : 100 + ((i >> 2) % 16) * 4));
    const img = decoded('x.jpg', jpeg.encode({ width: 16, height: 16, data: px }, 100).data);
    expect([img.kind, img.width, img.height, img.alpha]).toEqual(['JPEG', 16, 16, false]);
    img.rgba.forEach((v, i) => expect(Math.abs(v - px[i]!)).toBeLessThanOrEqual(3));
  });

  it('composites alpha on white and converts colour to grey by ITU-R 601 luma', () => {
    const img: RgbaImage = { width: 2, height: 1, rgba: Uint8Array.from([255, 0, 0, 255, 0, 0, 0, 0]), kind: 'RGBA PNG', color: true, alpha: true };
    expect(Array.from(toPlanes(img, 1))).toEqual([Math.fround(0.299 * 255), 255]);
    expect(Array.from(toPlanes(img, 3))).toEqual([255, 255, 0, 255, 0, 255]);
  });

  it('refuses what is not an image, damaged files, and images over the limit before decoding', () => {
    expect(readImage('a.png', Buffer.from('hello, not an image'), LIMIT).diagnostic).toMatchObject({ code: 'DLM9025' });
    const good = pngOf(w, h, rgba, 6);
    const cut = readImage('cut.png', good.subarray(0, good.length - 20), LIMIT).diagnostic;
    expect(cut).toMatchObject({ code: 'DLM9026' });
    expect(cut!.message).toMatch(/^'cut\.png' looks like a PNG image but cannot be decoded: /);
    const big = readImage('big.png', good, 14).diagnostic;
    expect(big?.message).toBe("'big.png' is a 5×3 image (15 pixels), more than the limit of 14 pixels; it was refused before decoding. If the image is genuine, raise the limit with --max-image-pixels or DLM_MAX_IMAGE_PIXELS.");
  });

  it('resizing: identity at the same size, every source pixel weighed in when shrinking, linear when enlarging', () => {
    const src = Float32Array.from([0, 10, 20, 30, 40, 50, 60, 70]); // 4×2
    expect(resizePlanes(src, 1, 4, 2, 4, 2)).toBe(src);
    // 4×2 → 2×1: the triangle widened ×2 around x = 1 weighs columns 0, 1, 2 by ¾ ¾ ¼ (normalized);
    // the two rows are averaged. Every source pixel contributes: no aliasing.
    const half = Array.from(resizePlanes(src, 1, 4, 2, 2, 1));
    expect(half[0]).toBeCloseTo((0.75 * 0 + 0.75 * 10 + 0.25 * 20 + 0.75 * 40 + 0.75 * 50 + 0.25 * 60) / 3.5, 4);
    // 2×1 → 4×1: linear between the two pixel centres, clamped at the edges.
    expect(Array.from(resizePlanes(Float32Array.from([0, 100]), 1, 2, 1, 4, 1))).toEqual([0, 25, 75, 100]);
  });
});

const pillow = systemTool('python3-pil');

describe('readImage against Pillow (an independent writer and decoder)', () => {
  function pillowImages(): { dir: string; ref: { files: Record<string, { mode: string; interlace: number; rgba: string }>; grey: number[]; resized: Record<string, number[]> } } {
    const dir = tempDir({});
    const out = execFileSync(pillow.path, [join(TEST_DIR, 'fixtures/write-images.py'), dir], { maxBuffer: 1 << 24 }).toString();
    return { dir, ref: JSON.parse(out) };
  }

  it("every PNG kind decodes to Pillow's pixels exactly, and JPEGs within a few levels", (ctx) => {
    needs('python3-pil')(ctx);
    const { dir, ref } = pillowImages();
    const kinds: Record<string, string> = {};
    expect(Object.keys(ref.files).sort()).toEqual(['grey-alpha.png', 'grey.jpg', 'grey.png', 'grey16.png', 'interlaced.png', 'palette-transparent.png', 'palette.png', 'progressive.jpg', 'rgb.jpg', 'rgb.png', 'rgba.png', 'subsampled.jpg']);
    for (const [name, want] of Object.entries(ref.files)) {
      const img = decoded(name, readFileSync(join(dir, name)));
      kinds[name] = img.kind;
      const expected = Buffer.from(want.rgba, 'hex');
      expect(img.rgba.length, name).toBe(expected.length);
      let worst = 0;
      let sum = 0;
      img.rgba.forEach((v, i) => {
        worst = Math.max(worst, Math.abs(v - expected[i]!));
        sum += Math.abs(v - expected[i]!);
      });
      // PNG is lossless: exact. JPEG decoders differ by IDCT rounding, and more where they upsample
      // 4:2:0 chroma (jpeg-js replicates, Pillow's libjpeg interpolates): a smooth image there,
      // whose colour steps ~10 levels a pixel.
      const subsampled = name === 'subsampled.jpg';
      expect(worst, name).toBeLessThanOrEqual(subsampled ? 10 : name.endsWith('.jpg') ? 3 : 0);
      expect(sum / img.rgba.length, name).toBeLessThan(subsampled ? 3 : name.endsWith('.jpg') ? 1 : 1e-9);
    }
    expect(kinds).toMatchObject({
      'grey.png': 'grey PNG',
      'grey-alpha.png': 'grey+alpha PNG',
      'grey16.png': '16-bit grey PNG',
      'palette.png': '4-bit palette PNG',
      'palette-transparent.png': '4-bit palette PNG with transparency',
      'interlaced.png': 'RGB interlaced PNG',
      'rgb.jpg': 'JPEG',
    });
    expect(decoded('grey.jpg', readFileSync(join(dir, 'grey.jpg'))).color).toBe(false);
  });

  it("resizes as Pillow's BILINEAR resize does (float images, within 1e-3 levels)", (ctx) => {
    needs('python3-pil')(ctx);
    const { ref } = pillowImages();
    const src = Float32Array.from(ref.grey);
    for (const [size, want] of Object.entries(ref.resized)) {
      const [w, h] = size.split('x').map(Number) as [number, number];
      const got = resizePlanes(src, 1, 13, 9, w, h);
      expect(got.length, size).toBe(want.length);
      got.forEach((v, i) => expect(Math.abs(v - want[i]!), `${size}[${i}]`).toBeLessThan(1e-3));
    }
  });
});

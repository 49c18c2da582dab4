/** The PNG reader behind `dlm predict --input image.png`, against dlm's own encoder. */
import { describe, expect, it } from 'vitest';
import { encodePng } from '@dlm/report';
import { decodePng } from '../src/png.js';

describe('decodePng', () => {
  it('reads grayscale images pixel for pixel', () => {
    const px = Uint8Array.from({ length: 28 * 28 }, (_, i) => (i * 7) % 256);
    const img = decodePng(encodePng(28, 28, px));
    expect(img).toMatchObject({ width: 28, height: 28, channels: 1 });
    expect(Array.from(img.pixels)).toEqual(Array.from(px));
  });

  it('reads RGB and composites RGBA on white', () => {
    const rgb = Uint8Array.from({ length: 4 * 3 * 3 }, (_, i) => (i * 31) % 256);
    const a = decodePng(encodePng(4, 3, rgb));
    expect(a.channels).toBe(3);
    expect(Array.from(a.pixels)).toEqual(Array.from(rgb));
    const rgba = Uint8Array.from([255, 0, 0, 0, 0, 0, 255, 255]); // transparent red, opaque blue
    const b = decodePng(encodePng(2, 1, rgba));
    expect(Array.from(b.pixels)).toEqual([255, 255, 255, 0, 0, 255]);
  });

  it('refuses what it cannot read, with a reason', () => {
    expect(() => decodePng(new Uint8Array([1, 2, 3]))).toThrow(/not a PNG/);
    const good = encodePng(2, 2, new Uint8Array(4));
    expect(() => decodePng(good.subarray(0, good.length - 30))).toThrow(/truncated|no image|PNG/);
  });
});

import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { crc32 as zlibCrc32, deflateSync } from 'node:zlib';
import { PNG } from 'pngjs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DatasetError, type Args, type DatasetOpenContext } from '@dlm/core';
import { encodePng as reportEncodePng } from '@dlm/report';
import { decodePng, image_folder } from '../src/index.js';
import { rng, stripes, writeStripes } from './helpers/fixtures.js';
import { encodePng } from './helpers/png-encode.js';
import { PACKAGE_DIR } from './helpers/compile.js';
import { rmSync } from 'node:fs';

const tmp = mkdtempSync(join(tmpdir(), 'dlm-image-folder-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const ctx = (split: 'train' | 'test'): DatasetOpenContext => ({ split, cacheDir: tmp, log: () => {} });
const ARGS: Args = { normalize: 'unit', test_fraction: 0.25, seed: 0, batch: 4, shuffle: true };
const open = (dir: string, split: 'train' | 'test' = 'train', extra: Args = {}) => image_folder.open({ ...ARGS, dir, ...extra }, ctx(split));

function randomPixels(n: number, seed: number): Uint8Array {
  const r = rng(seed);
  return Uint8Array.from({ length: n }, () => Math.floor(r() * 256));
}

describe('decodePng', () => {
  it.each([1, 2, 3, 4])('round-trips %i-channel images through every row filter', (channels) => {
    const px = randomPixels(7 * 5 * channels, channels);
    for (const filter of [0, 1, 2, 3, 4]) {
      const d = decodePng(encodePng(7, 5, channels, px, [filter]));
      expect([d.width, d.height, d.channels]).toEqual([7, 5, channels]);
      expect(Array.from(d.data)).toEqual(Array.from(px));
    }
  });

  it('decodes what an independent encoder (@dlm/report PNGs) writes', () => {
    const px = randomPixels(6 * 4 * 3, 99);
    const d = decodePng(reportEncodePng(6, 4, px));
    expect([d.width, d.height, d.channels]).toEqual([6, 4, 3]);
    expect(Array.from(d.data)).toEqual(Array.from(px));
  });

  it('decodes a PNG written by a real image tool (7×27 RGBA sprite with transparency)', () => {
    const d = decodePng(readFileSync(join(PACKAGE_DIR, 'test/fixtures/sort-arrow-sprite.png')));
    expect([d.width, d.height, d.channels]).toEqual([7, 27, 4]);
    const alphas = new Set(Array.from({ length: 7 * 27 }, (_, i) => d.data[i * 4 + 3]));
    expect(alphas.has(0)).toBe(true);
    expect(alphas.has(255)).toBe(true);
  });

  it('refuses bad files with a DatasetError naming the file and the problem', () => {
    const good = encodePng(2, 2, 3, randomPixels(12, 1));
    const bad = (bytes: Uint8Array) => {
      try {
        decodePng(bytes, 'x.png');
      } catch (e) {
        expect(e).toBeInstanceOf(DatasetError);
        return (e as Error).message;
      }
      return 'no error';
    };
    expect(bad(new Uint8Array([1, 2, 3]))).toMatch(/^x\.png: not a readable PNG image \(.+\)$/);
    expect(bad(good.subarray(0, 40))).toMatch(/^x\.png: not a readable PNG image/);
    const flipped = Buffer.from(good);
    flipped[45] ^= 0xff; // inside the IDAT data (the chunk starts at byte 33)
    expect(bad(flipped)).toMatch(/^x\.png: not a readable PNG image \(.+\)$/); // the chunk CRC no longer matches
  });

  it('reads 16-bit and palette PNGs (16-bit samples scale to 8 bits: the high byte)', () => {
    // 16-bit RGB through pngjs's encoder; the 16-bit value v·257 scales back to v exactly.
    const px = randomPixels(3 * 2 * 3, 5);
    const wide = new Uint16Array(px.length + 3 * 2).fill(65535);
    for (let p = 0; p < 6; p++) for (let k = 0; k < 3; k++) wide[p * 4 + k] = px[p * 3 + k]! * 257;
    const png16 = PNG.sync.write({ width: 3, height: 2, data: wide } as unknown as PNG, { bitDepth: 16, colorType: 2, inputColorType: 6 });
    expect(png16[24]).toBe(16);
    const d = decodePng(png16);
    expect([d.width, d.height, d.channels]).toEqual([3, 2, 3]);
    expect(Array.from(d.data)).toEqual(Array.from(px));
    // A 2-entry palette image written by hand: IHDR colour type 3, PLTE, one index byte per pixel.
    const chunk = (type: string, data: Uint8Array) => {
      const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
      const out = Buffer.alloc(12 + data.length);
      out.writeUInt32BE(data.length, 0);
      body.copy(out, 4);
      out.writeUInt32BE(zlibCrc32(body), 8 + data.length);
      return out;
    };
    const ihdr = Buffer.alloc(13);
    ihdr.writeUInt32BE(2, 0);
    ihdr.writeUInt32BE(1, 4);
    ihdr[8] = 8;
    ihdr[9] = 3;
    const palette = Buffer.concat([
      Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
      chunk('IHDR', ihdr),
      chunk('PLTE', Uint8Array.from([255, 0, 0, 10, 20, 30])),
      chunk('IDAT', deflateSync(Uint8Array.from([0, 1, 0]))),
      chunk('IEND', new Uint8Array(0)),
    ]);
    const pal = decodePng(palette);
    expect([pal.width, pal.height, pal.channels]).toEqual([2, 1, 3]);
    expect(Array.from(pal.data)).toEqual([10, 20, 30, 255, 0, 0]);
  });
});

describe('image_folder', () => {
  const stripesDir = join(tmp, 'stripes');
  writeStripes(stripesDir, 6, 5, 3);

  it('labels images by sorted subfolder name and holds out a seeded share per class', async () => {
    const train = await open(stripesDir, 'train');
    const test = await open(stripesDir, 'test');
    expect(train.info).toMatchObject({ inputShape: [3, 5, 5], inputDType: 'f32', classes: 2, classNames: ['horizontal', 'vertical'], targetShape: [] });
    expect(train.info.pixels).toEqual({ scale: 'unit', mean: [0, 0, 0], std: [1, 1, 1] });
    // 6 per class, 0.25 → round(1.5) = 2 per class held out.
    expect([train.size, test.size]).toEqual([8, 4]);
    const all = (s: typeof train) => s.slice(0, s.size);
    const count = (y: ArrayLike<number>, c: number) => Array.from(y).filter((v) => v === c).length;
    expect([count(all(train).y, 0), count(all(train).y, 1)]).toEqual([4, 4]);
    expect([count(all(test).y, 0), count(all(test).y, 1)]).toEqual([2, 2]);
    // The same seed gives the same split; another seed another one.
    const again = await open(stripesDir, 'test');
    expect(Array.from(all(again).x)).toEqual(Array.from(all(test).x));
    const other = await open(stripesDir, 'test', { seed: 5 });
    expect(Array.from(all(other).x)).not.toEqual(Array.from(all(test).x));
  });

  it('returns NCHW floats equal to the PNG bytes / 255, labels matching the folder', async () => {
    const dir = join(tmp, 'exact');
    const px = { a: randomPixels(3 * 2 * 3, 11), b: randomPixels(3 * 2 * 3, 12) };
    mkdirSync(join(dir, 'a'), { recursive: true });
    mkdirSync(join(dir, 'b'), { recursive: true });
    writeFileSync(join(dir, 'a', '1.png'), encodePng(3, 2, 3, px.a));
    writeFileSync(join(dir, 'b', '1.png'), encodePng(3, 2, 3, px.b));
    const split = await open(dir, 'train', { test_fraction: 0 });
    const batch = split.slice(0, 2);
    expect(batch.xShape).toEqual([2, 3, 2, 3]);
    expect(batch.yShape).toEqual([2]);
    for (let i = 0; i < 2; i++) {
      const src = batch.y[i] === 0 ? px.a : px.b;
      for (let c = 0; c < 3; c++) {
        for (let p = 0; p < 6; p++) expect(batch.x[i * 18 + c * 6 + p]).toBeCloseTo(src[p * 3 + c]! / 255, 6);
      }
    }
    expect(Array.from(batch.y).sort()).toEqual([0, 1]);
    // tanh scaling and a slice past the end (the last, short batch).
    const tanh = await open(dir, 'train', { test_fraction: 0, normalize: 'tanh' });
    const one = tanh.slice(1, 5);
    expect(one.xShape).toEqual([1, 3, 2, 3]);
    expect(Math.min(...one.x)).toBeGreaterThanOrEqual(-1);
  });

  it('mixes gray, gray+alpha and RGBA files: gray when all are gray, RGB otherwise, or as asked', async () => {
    const dir = join(tmp, 'mixed');
    mkdirSync(join(dir, 'x'), { recursive: true });
    mkdirSync(join(dir, 'y'), { recursive: true });
    writeFileSync(join(dir, 'x', 'g.png'), encodePng(2, 2, 1, Uint8Array.from([0, 51, 102, 255])));
    writeFileSync(join(dir, 'y', 'ga.png'), encodePng(2, 2, 2, Uint8Array.from([10, 255, 20, 255, 30, 0, 40, 128])));
    const gray = await open(dir, 'train', { test_fraction: 0 });
    expect(gray.info.inputShape).toEqual([1, 2, 2]);
    writeFileSync(join(dir, 'y', 'rgba.png'), encodePng(2, 2, 4, Uint8Array.from([255, 0, 0, 255, 0, 255, 0, 255, 0, 0, 255, 255, 255, 255, 255, 0])));
    const rgb = await open(dir, 'train', { test_fraction: 0 });
    expect(rgb.info.inputShape).toEqual([3, 2, 2]);
    const asGray = await open(dir, 'train', { test_fraction: 0, channels: 1 });
    const b = asGray.slice(0, 3);
    const rgbaIndex = Array.from({ length: 3 }, (_, i) => i).find((i) => Math.abs(b.x[i * 4]! - Math.round(0.299 * 255) / 255) < 1e-6);
    expect(rgbaIndex).toBeDefined(); // pure red → ITU-R 601 luma 76
    const rgbaChannels = await open(dir, 'train', { test_fraction: 0, channels: 4 });
    expect(rgbaChannels.info.inputShape).toEqual([4, 2, 2]);
  });

  it('standard normalization uses the train split’s per-channel mean and std', async () => {
    const s = await open(stripesDir, 'train', { normalize: 'standard' });
    const { x } = s.slice(0, s.size);
    const plane = 25;
    for (let c = 0; c < 3; c++) {
      let sum = 0;
      let sq = 0;
      for (let i = 0; i < s.size; i++) for (let p = 0; p < plane; p++) {
        const v = x[(i * 3 + c) * plane + p]!;
        sum += v;
        sq += v * v;
      }
      const n = s.size * plane;
      expect(sum / n).toBeCloseTo(0, 4);
      expect(Math.sqrt(sq / n - (sum / n) ** 2)).toBeCloseTo(1, 3);
    }
  });

  it('resolves a relative dir from the .dlm file’s folder (ctx.baseDir), else from the working directory', async () => {
    const fromBase = await image_folder.open({ ...ARGS, dir: 'stripes' }, { ...ctx('train'), baseDir: tmp });
    expect(fromBase.size).toBe(8);
    await expect(image_folder.open({ ...ARGS, dir: 'stripes' }, ctx('train'))).rejects.toThrow(`${join(process.cwd(), 'stripes')}: no such directory`);
  });

  it('uses dir/train and dir/test as the splits when both exist', async () => {
    const dir = join(tmp, 'presplit');
    writeStripes(join(dir, 'train'), 3, 4, 1);
    writeStripes(join(dir, 'test'), 2, 4, 2);
    expect((await open(dir, 'train')).size).toBe(6);
    expect((await open(dir, 'test')).size).toBe(4);
  });

  it('reports user mistakes as DatasetErrors naming the file', async () => {
    const err = async (dir: string, extra: Args = {}) => {
      try {
        await open(dir, 'train', extra);
      } catch (e) {
        expect(e).toBeInstanceOf(DatasetError);
        return (e as Error).message;
      }
      return 'no error';
    };
    expect(await err(join(tmp, 'nope'))).toMatch(/nope: no such directory$/);
    const empty = join(tmp, 'empty');
    mkdirSync(empty);
    expect(await err(empty)).toMatch(/has no class subfolders \(expected .*\/<class>\/<image>\.png\)/);
    const sizes = join(tmp, 'sizes');
    mkdirSync(join(sizes, 'a'), { recursive: true });
    writeFileSync(join(sizes, 'a', '1.png'), encodePng(2, 2, 1, new Uint8Array(4)));
    writeFileSync(join(sizes, 'a', '2.png'), encodePng(3, 2, 1, new Uint8Array(6)));
    expect(await err(sizes, { test_fraction: 0 })).toMatch(/2\.png is 3×2, but .*1\.png is 2×2; every image must have the same size/);
    const jpg = join(tmp, 'jpg');
    mkdirSync(join(jpg, 'a'), { recursive: true });
    writeFileSync(join(jpg, 'a', 'photo.jpg'), 'not really');
    expect(await err(jpg)).toMatch(/photo\.jpg: only PNG images are supported/);
    const noImages = join(tmp, 'noimages');
    mkdirSync(join(noImages, 'a'), { recursive: true });
    writeFileSync(join(noImages, 'a', 'README.txt'), 'hi');
    expect(await err(noImages)).toMatch(/class folder .*noimages\/a has no \.png images/);
    const broken = join(tmp, 'broken');
    mkdirSync(join(broken, 'a'), { recursive: true });
    writeFileSync(join(broken, 'a', 'cut.png'), encodePng(4, 4, 3, new Uint8Array(48)).subarray(0, 30));
    expect(await err(broken)).toMatch(/cut\.png: not a readable PNG image/);
    expect(await err(stripesDir, { channels: 2 })).toBe('image_folder: channels must be 1, 3 or 4, got 2');
  });

  it('the fixture folder shipped in the package is what scripts/make-fixtures.ts writes', async () => {
    const fresh = join(tmp, 'fresh');
    writeStripes(fresh, 8, 8, 1);
    for (const kind of ['horizontal', 'vertical']) {
      for (let i = 0; i < 8; i++) {
        const f = join(kind, `${String(i).padStart(2, '0')}.png`);
        expect(readFileSync(join(PACKAGE_DIR, 'fixtures/stripes', f)).equals(readFileSync(join(fresh, f))), f).toBe(true);
      }
    }
    const s = await open(join(PACKAGE_DIR, 'fixtures/stripes'));
    expect(s.info.inputShape).toEqual([3, 8, 8]);
    expect(s.size).toBe(12);
    // Sanity of the pictures: in "horizontal" images, neighbouring rows differ more than neighbouring columns.
    const px = stripes('horizontal', 8, rng(4));
    let rows = 0;
    let cols = 0;
    for (let y = 0; y < 7; y++) for (let x = 0; x < 7; x++) {
      rows += Math.abs(px[((y + 1) * 8 + x) * 3]! - px[(y * 8 + x) * 3]!);
      cols += Math.abs(px[(y * 8 + x + 1) * 3]! - px[(y * 8 + x) * 3]!);
    }
    expect(rows).toBeGreaterThan(3 * cols);
  });
});

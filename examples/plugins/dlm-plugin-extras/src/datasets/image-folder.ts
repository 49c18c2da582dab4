/**
 * `image_folder`: a folder of PNG images whose labels are their subfolder names, the layout of
 * torchvision's ImageFolder and Keras' image_dataset_from_directory:
 *
 *   dir/cat/001.png  dir/cat/002.png  …  dir/dog/001.png  …
 *
 * Classes are the subfolders in sorted order. With `dir/train/<class>/…` and `dir/test/<class>/…`
 * the two splits come from there; otherwise a seeded, per-class share (`test_fraction`) is held
 * out. Every image must have the same width and height; gray, gray+alpha, RGB and RGBA files may
 * be mixed (converted to `channels`). Problems are `DatasetError`s naming the file.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { DatasetError, type Args, type Batch, type DatasetDef, type DatasetOpenContext, type DatasetSplit } from '@dlm/core';
import { decodePng, type DecodedPng } from './png.js';
import { mulberry32 as rng } from '@dlm/core';

const UNSUPPORTED = /\.(jpe?g|gif|bmp|webp|tiff?)$/i;

interface Sample {
  file: string;
  label: number;
}

interface Folder {
  classNames: string[];
  samples: Sample[];
}

function isDir(p: string): boolean {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}

/**
 * `~/x` is the home directory; a relative path is from `baseDir` (the folder of the .dlm file
 * that names the dataset), or from the working directory when there is none (like the standard datasets).
 */
function userPath(p: string, baseDir: string | undefined): string {
  if (p === '~' || p.startsWith('~/')) return join(homedir(), p.slice(1));
  return baseDir ? resolve(baseDir, p) : resolve(p);
}

/** Lists `dir/<class>/*.png`. `classNames`, when given, fixes the class order (the test split uses the train split's). */
export function scanFolder(dir: string, classNames?: readonly string[]): Folder {
  if (!isDir(dir)) throw new DatasetError(`image_folder: ${dir}: no such directory`, dir);
  const found = readdirSync(dir)
    .filter((n) => !n.startsWith('.') && isDir(join(dir, n)))
    .sort();
  if (found.length === 0) throw new DatasetError(`image_folder: ${dir} has no class subfolders (expected ${dir}/<class>/<image>.png)`, dir);
  const names = classNames ? [...classNames] : found;
  if (classNames) {
    const extra = found.filter((n) => !classNames.includes(n));
    if (extra.length) throw new DatasetError(`image_folder: ${dir} has classes the training split does not have: ${extra.join(', ')}`, dir);
  }
  const samples: Sample[] = [];
  names.forEach((cls, label) => {
    const cdir = join(dir, cls);
    if (!isDir(cdir)) return;
    const files = readdirSync(cdir).filter((n) => !n.startsWith('.')).sort();
    for (const f of files) {
      if (UNSUPPORTED.test(f)) throw new DatasetError(`image_folder: ${join(cdir, f)}: only PNG images are supported; convert it to .png`, join(cdir, f));
      if (/\.png$/i.test(f)) samples.push({ file: join(cdir, f), label });
    }
    if (!classNames && !files.some((f) => /\.png$/i.test(f))) throw new DatasetError(`image_folder: class folder ${cdir} has no .png images`, cdir);
  });
  if (samples.length === 0) throw new DatasetError(`image_folder: ${dir} has no .png images`, dir);
  return { classNames: names, samples };
}

/** Decodes every sample into one NCHW byte array of `channels` channels. */
function loadImages(samples: readonly Sample[], channels: number | undefined): { pixels: Uint8Array; c: number; h: number; w: number; labels: Int32Array } {
  const decoded: DecodedPng[] = samples.map((s) => {
    let bytes: Uint8Array;
    try {
      bytes = readFileSync(s.file);
    } catch (e) {
      throw new DatasetError(`image_folder: ${s.file}: cannot read (${(e as NodeJS.ErrnoException).code ?? String(e)})`, s.file);
    }
    return decodePng(bytes, s.file);
  });
  const first = decoded[0]!;
  // Default: gray when every image is gray, else RGB. Alpha is dropped unless channels: 4.
  const c = channels ?? (decoded.every((d) => d.channels <= 2) ? 1 : 3);
  const { width: w, height: h } = first;
  const pixels = new Uint8Array(samples.length * c * h * w);
  decoded.forEach((d, i) => {
    if (d.width !== w || d.height !== h) {
      throw new DatasetError(`image_folder: ${samples[i]!.file} is ${d.width}×${d.height}, but ${samples[0]!.file} is ${w}×${h}; every image must have the same size`, samples[i]!.file);
    }
    const base = i * c * h * w;
    for (let p = 0; p < h * w; p++) {
      const src = p * d.channels;
      const gray = d.channels <= 2;
      const rgb = gray ? [d.data[src]!, d.data[src]!, d.data[src]!] : [d.data[src]!, d.data[src + 1]!, d.data[src + 2]!];
      const a = d.channels === 2 ? d.data[src + 1]! : d.channels === 4 ? d.data[src + 3]! : 255;
      for (let k = 0; k < c; k++) {
        let v: number;
        if (c === 1) v = gray ? d.data[src]! : Math.round(0.299 * rgb[0]! + 0.587 * rgb[1]! + 0.114 * rgb[2]!); // ITU-R 601 luma
        else v = k < 3 ? rgb[k]! : a;
        pixels[base + k * h * w + p] = v;
      }
    }
  });
  return { pixels, c, h, w, labels: Int32Array.from(samples, (s) => s.label) };
}

function shuffle<T>(items: T[], seed: number): T[] {
  const out = [...items];
  const r = rng(seed);
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(r() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

/** A seeded per-class hold-out: round(n_c·fraction) images of each class go to the test split. */
export function holdout(samples: readonly Sample[], classes: number, fraction: number, seed: number): { train: Sample[]; test: Sample[] } {
  const train: Sample[] = [];
  const test: Sample[] = [];
  for (let c = 0; c < classes; c++) {
    const mine = shuffle(samples.filter((s) => s.label === c), seed * 7919 + c);
    const k = Math.round(mine.length * fraction);
    test.push(...mine.slice(0, k));
    train.push(...mine.slice(k));
  }
  const byFile = (a: Sample, b: Sample) => (a.file < b.file ? -1 : 1);
  return { train: train.sort(byFile), test: test.sort(byFile) };
}

export const image_folder: DatasetDef = {
  name: 'image_folder',
  doc: 'PNG images in dir/<class>/ subfolders (labels are the sorted folder names), as NCHW floats; dir/train and dir/test, if present, are the splits.',
  args: [
    { name: 'dir', type: 'string', doc: 'The folder of class subfolders (a relative path is from the .dlm file’s folder; ~/ is home).' },
    { name: 'channels', type: 'int', optional: true, min: 1, max: 4, positional: false, doc: '1 gray, 3 RGB or 4 RGBA (default: 1 when every image is gray, else 3).' },
    {
      name: 'normalize',
      type: 'enum',
      values: ['unit', 'tanh', 'standard'],
      default: 'unit',
      positional: false,
      doc: "'unit' x/255, 'tanh' x/127.5 − 1, 'standard' (x/255 − mean)/std per channel over the train split.",
    },
    { name: 'test_fraction', type: 'float', default: 0.25, min: 0, max: 0.9, positional: false, doc: 'Without dir/train and dir/test: the share of each class held out as the test split.' },
    { name: 'seed', type: 'int', default: 0, positional: false, doc: 'Seed of the hold-out and of the sample order.' },
    { name: 'batch', type: 'int', default: 32, min: 1, positional: false, doc: 'Batch size (read by the trainer).' },
    { name: 'shuffle', type: 'bool', default: true, positional: false, doc: 'Reshuffle the training set every epoch (read by the trainer).' },
  ],
  async open(args: Args, ctx: DatasetOpenContext): Promise<DatasetSplit> {
    if (typeof args['dir'] !== 'string') throw new DatasetError('image_folder: dir is required');
    const channels = args['channels'] as number | undefined;
    if (channels !== undefined && channels !== 1 && channels !== 3 && channels !== 4) {
      throw new DatasetError(`image_folder: channels must be 1, 3 or 4, got ${channels}`);
    }
    const root = userPath(args['dir'], ctx.baseDir);
    const seed = (args['seed'] as number | undefined) ?? 0;
    let train: Sample[];
    let test: Sample[];
    let classNames: string[];
    if (isDir(join(root, 'train')) && isDir(join(root, 'test'))) {
      const tr = scanFolder(join(root, 'train'));
      classNames = tr.classNames;
      train = tr.samples;
      test = ctx.split === 'test' ? scanFolder(join(root, 'test'), classNames).samples : [];
    } else {
      const all = scanFolder(root);
      classNames = all.classNames;
      ({ train, test } = holdout(all.samples, classNames.length, (args['test_fraction'] as number | undefined) ?? 0.25, seed));
      if (ctx.split === 'test' && test.length === 0) {
        throw new DatasetError(`image_folder: the test split of ${root} is empty; raise test_fraction or add ${root}/train and ${root}/test`, root);
      }
    }
    // A seeded order mixes the classes, so a --limit slice is not all one class.
    const part = shuffle(ctx.split === 'train' ? train : test, seed + (ctx.split === 'train' ? 1 : 2));
    const img = loadImages(part, channels);
    const scale = (args['normalize'] as 'unit' | 'tanh' | 'standard' | undefined) ?? 'unit';
    let mean = new Array<number>(img.c).fill(0);
    let std = new Array<number>(img.c).fill(1);
    if (scale === 'standard') {
      // Statistics of the train split, also for the test split (as the standard datasets do).
      const stats = ctx.split === 'train' ? img : loadImages(train, img.c);
      ({ mean, std } = channelStats(stats.pixels, stats.c, stats.h * stats.w));
    }
    const lut = Array.from({ length: img.c }, (_, k) =>
      Float32Array.from({ length: 256 }, (_, v) => (scale === 'unit' ? v / 255 : scale === 'tanh' ? v / 127.5 - 1 : (v / 255 - mean[k]!) / std[k]!)),
    );
    const sampleSize = img.c * img.h * img.w;
    const plane = img.h * img.w;
    ctx.log(`image_folder: ${part.length} ${ctx.split} images of ${img.c}×${img.h}×${img.w} in ${classNames.length} classes from ${root}`);
    return {
      info: {
        inputShape: [img.c, img.h, img.w],
        inputDType: 'f32',
        classes: classNames.length,
        classNames,
        targetShape: [],
        pixels: { scale, mean, std },
      },
      size: part.length,
      slice(start: number, count: number): Batch {
        if (!Number.isInteger(start) || !Number.isInteger(count) || start < 0 || count < 0 || start > part.length) {
          throw new RangeError(`slice(${start}, ${count}) is outside a split of ${part.length} images`);
        }
        const n = Math.min(count, part.length - start);
        const x = new Float32Array(n * sampleSize);
        for (let i = 0; i < n * sampleSize; i++) {
          const k = Math.floor((i % sampleSize) / plane);
          x[i] = lut[k]![img.pixels[start * sampleSize + i]!]!;
        }
        return { x, xShape: [n, img.c, img.h, img.w], y: img.labels.slice(start, start + n), yShape: [n] };
      },
    };
  },
};

function channelStats(pixels: Uint8Array, c: number, plane: number): { mean: number[]; std: number[] } {
  const n = pixels.length / (c * plane);
  const mean: number[] = [];
  const std: number[] = [];
  for (let k = 0; k < c; k++) {
    let s = 0;
    let sq = 0;
    for (let i = 0; i < n; i++) {
      for (let p = 0; p < plane; p++) {
        const v = pixels[(i * c + k) * plane + p]! / 255;
        s += v;
        sq += v * v;
      }
    }
    const m = s / (n * plane);
    mean.push(m);
    std.push(Math.sqrt(Math.max(sq / (n * plane) - m * m, 0)) || 1);
  }
  return { mean, std };
}

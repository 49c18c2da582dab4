/**
 * One loader for the IDX image datasets (MNIST, Fashion-MNIST): where to look for the four files,
 * how to download and verify them, and what to do when they are missing. `mnist` and
 * `fashion_mnist` are two specs of `idxImageDataset`; tests build a third with fixture checksums.
 *
 * Lookup order for a split (train: train-images/train-labels, test: t10k-images/t10k-labels):
 *   1. `dir:` when given (files named as in the original distribution, gzip or raw) — and nowhere else;
 *   2. the cache `<cacheDir>/<cacheSubdir>/` (checksums verified);
 *   3. system folders such as Debian's /usr/share/datasets/fashion-mnist/;
 *   4. a verified download into the cache, when `download: true`;
 *   5. the embedded sample, when the spec has one and `sample` is not false.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Args, DatasetDef, DatasetOpenContext, DatasetSplit } from '@dlm/core';
import { DatasetError } from '@dlm/core';
import { downloadVerified, joinUrl } from './download.js';
import { readIdxImages, readIdxLabels } from './idx-files.js';
import { imageSplit, pixelScale, type ImageData } from './image.js';
import { candidateNames, idxDatasetArgs, type IdxDatasetSpec, type IdxFile } from './idx-spec.js';

export { candidateNames, idxDatasetArgs, type IdxDatasetSpec, type IdxFile } from './idx-spec.js';
import { firstExisting, isFile, resolveUserPath, sha256File } from './io.js';

function findIn(dir: string, f: IdxFile): string | undefined {
  return firstExisting(candidateNames(f.name).map((n) => path.join(dir, n)));
}

interface Located {
  images: string;
  labels: string;
  where: string;
}

async function verifyCached(file: string, f: IdxFile, download: boolean, log: (m: string) => void): Promise<boolean> {
  const got = await sha256File(file);
  if (got === f.sha256) return true;
  if (download) {
    log(`${file}: checksum mismatch (SHA-256 ${got}); downloading it again`);
    fs.rmSync(file, { force: true });
    return false;
  }
  throw new DatasetError(
    `${file}: checksum mismatch: expected SHA-256 ${f.sha256}, got ${got}; delete the file or pass download: true to fetch it again`,
    file,
  );
}

async function locate(spec: IdxDatasetSpec, split: 'train' | 'test', args: Args, ctx: DatasetOpenContext): Promise<Located | undefined> {
  const files = spec.files[split];
  const download = args.download === true;
  if (typeof args.dir === 'string') {
    const dir = resolveUserPath(args.dir, ctx.baseDir);
    const images = findIn(dir, files.images);
    const labels = findIn(dir, files.labels);
    if (images && labels) return { images, labels, where: dir };
    const missing = [images ? undefined : files.images, labels ? undefined : files.labels].filter((f): f is IdxFile => !!f);
    throw new DatasetError(
      `${spec.name}: ${dir} lacks the ${split} files ${missing.map((f) => candidateNames(f.name).join(' or ')).join(', and ')}`,
      dir,
    );
  }
  const cache = path.join(ctx.cacheDir, spec.cacheSubdir);
  const cached: Partial<Record<'images' | 'labels', string>> = {};
  for (const key of ['images', 'labels'] as const) {
    const file = path.join(cache, files[key].name);
    if (isFile(file) && (await verifyCached(file, files[key], download, ctx.log))) cached[key] = file;
  }
  if (cached.images && cached.labels) return { images: cached.images, labels: cached.labels, where: cache };
  for (const dir of spec.systemDirs) {
    const images = findIn(dir, files.images);
    const labels = findIn(dir, files.labels);
    if (images && labels) return { images, labels, where: dir };
  }
  if (download) {
    const base = ctx.mirror ?? spec.baseUrl;
    for (const key of ['images', 'labels'] as const) {
      if (cached[key]) continue;
      const dest = path.join(cache, files[key].name);
      await downloadVerified(joinUrl(base, files[key].name), dest, files[key].sha256, { log: ctx.log });
      cached[key] = dest;
    }
    return { images: cached.images!, labels: cached.labels!, where: cache };
  }
  return undefined;
}

/** Reads a located pair of IDX files and checks they agree. */
export function readIdxPair(spec: IdxDatasetSpec, images: string, labels: string): { count: number; pixels: Uint8Array; labels: Uint8Array } {
  const img = readIdxImages(images, spec.height, spec.width, spec.name);
  const lab = readIdxLabels(labels, spec.classNames.length);
  if (lab.length !== img.count) {
    throw new DatasetError(`${labels}: label count ${lab.length} ≠ image count ${img.count} in ${images}`, labels);
  }
  return { count: img.count, pixels: img.pixels, labels: lab };
}

export function idxImageDataset(spec: IdxDatasetSpec): DatasetDef {
  return {
    name: spec.name,
    doc: spec.doc,
    args: idxDatasetArgs(spec),
    async open(args: Args, ctx: DatasetOpenContext): Promise<DatasetSplit> {
      const scale = pixelScale(args.normalize);
      const make = (d: { count: number; pixels: Uint8Array; labels: Uint8Array }): DatasetSplit => {
        const data: ImageData = {
          ...d,
          channels: 1,
          height: spec.height,
          width: spec.width,
          classNames: spec.classNames,
          mean: [spec.mean],
          std: [spec.std],
        };
        return imageSplit(data, scale);
      };
      if (spec.sample && args.sample === true) {
        ctx.log(`${spec.name}: using ${spec.sample.describe} (sample: true)`);
        return make(spec.sample.load(ctx.split));
      }
      const found = await locate(spec, ctx.split, args, ctx);
      if (found) return make(readIdxPair(spec, found.images, found.labels));
      const searched = [path.join(ctx.cacheDir, spec.cacheSubdir), ...spec.systemDirs].join(', ');
      if (spec.sample && args.sample !== false) {
        const d = spec.sample.load(ctx.split);
        // The same words for every split, so a command opening train and test says it once (hosts
        // drop a repeated line: @dlm/train's folderDatasets).
        ctx.log(`${spec.name}: the full dataset was not found (searched ${searched}); using ${spec.sample.describe}. Pass download: true or dir: "…" for the full dataset.`);
        return make(d);
      }
      throw new DatasetError(
        `${spec.name}: the ${ctx.split} files ${spec.files[ctx.split].images.name} and ${spec.files[ctx.split].labels.name} were not found ` +
          `(searched ${searched}); pass download: true to fetch them, or dir: "…" to point at them`,
      );
    },
  };
}

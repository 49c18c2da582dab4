/**
 * CIFAR-10, binary version (https://www.cs.toronto.edu/~kriz/cifar.html): data_batch_1..5.bin
 * (train, 10,000 records each) and test_batch.bin; a record is 1 label byte then 3,072 pixel
 * bytes — the red, green and blue 32×32 planes, row-major — which is already NCHW.
 *
 * Lookup: `dir:` (the folder with the .bin files, or its parent holding cifar-10-batches-bin/),
 * then the cache `<cacheDir>/cifar10/cifar-10-batches-bin/`, then — with `download: true` — the
 * archive cifar-10-binary.tar.gz is downloaded, its SHA-256 checked, and the .bin files unpacked
 * into the cache (into a temp folder renamed into place, so a half-unpacked cache never exists).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Args, DatasetDef, DatasetOpenContext, DatasetSplit } from '@dlm/core';
import { DatasetError } from '@dlm/core';
import { downloadVerified, joinUrl } from './download.js';
import { NORMALIZE_ARG, imageSplit, pixelScale } from './image.js';
import { isFile, readFileOrFail, resolveUserPath } from './io.js';
import { extractTarGz } from './tar.js';

export const CIFAR10_CLASSES = ['airplane', 'automobile', 'bird', 'cat', 'deer', 'dog', 'frog', 'horse', 'ship', 'truck'] as const;
const RECORD = 1 + 3 * 32 * 32;
const TRAIN_FILES = ['data_batch_1.bin', 'data_batch_2.bin', 'data_batch_3.bin', 'data_batch_4.bin', 'data_batch_5.bin'];
const TEST_FILES = ['test_batch.bin'];
const BIN_DIR = 'cifar-10-batches-bin';
/** Written after a verified archive was unpacked; its presence marks the cache as complete. */
const MARKER = '.dlm-verified';

export interface Cifar10Spec {
  name: string;
  baseUrl: string;
  archive: { name: string; sha256: string };
  cacheSubdir: string;
}

export const CIFAR10_SPEC: Cifar10Spec = {
  name: 'cifar10',
  baseUrl: 'https://www.cs.toronto.edu/~kriz',
  // The published archive (170,052,171 bytes, MD5 c32a1d4ab5d03f1284b67883e8d87530).
  archive: { name: 'cifar-10-binary.tar.gz', sha256: 'c4a38c50a1bc5f3a1c5537f2155ab9d68f9f25eb1ed8d9ddda3db29a59bca1dd' },
  cacheSubdir: 'cifar10',
};

/** Reads CIFAR-10 binary batch files into one NCHW byte array and labels. */
export function readCifarBatches(files: readonly string[]): { count: number; pixels: Uint8Array; labels: Uint8Array } {
  const parts = files.map((file) => {
    const bytes = readFileOrFail(file);
    if (bytes.length === 0 || bytes.length % RECORD !== 0) {
      throw new DatasetError(
        `${file}: truncated file (${bytes.length} bytes is not a whole number of ${RECORD}-byte CIFAR-10 records: 1 label byte + 3×32×32 pixels)`,
        file,
      );
    }
    return { file, bytes };
  });
  const count = parts.reduce((n, p) => n + p.bytes.length / RECORD, 0);
  const pixels = new Uint8Array(count * (RECORD - 1));
  const labels = new Uint8Array(count);
  let i = 0;
  for (const { file, bytes } of parts) {
    for (let r = 0; r < bytes.length / RECORD; r++, i++) {
      const label = bytes[r * RECORD];
      if (label >= 10) throw new DatasetError(`${file}: label ${label} of record ${r} is out of range 0..9`, file);
      labels[i] = label;
      pixels.set(bytes.subarray(r * RECORD + 1, (r + 1) * RECORD), i * (RECORD - 1));
    }
  }
  return { count, pixels, labels };
}

function binDirIn(dir: string, names: readonly string[]): string | undefined {
  for (const d of [dir, path.join(dir, BIN_DIR)]) if (names.every((n) => isFile(path.join(d, n)))) return d;
  return undefined;
}

async function downloadAndUnpack(spec: Cifar10Spec, ctx: DatasetOpenContext): Promise<string> {
  const root = path.join(ctx.cacheDir, spec.cacheSubdir);
  const archive = path.join(root, spec.archive.name);
  await downloadVerified(joinUrl(ctx.mirror ?? spec.baseUrl, spec.archive.name), archive, spec.archive.sha256, { log: ctx.log });
  const tmp = fs.mkdtempSync(path.join(root, '.unpack-'));
  const wanted = new Set([...TRAIN_FILES, ...TEST_FILES, 'batches.meta.txt']);
  try {
    const written = await extractTarGz(archive, (name) => {
      const base = path.posix.basename(name);
      return wanted.has(base) ? path.join(tmp, base) : undefined;
    });
    const missing = [...TRAIN_FILES, ...TEST_FILES].filter((n) => !written.some((w) => path.posix.basename(w) === n));
    if (missing.length) throw new DatasetError(`${archive}: the archive lacks ${missing.join(', ')}`, archive);
    fs.writeFileSync(path.join(tmp, MARKER), `${spec.archive.sha256}\n`);
    const dest = path.join(root, BIN_DIR);
    fs.rmSync(dest, { recursive: true, force: true });
    fs.renameSync(tmp, dest);
  } catch (e) {
    fs.rmSync(tmp, { recursive: true, force: true });
    throw e;
  }
  fs.rmSync(archive, { force: true }); // the verified .bin files are what the cache keeps
  ctx.log(`${spec.name}: unpacked ${spec.archive.name} into ${path.join(root, BIN_DIR)}`);
  return path.join(root, BIN_DIR);
}

export function cifar10Dataset(spec: Cifar10Spec): DatasetDef {
  return {
    name: spec.name,
    doc:
      'CIFAR-10: 32×32 colour images [3, 32, 32] in 10 classes (airplane … truck); 50,000 train and 10,000 test images, ' +
      `from the binary version's .bin files (dir: or the cache), or downloaded with download: true (${spec.archive.name}, 163 MB, SHA-256 checked).`,
    args: [
      { name: 'batch', type: 'int', default: 64, min: 1, doc: 'Batch size (read by the trainer).' },
      { name: 'shuffle', type: 'bool', default: true, doc: 'Reshuffle the training set every epoch (read by the trainer).' },
      {
        name: 'dir',
        type: 'string',
        optional: true,
        positional: false,
        doc: `Folder holding data_batch_1.bin … test_batch.bin (or its parent holding ${BIN_DIR}/). When given, only this folder is used.`,
      },
      { name: 'download', type: 'bool', default: false, positional: false, doc: `Download and unpack ${spec.archive.name} into the cache (<cache>/${spec.cacheSubdir}/).` },
      {
        ...NORMALIZE_ARG,
        doc: `${NORMALIZE_ARG.doc} CIFAR-10 per-channel (R, G, B) mean 0.4914, 0.4822, 0.4465 and std 0.2470, 0.2435, 0.2616.`,
      },
    ],
    async open(args: Args, ctx: DatasetOpenContext): Promise<DatasetSplit> {
      const scale = pixelScale(args.normalize);
      const names = ctx.split === 'train' ? TRAIN_FILES : TEST_FILES;
      let dir: string | undefined;
      if (typeof args.dir === 'string') {
        const given = resolveUserPath(args.dir, ctx.baseDir);
        dir = binDirIn(given, names);
        if (!dir) {
          const missing = names.filter((n) => !isFile(path.join(given, n)) && !isFile(path.join(given, BIN_DIR, n)));
          throw new DatasetError(`${spec.name}: ${given} lacks the ${ctx.split} files ${missing.join(', ')} (also looked in ${path.join(given, BIN_DIR)})`, given);
        }
      } else {
        const cached = path.join(ctx.cacheDir, spec.cacheSubdir, BIN_DIR);
        if (isFile(path.join(cached, MARKER)) && binDirIn(cached, names)) dir = cached;
        else if (args.download === true) dir = await downloadAndUnpack(spec, ctx);
        else {
          throw new DatasetError(
            `${spec.name}: the ${ctx.split} files ${names.join(', ')} were not found (searched ${cached}); ` +
              `pass download: true to fetch ${spec.archive.name}, or dir: "…" to point at the unpacked ${BIN_DIR} folder`,
          );
        }
      }
      const d = readCifarBatches(names.map((n) => path.join(dir!, n)));
      return imageSplit(
        {
          ...d,
          channels: 3,
          height: 32,
          width: 32,
          classNames: CIFAR10_CLASSES,
          // Per-channel mean and (population) std of x/255 over the 50,000 training images.
          mean: [0.4914, 0.4822, 0.4465],
          std: [0.247, 0.2435, 0.2616],
        },
        scale,
      );
    },
  };
}

export const cifar10 = cifar10Dataset(CIFAR10_SPEC);

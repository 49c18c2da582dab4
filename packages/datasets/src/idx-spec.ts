/** What an IDX image dataset is (files, checksums, statistics) and the arguments it takes: pure declarations. */
import type { ArgSpec } from '@dlm/core';
import { NORMALIZE_ARG } from './image.js';

export interface IdxFile {
  /** File name in the original distribution, e.g. "train-images-idx3-ubyte.gz". */
  name: string;
  /** SHA-256 of that (gzip) file as published; checked on download and in the cache. */
  sha256: string;
}

export interface IdxDatasetSpec {
  name: string;
  doc: string;
  /** Sub-folder of the cache directory. */
  cacheSubdir: string;
  /** Folders searched after the cache (packaged copies). */
  systemDirs: readonly string[];
  /** Default download base URL (`ctx.mirror` overrides it). */
  baseUrl: string;
  files: { train: { images: IdxFile; labels: IdxFile }; test: { images: IdxFile; labels: IdxFile } };
  classNames: readonly string[];
  height: number;
  width: number;
  /** Mean and std of x/255 over the training set, for `normalize: true`. */
  mean: number;
  std: number;
  /** An embedded fallback (the MNIST sample); absent for datasets without one. */
  sample?: { describe: string; load(split: 'train' | 'test'): { count: number; pixels: Uint8Array; labels: Uint8Array } };
}

/** The names a file may carry on disk: with or without .gz, and the dotted variant some unpackers write. */
export function candidateNames(name: string): string[] {
  const base = name.replace(/\.gz$/, '');
  const dotted = base.replace(/-(idx\d-ubyte)$/, '.$1');
  return [...new Set([base, `${base}.gz`, dotted, `${dotted}.gz`])];
}

export type IdxArgsSpec = Omit<IdxDatasetSpec, 'sample'> & { sample?: { describe: string } };

/** The arguments of an IDX dataset; only the sample's description is needed, not its loader. */
export function idxDatasetArgs(spec: IdxArgsSpec): ArgSpec[] {
  const args: ArgSpec[] = [
    { name: 'batch', type: 'int', default: 64, min: 1, doc: 'Batch size (read by the trainer).' },
    { name: 'shuffle', type: 'bool', default: true, doc: 'Reshuffle the training set every epoch (read by the trainer).' },
    {
      name: 'dir',
      type: 'string',
      optional: true,
      positional: false,
      doc: `Folder holding the ${spec.files.train.images.name.replace(/\.gz$/, '')}[.gz] … files (gzip or raw). When given, only this folder is used.`,
    },
    {
      name: 'download',
      type: 'bool',
      default: false,
      positional: false,
      doc: `Download missing files into the cache (<cache>/${spec.cacheSubdir}/) and verify their SHA-256.`,
    },
  ];
  if (spec.sample) {
    args.push({
      name: 'sample',
      type: ['bool', 'enum'],
      values: ['auto'],
      default: 'auto',
      positional: false,
      doc: `Use ${spec.sample.describe}: 'auto' = when the full files are not found, true = always, false = never (error instead).`,
    });
  }
  args.push({ ...NORMALIZE_ARG, doc: `${NORMALIZE_ARG.doc} ${spec.name}: mean ${spec.mean}, std ${spec.std}.` });
  return args;
}

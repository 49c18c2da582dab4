/**
 * `csv`: a numeric table as a dataset. Every column but the target is a float feature; the target
 * is a class index (with `classes:`, or when its values are names such as "setosa") or a float
 * regression value. Errors name the file and line.
 */
import * as path from 'node:path';
import type { Args, Batch, DatasetDef, DatasetOpenContext, DatasetSplit } from '@dlm/core';
import { DatasetError } from '@dlm/core';
import { parseDelimited, parseNumber, type Row } from './delimited.js';
import { checkSlice } from './image.js';
import { readFileOrFail, resolveUserPath } from './io.js';
import { shuffledIndices } from './rng.js';

interface Table {
  file: string;
  columns: string[];
  rows: Row[];
}

function readTable(file: string, header: boolean): Table {
  const text = readFileOrFail(file).toString('utf8');
  const rows = parseDelimited(text, file);
  if (rows.length === 0) throw new DatasetError(`${file}: the file is empty`, file);
  const columns = header ? rows[0].fields.map((c) => c.trim()) : rows[0].fields.map((_, i) => `column ${i}`);
  const body = header ? rows.slice(1) : rows;
  for (const r of body) {
    if (r.fields.length !== columns.length) {
      throw new DatasetError(
        `${file}:${r.line}: ${r.fields.length} fields, expected ${columns.length} (${header ? 'as in the header' : 'as in line ' + rows[0].line})`,
        file,
      );
    }
  }
  if (body.length === 0) throw new DatasetError(`${file}: no data rows${header ? ' after the header' : ''}`, file);
  return { file, columns, rows: body };
}

function targetIndex(t: Table, target: unknown): number {
  if (typeof target === 'number') {
    const i = target < 0 ? t.columns.length + target : target;
    if (!Number.isInteger(i) || i < 0 || i >= t.columns.length) {
      throw new DatasetError(`${t.file}: target column index ${target} is out of range (the file has ${t.columns.length} columns)`, t.file);
    }
    return i;
  }
  const name = String(target);
  const i = t.columns.indexOf(name);
  if (i < 0) throw new DatasetError(`${t.file}: no column named '${name}' (columns: ${t.columns.join(', ')})`, t.file);
  return i;
}

interface Parsed {
  features: Float32Array;
  nFeatures: number;
  labels: Int32Array | Float32Array;
  count: number;
}

function parseRows(t: Table, ti: number, classes: number | undefined, classNames: string[] | undefined): Parsed {
  const nFeatures = t.columns.length - 1;
  const count = t.rows.length;
  const features = new Float32Array(count * nFeatures);
  const labels = classes !== undefined || classNames ? new Int32Array(count) : new Float32Array(count);
  t.rows.forEach((r, i) => {
    let f = 0;
    r.fields.forEach((s, c) => {
      if (c === ti) return;
      const v = parseNumber(s);
      if (v === undefined) {
        throw new DatasetError(`${t.file}:${r.line}: column '${t.columns[c]}' (${c}): ${s.trim() === '' ? 'empty value' : `'${s}' is not a number`}`, t.file);
      }
      features[i * nFeatures + f++] = v;
    });
    const s = r.fields[ti].trim();
    if (classNames) {
      const k = classNames.indexOf(s);
      if (k < 0) throw new DatasetError(`${t.file}:${r.line}: class '${s}' does not occur in the training data (${classNames.join(', ')})`, t.file);
      labels[i] = k;
    } else {
      const v = parseNumber(s);
      if (v === undefined) throw new DatasetError(`${t.file}:${r.line}: target '${t.columns[ti]}': '${s}' is not a number`, t.file);
      if (classes !== undefined && (!Number.isInteger(v) || v < 0 || v >= classes)) {
        throw new DatasetError(`${t.file}:${r.line}: target '${t.columns[ti]}': ${s} is not a class index 0..${classes - 1}`, t.file);
      }
      labels[i] = v;
    }
  });
  return { features, nFeatures, labels, count };
}

function pick(p: Parsed, idx: ArrayLike<number>): Parsed {
  const features = new Float32Array(idx.length * p.nFeatures);
  const labels = p.labels instanceof Int32Array ? new Int32Array(idx.length) : new Float32Array(idx.length);
  for (let i = 0; i < idx.length; i++) {
    features.set(p.features.subarray(idx[i] * p.nFeatures, (idx[i] + 1) * p.nFeatures), i * p.nFeatures);
    labels[i] = p.labels[idx[i]];
  }
  return { features, nFeatures: p.nFeatures, labels, count: idx.length };
}

/** Indices of the test part of a `count`-row file: a seeded choice of round(count·fraction) rows, kept in file order. */
export function holdoutIndices(count: number, fraction: number, seed: number): { train: Int32Array; test: Int32Array } {
  const perm = shuffledIndices(count, seed);
  const nTest = Math.round(count * fraction);
  const test = perm.slice(0, nTest).sort();
  const train = perm.slice(nTest).sort();
  return { train, test };
}

function tableSplit(p: Parsed, classNames: string[] | undefined, classes: number | undefined, standardize?: { mean: number[]; std: number[] }): DatasetSplit {
  const isClass = p.labels instanceof Int32Array;
  return {
    info: {
      inputShape: [p.nFeatures],
      inputDType: 'f32',
      ...(isClass ? { classes: classNames?.length ?? classes, classNames } : {}),
      targetShape: isClass ? [] : [1],
      ...(standardize ? { standardize } : {}),
    },
    size: p.count,
    slice(start: number, count: number): Batch {
      const n = checkSlice(start, count, p.count);
      const x = p.features.slice(start * p.nFeatures, (start + n) * p.nFeatures);
      const y = p.labels.slice(start, start + n);
      return { x, xShape: [n, p.nFeatures], y, yShape: isClass ? [n] : [n, 1] };
    },
  };
}

export const csv: DatasetDef = {
  name: 'csv',
  doc:
    'A numeric CSV/TSV table: every column but `target` is a float feature (input [features]). The target is a class index ' +
    '(given classes:, or when its values are names, numbered in sorted order) or else a float regression value (target [1]). ' +
    'Without test_path, a seeded test_fraction of the rows is the test split.',
  args: [
    { name: 'path', type: 'string', doc: 'The CSV (comma, semicolon or tab separated; .tsv = tab) file.' },
    { name: 'target', type: ['string', 'int'], default: -1, doc: 'The target column: its header name or its index (negative counts from the end; default the last).' },
    { name: 'header', type: 'bool', default: true, positional: false, doc: 'The first row names the columns.' },
    { name: 'classes', type: 'int', optional: true, min: 2, positional: false, doc: 'Classification with integer targets 0..classes-1.' },
    { name: 'test_path', type: 'string', optional: true, positional: false, doc: 'A separate file for the test split (same columns).' },
    { name: 'test_fraction', type: 'float', default: 0.2, min: 0, max: 0.9, positional: false, doc: 'Without test_path: the share of rows held out as the test split.' },
    { name: 'seed', type: 'int', default: 0, positional: false, doc: 'Seed of the hold-out choice.' },
    { name: 'standardize', type: 'bool', default: false, positional: false, doc: 'Scale each feature to mean 0, std 1 (statistics of the train split).' },
    { name: 'batch', type: 'int', default: 32, min: 1, positional: false, doc: 'Batch size (read by the trainer).' },
    { name: 'shuffle', type: 'bool', default: true, positional: false, doc: 'Reshuffle the training set every epoch (read by the trainer).' },
  ],
  async open(args: Args, ctx: DatasetOpenContext): Promise<DatasetSplit> {
    if (typeof args.path !== 'string') throw new DatasetError('csv: path is required');
    const header = args.header !== false;
    const classes = typeof args.classes === 'number' ? args.classes : undefined;
    const trainTable = readTable(resolveUserPath(args.path, ctx.baseDir), header);
    const ti = targetIndex(trainTable, args.target ?? -1);
    // Class names when the target column holds names rather than numbers (decided on the train file).
    let classNames: string[] | undefined;
    const firstTarget = trainTable.rows[0].fields[ti];
    if (classes === undefined && parseNumber(firstTarget) === undefined) {
      classNames = [...new Set(trainTable.rows.map((r) => r.fields[ti].trim()))].sort();
    }
    let trainPart: Parsed;
    let testPart: Parsed;
    if (typeof args.test_path === 'string') {
      const testTable = readTable(resolveUserPath(args.test_path, ctx.baseDir), header);
      if (testTable.columns.length !== trainTable.columns.length || (header && testTable.columns.join('\0') !== trainTable.columns.join('\0'))) {
        throw new DatasetError(`${testTable.file}: columns (${testTable.columns.join(', ')}) differ from ${path.basename(trainTable.file)} (${trainTable.columns.join(', ')})`, testTable.file);
      }
      trainPart = parseRows(trainTable, ti, classes, classNames);
      testPart = ctx.split === 'test' ? parseRows(testTable, ti, classes, classNames) : trainPart;
    } else {
      const all = parseRows(trainTable, ti, classes, classNames);
      const fraction = typeof args.test_fraction === 'number' ? args.test_fraction : 0.2;
      const { train, test } = holdoutIndices(all.count, fraction, typeof args.seed === 'number' ? args.seed : 0);
      trainPart = pick(all, train);
      testPart = pick(all, test);
      if (ctx.split === 'test' && test.length === 0) {
        throw new DatasetError(`${trainTable.file}: the test split is empty (test_fraction ${fraction} of ${all.count} rows); raise test_fraction or give test_path`, trainTable.file);
      }
    }
    const part = ctx.split === 'train' ? trainPart : testPart;
    let stats: { mean: number[]; std: number[] } | undefined;
    if (args.standardize === true) {
      const d = trainPart.nFeatures;
      stats = { mean: [], std: [] };
      for (let f = 0; f < d; f++) {
        let sum = 0;
        let sq = 0;
        for (let i = 0; i < trainPart.count; i++) sum += trainPart.features[i * d + f];
        const mean = sum / trainPart.count;
        for (let i = 0; i < trainPart.count; i++) sq += (trainPart.features[i * d + f] - mean) ** 2;
        const std = Math.sqrt(sq / trainPart.count) || 1; // a constant column stays 0 instead of NaN
        stats.mean.push(mean);
        stats.std.push(std);
        for (let i = 0; i < part.count; i++) part.features[i * d + f] = (part.features[i * d + f] - mean) / std;
      }
    }
    return tableSplit(part, classNames, classes, stats);
  },
};

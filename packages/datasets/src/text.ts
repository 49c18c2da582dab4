/**
 * `text`: text classification for embeddings + RNNs. Texts become Int32 token ids [max_len]:
 *   tokenize: lowercase, drop HTML tags (IMDB reviews contain `<br />`), split on non-letters;
 *   vocabulary: the train split's words by frequency (ties alphabetical), `<pad>` = 0, `<unk>` = 1,
 *     at most `vocab_size` entries in all — built from train only, so the test split never leaks;
 *   sequences: the first `max_len` tokens, padded with 0 before (`padding: pre`, the default — an
 *     RNN's last state then follows real words) or after (`post`).
 * Sources: a folder in the IMDB aclImdb layout (train/<class>/*.txt, test/<class>/*.txt; classes
 * are the sub-folder names in sorted order, so neg = 0, pos = 1), a TSV/CSV file (a text and a
 * label column), or, without `path`, the embedded 200-sentence sample.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Args, Batch, DatasetDef, DatasetOpenContext, DatasetSplit } from '@dlm/core';
import { DatasetError } from '@dlm/core';
import { holdoutIndices } from './csv.js';
import { parseDelimited, parseNumber } from './delimited.js';
import { checkSlice } from './image.js';
import { readFileOrFail, resolveUserPath } from './io.js';
import { SAMPLE_NEGATIVE, SAMPLE_POSITIVE } from './text-sample.js';

import { buildVocabulary, encodeTokens, tokenize } from './tokens.js';

export { PAD, UNK, tokenize, buildVocabulary, encodeTokens, encodeText, type Vocabulary } from './tokens.js';

interface Labelled {
  texts: string[];
  labels: number[];
}

interface Corpus {
  train: Labelled;
  test: Labelled;
  classNames: string[];
  source: string;
}

function embeddedCorpus(): Corpus {
  const train: Labelled = { texts: [], labels: [] };
  const test: Labelled = { texts: [], labels: [] };
  for (let i = 0; i < SAMPLE_POSITIVE.length; i++) {
    for (const [label, list] of [[1, SAMPLE_POSITIVE], [0, SAMPLE_NEGATIVE]] as const) {
      const part = i % 5 === 4 ? test : train;
      part.texts.push(list[i]);
      part.labels.push(label);
    }
  }
  return { train, test, classNames: ['negative', 'positive'], source: 'the embedded 200-sentence sample' };
}

const byName = (a: string, b: string) => a.localeCompare(b, 'en', { numeric: true });

function readImdbSplit(dir: string, classNames: readonly string[]): Labelled {
  const out: Labelled = { texts: [], labels: [] };
  classNames.forEach((c, k) => {
    const sub = path.join(dir, c);
    if (!fs.existsSync(sub)) throw new DatasetError(`${sub}: missing class folder '${c}' (the train folder has it)`, sub);
    for (const f of fs.readdirSync(sub).filter((n) => n.endsWith('.txt')).sort(byName)) {
      out.texts.push(readFileOrFail(path.join(sub, f)).toString('utf8'));
      out.labels.push(k);
    }
  });
  return out;
}

function folderCorpus(root: string): Corpus {
  const base = fs.existsSync(path.join(root, 'train')) ? root : path.join(root, 'aclImdb');
  const trainDir = path.join(base, 'train');
  if (!fs.existsSync(trainDir)) throw new DatasetError(`${root}: expected the aclImdb layout (train/pos, train/neg, test/pos, test/neg)`, root);
  const classNames = fs
    .readdirSync(trainDir, { withFileTypes: true })
    .filter((e) => e.isDirectory() && e.name !== 'unsup')
    .map((e) => e.name)
    .sort();
  if (classNames.length < 2) throw new DatasetError(`${trainDir}: needs at least two class folders (e.g. pos and neg), found ${classNames.join(', ') || 'none'}`, trainDir);
  return {
    train: readImdbSplit(trainDir, classNames),
    test: fs.existsSync(path.join(base, 'test')) ? readImdbSplit(path.join(base, 'test'), classNames) : { texts: [], labels: [] },
    classNames,
    source: base,
  };
}

const TEXT_NAMES = ['text', 'review', 'sentence', 'content', 'comment'];
const LABEL_NAMES = ['label', 'sentiment', 'class', 'target', 'y', 'polarity'];

function tableTexts(file: string): { texts: string[]; labels: string[]; lines: number[] } {
  const rows = parseDelimited(readFileOrFail(file).toString('utf8'), file);
  if (rows.length === 0) throw new DatasetError(`${file}: the file is empty`, file);
  const head = rows[0].fields.map((f) => f.trim().toLowerCase());
  let ti = head.findIndex((h) => TEXT_NAMES.includes(h));
  let li = head.findIndex((h) => LABEL_NAMES.includes(h));
  let body = rows;
  if (ti >= 0 && li >= 0) body = rows.slice(1);
  else if (rows[0].fields.length === 2) {
    // No recognised header: the label column is the one with fewer distinct values.
    const distinct = [0, 1].map((c) => new Set(rows.map((r) => r.fields[c])).size);
    [li, ti] = distinct[0] <= distinct[1] ? [0, 1] : [1, 0];
  } else {
    throw new DatasetError(`${file}: cannot tell the text and label columns apart; add a header with 'text' and 'label' columns`, file);
  }
  const width = rows[0].fields.length;
  for (const r of body) if (r.fields.length !== width) throw new DatasetError(`${file}:${r.line}: ${r.fields.length} fields, expected ${width}`, file);
  return { texts: body.map((r) => r.fields[ti]), labels: body.map((r) => r.fields[li].trim()), lines: body.map((r) => r.line) };
}

function labelIndex(labels: string[], file: string, lines: number[]): { classNames: string[]; index: (s: string, i: number) => number } {
  const numeric = labels.every((s) => {
    const v = parseNumber(s);
    return v !== undefined && Number.isInteger(v) && v >= 0;
  });
  if (numeric) {
    const max = Math.max(...labels.map(Number));
    return { classNames: Array.from({ length: max + 1 }, (_, i) => String(i)), index: (s) => Number(s) };
  }
  const classNames = [...new Set(labels)].sort();
  return {
    classNames,
    index: (s, i) => {
      const k = classNames.indexOf(s);
      if (k < 0) throw new DatasetError(`${file}:${lines[i]}: label '${s}' does not occur in the training data`, file);
      return k;
    },
  };
}

function fileCorpus(file: string, testFile: string | undefined, fraction: number, seed: number): Corpus {
  const t = tableTexts(file);
  const { classNames, index } = labelIndex(t.labels, file, t.lines);
  if (classNames.length < 2) throw new DatasetError(`${file}: needs at least two classes, found ${classNames.join(', ')}`, file);
  const all: Labelled = { texts: t.texts, labels: t.labels.map((s, i) => index(s, i)) };
  if (testFile) {
    const u = tableTexts(testFile);
    const { index: testIndex } = labelIndex(t.labels, testFile, u.lines);
    return { train: all, test: { texts: u.texts, labels: u.labels.map((s, i) => testIndex(s, i)) }, classNames, source: file };
  }
  const { train, test } = holdoutIndices(all.texts.length, fraction, seed);
  const take = (idx: Int32Array): Labelled => ({ texts: Array.from(idx, (i) => all.texts[i]), labels: Array.from(idx, (i) => all.labels[i]) });
  return { train: take(train), test: take(test), classNames, source: file };
}

export const text: DatasetDef = {
  name: 'text',
  doc:
    'Text classification for embeddings and RNNs: input Int32 token ids [max_len] (<pad> = 0, <unk> = 1, vocabulary by frequency ' +
    'from the train split), integer labels. Reads an IMDB-style folder (train/pos, train/neg, test/…), a TSV/CSV file with text and ' +
    'label columns, or, without path, an embedded sample of 200 labelled review sentences (negative = 0, positive = 1).',
  args: [
    { name: 'path', type: 'string', optional: true, doc: 'An aclImdb-layout folder or a .tsv/.csv file; omit for the embedded sample.' },
    { name: 'max_len', type: 'int', default: 100, min: 1, doc: 'Tokens per sample: longer texts keep their first max_len tokens, shorter ones are padded.' },
    { name: 'vocab_size', type: 'int', default: 5000, min: 3, doc: 'Vocabulary size including <pad> and <unk>; rarer words become <unk>.' },
    { name: 'padding', type: 'enum', values: ['pre', 'post'], default: 'pre', positional: false, doc: "Where <pad> goes: 'pre' (before the text) or 'post'." },
    { name: 'test_path', type: 'string', optional: true, positional: false, doc: 'For a file source: a separate test file (else a seeded test_fraction hold-out).' },
    { name: 'test_fraction', type: 'float', default: 0.2, min: 0, max: 0.9, positional: false, doc: 'For a file source without test_path: the share held out for test.' },
    { name: 'seed', type: 'int', default: 0, positional: false, doc: 'Seed of the hold-out choice.' },
    { name: 'batch', type: 'int', default: 32, min: 1, positional: false, doc: 'Batch size (read by the trainer).' },
    { name: 'shuffle', type: 'bool', default: true, positional: false, doc: 'Reshuffle the training set every epoch (read by the trainer).' },
  ],
  async open(args: Args, ctx: DatasetOpenContext): Promise<DatasetSplit> {
    const maxLen = typeof args.max_len === 'number' ? args.max_len : 100;
    const vocabSize = typeof args.vocab_size === 'number' ? args.vocab_size : 5000;
    const padding = args.padding === 'post' ? 'post' : 'pre';
    let corpus: Corpus;
    if (typeof args.path !== 'string') {
      corpus = embeddedCorpus();
      ctx.log(`text: no path given; using the embedded sample (${corpus.train.texts.length} train / ${corpus.test.texts.length} test sentences)`);
    } else {
      const p = resolveUserPath(args.path, ctx.baseDir);
      let isDir: boolean;
      try {
        isDir = fs.statSync(p).isDirectory();
      } catch {
        throw new DatasetError(`${p}: file not found`, p);
      }
      corpus = isDir
        ? folderCorpus(p)
        : fileCorpus(
            p,
            typeof args.test_path === 'string' ? resolveUserPath(args.test_path, ctx.baseDir) : undefined,
            typeof args.test_fraction === 'number' ? args.test_fraction : 0.2,
            typeof args.seed === 'number' ? args.seed : 0,
          );
    }
    const trainTokens = corpus.train.texts.map(tokenize);
    const vocab = buildVocabulary(trainTokens, vocabSize);
    const part = ctx.split === 'train' ? corpus.train : corpus.test;
    if (part.texts.length === 0) throw new DatasetError(`${corpus.source}: the ${ctx.split} split is empty`, corpus.source);
    const tokens = ctx.split === 'train' ? trainTokens : part.texts.map(tokenize);
    const n = part.texts.length;
    const x = new Int32Array(n * maxLen);
    tokens.forEach((t, i) => encodeTokens(t, vocab, maxLen, padding, x, i * maxLen));
    const y = Int32Array.from(part.labels);
    return {
      info: {
        inputShape: [maxLen],
        inputDType: 'i32',
        classes: corpus.classNames.length,
        classNames: corpus.classNames,
        targetShape: [],
        vocabSize: vocab.words.length,
        // The vocabulary is part of the trained model: predict encodes raw text with it.
        tokenizer: { scheme: 'words', words: vocab.words, maxLen, padding },
      },
      size: n,
      slice(start: number, count: number): Batch {
        const m = checkSlice(start, count, n);
        return { x: x.slice(start * maxLen, (start + m) * maxLen), xShape: [m, maxLen], y: y.slice(start, start + m), yShape: [m] };
      },
    };
  },
};

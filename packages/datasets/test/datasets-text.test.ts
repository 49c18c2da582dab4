import * as fs from 'node:fs';
import * as path from 'node:path';
import { DatasetError, type Args } from '@dlm/core';
import { describe, expect, it } from 'vitest';
import { STD_DATASETS, buildVocabulary, tokenize } from '../src/node.js';
import { ctxFor, tempDir } from './fixtures/datasets-helpers.js';

const text = STD_DATASETS.find((d) => d.name === 'text')!;
function args(extra: Args = {}): Args {
  const a: Args = {};
  for (const s of text.args) if (s.default !== undefined) a[s.name] = s.default;
  return { ...a, ...extra };
}
const rows = (x: Int32Array | Float32Array, width: number) => Array.from({ length: x.length / width }, (_, i) => Array.from(x.subarray(i * width, (i + 1) * width)));

describe('tokenizer and vocabulary', () => {
  it('lowercases, drops HTML tags and splits on non-letters (Unicode letters kept)', () => {
    expect(tokenize("It's GREAT!<br /><br />A café-bar, 10/10.")).toEqual(['it', 's', 'great', 'a', 'café', 'bar']);
  });
  it('orders words by frequency then alphabetically, after <pad> and <unk>, capped at vocab_size', () => {
    const v = buildVocabulary([['b', 'a', 'c', 'a'], ['c', 'd', 'a']], 4);
    expect(v.words).toEqual(['<pad>', '<unk>', 'a', 'c']);
    expect(v.ids.get('c')).toBe(3);
  });
});

describe('text dataset', () => {
  it('the embedded sample: 160 train / 40 test, balanced, Int32 ids with pre-padding', async () => {
    const ctx = ctxFor('train', tempDir());
    const train = await text.open(args({ max_len: 12 }), ctx);
    const test = await text.open(args({ max_len: 12 }), ctxFor('test', tempDir()));
    expect(ctx.logs[0]).toMatch(/embedded sample \(160 train \/ 40 test sentences\)/);
    expect(train.size).toBe(160);
    expect(test.size).toBe(40);
    expect(train.info).toMatchObject({ inputShape: [12], inputDType: 'i32', classes: 2, classNames: ['negative', 'positive'], targetShape: [] });
    const b = train.slice(0, 160);
    expect(b.x).toBeInstanceOf(Int32Array);
    expect(b.xShape).toEqual([160, 12]);
    expect(Array.from(b.y).filter((v) => v === 1)).toHaveLength(80);
    // The first sample: "A wonderful film with a warm heart and a clever script." = 11 tokens → one <pad> first.
    const first = rows(b.x, 12)[0];
    expect(first[0]).toBe(0);
    expect(first.slice(1).every((id) => id >= 2)).toBe(true);
    expect(first[1]).toBe(first[5]); // "a" … "a"
    const vocab = train.info.vocabSize!;
    expect(vocab).toBeGreaterThan(300);
    expect(vocab).toBeLessThan(1000);
    expect(Math.max(...b.x)).toBe(vocab - 1);
    // Test sentences contain words never seen in training → <unk>.
    expect(Array.from(test.slice(0, 40).x)).toContain(1);
  });

  it('truncates to the first max_len tokens; post padding; a tiny vocabulary maps the rest to <unk>', async () => {
    const post = (await text.open(args({ max_len: 20, padding: 'post' }), ctxFor('train', tempDir()))).slice(0, 1);
    const r = Array.from(post.x);
    expect(r.slice(0, 11).every((id) => id >= 2)).toBe(true);
    expect(r.slice(11)).toEqual(new Array(9).fill(0));
    // vocab_size 3 keeps <pad>, <unk> and the most frequent training word, "and".
    const short = await text.open(args({ max_len: 6, vocab_size: 3 }), ctxFor('train', tempDir()));
    expect(short.info.vocabSize).toBe(3);
    // "The acting is superb and the story kept me hooked until the end." (train sample 2) starts "the acting is superb and the"
    expect(Array.from(short.slice(2, 1).x)).toEqual([1, 1, 1, 1, 2, 1]);
  });

  it('reads the IMDB aclImdb layout; classes are the sorted folder names (neg = 0, pos = 1)', async () => {
    const root = tempDir();
    const put = (rel: string, body: string) => {
      fs.mkdirSync(path.dirname(path.join(root, 'aclImdb', rel)), { recursive: true });
      fs.writeFileSync(path.join(root, 'aclImdb', rel), body);
    };
    put('train/pos/0_9.txt', 'Great great movie.<br />Loved it');
    put('train/pos/10_8.txt', 'great fun');
    put('train/neg/1_2.txt', 'Awful movie');
    put('train/unsup/5_0.txt', 'ignored');
    put('test/pos/0_10.txt', 'great');
    put('test/neg/2_1.txt', 'awful awful boring');
    const train = await text.open(args({ path: root, max_len: 4 }), ctxFor('train', tempDir()));
    expect(train.info.classNames).toEqual(['neg', 'pos']);
    expect(train.size).toBe(3);
    // vocab: great(4) movie(2) awful fun it loved → ids 2,3,4,5,6,7
    expect(train.info.vocabSize).toBe(8);
    const b = train.slice(0, 3);
    expect(Array.from(b.y)).toEqual([0, 1, 1]);
    expect(rows(b.x, 4)).toEqual([[0, 0, 4, 3], [2, 2, 3, 7], [0, 0, 2, 5]]);
    const test = await text.open(args({ path: root, max_len: 4 }), ctxFor('test', tempDir()));
    expect(rows(test.slice(0, 2).x, 4)).toEqual([[0, 4, 4, 1], [0, 0, 0, 2]]);
  });

  it('reads a TSV with a header and a CSV with quoted texts; labels by name or integer', async () => {
    const dir = tempDir();
    const tsv = path.join(dir, 'reviews.tsv');
    fs.writeFileSync(tsv, 'sentence\tlabel\n' + Array.from({ length: 10 }, (_, i) => `${i % 2 ? 'good' : 'bad'} film ${i}\t${i % 2}`).join('\n'));
    const train = await text.open(args({ path: tsv }), ctxFor('train', tempDir()));
    expect(train.size).toBe(8);
    expect(train.info.classNames).toEqual(['0', '1']);
    const csvFile = path.join(dir, 'r.csv');
    fs.writeFileSync(csvFile, 'review,sentiment\n"Good, very good",positive\n"Bad, so bad",negative\n"fine",positive\n');
    const all = await text.open(args({ path: csvFile, test_fraction: 0 }), ctxFor('train', tempDir()));
    expect(all.info.classNames).toEqual(['negative', 'positive']);
    expect(Array.from(all.slice(0, 3).y)).toEqual([1, 0, 1]);
    // No header, two columns: the label column is the one with fewer distinct values.
    const bare = path.join(dir, 'bare.tsv');
    fs.writeFileSync(bare, 'pos\tnice one\nneg\tbad one\npos\tlovely\n');
    const b = await text.open(args({ path: bare, test_fraction: 0 }), ctxFor('train', tempDir()));
    expect(b.info.classNames).toEqual(['neg', 'pos']);
  });

  it('bad input is a DatasetError with file and line', async () => {
    const dir = tempDir();
    const f = path.join(dir, 'x.tsv');
    fs.writeFileSync(f, 'text\tlabel\nok\tpos\nbroken line\n');
    await expect(text.open(args({ path: f }), ctxFor('train', tempDir()))).rejects.toThrow(/x\.tsv:3: 1 fields, expected 2/);
    fs.writeFileSync(f, 'a\tb\tc\n1\t2\t3\n');
    await expect(text.open(args({ path: f }), ctxFor('train', tempDir()))).rejects.toThrow(/cannot tell the text and label columns apart/);
    await expect(text.open(args({ path: path.join(dir, 'none') }), ctxFor('train', tempDir()))).rejects.toBeInstanceOf(DatasetError);
    fs.mkdirSync(path.join(dir, 'empty'));
    await expect(text.open(args({ path: path.join(dir, 'empty') }), ctxFor('train', tempDir()))).rejects.toThrow(/expected the aclImdb layout/);
  });
});

/** `chars`: windows of character ids and the same windows shifted by one, the tail as the test split. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { STD_DATASETS } from '../src/node.js';

const chars = STD_DATASETS.find((d) => d.name === 'chars')!;
const ctx = (split: 'train' | 'test', baseDir: string) => ({ split, cacheDir: baseDir, baseDir, log: () => {} });

function textFile(text: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'dlm-chars-'));
  writeFileSync(join(dir, 't.txt'), text);
  return dir;
}

describe('chars dataset', () => {
  it('ids over the sorted characters of the file; targets are the inputs shifted by one; the test split is the tail', async () => {
    const dir = textFile('abcabcabcabcXYZé'); // 16 code points, é outside ASCII
    const train = await chars.open({ path: 't.txt', context: 3, stride: 2, test_fraction: 0.25 }, ctx('train', dir));
    expect(train.info.classNames).toEqual(['X', 'Y', 'Z', 'a', 'b', 'c', 'é']);
    expect(train.info).toMatchObject({ inputShape: [3], targetShape: [3], classes: 7, vocabSize: 7, inputDType: 'i32' });
    // What checkpoints record, so `dlm sample` needs no text file once trained.
    expect(train.info.tokenizer).toEqual({ scheme: 'chars', words: ['X', 'Y', 'Z', 'a', 'b', 'c', 'é'], maxLen: 3, padding: 'pre' });
    // train text: the first 12 characters 'abcabcabcabc' → windows at 0, 2, 4, 6, 8 (each needs 4 characters)
    expect(train.size).toBe(5);
    const b = train.slice(1, 2);
    expect(b.xShape).toEqual([2, 3]);
    expect(Array.from(b.x)).toEqual([5, 3, 4, 4, 5, 3]); // 'cab', 'bca'
    expect(Array.from(b.y)).toEqual([3, 4, 5, 5, 3, 4]); // 'abc', 'cab'
    const test = await chars.open({ path: 't.txt', context: 3, test_fraction: 0.25 }, ctx('test', dir));
    expect(test.size).toBe(1);
    expect(Array.from(test.slice(0, 1).x)).toEqual([0, 1, 2]); // 'XYZ' → 'YZé'
    expect(Array.from(test.slice(0, 1).y)).toEqual([1, 2, 6]);
  });

  it('a split too short for one sample is a dataset error naming the sizes', async () => {
    const dir = textFile('abcdefgh');
    await expect(chars.open({ path: 't.txt', context: 8 }, ctx('train', dir))).rejects.toThrow(/the train split has 7 characters, too few for one sample of context 8/);
  });
});

import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DatasetError, type Args } from '@dlm/core';
import { describe, expect, it } from 'vitest';
import { STD_DATASETS, holdoutIndices, parseDelimited } from '../src/node.js';
import { ctxFor, tempDir } from './fixtures/datasets-helpers.js';

const csv = STD_DATASETS.find((d) => d.name === 'csv')!;
const FLOWERS = fileURLToPath(new URL('./fixtures/datasets/flowers.csv', import.meta.url));
function args(extra: Args): Args {
  const a: Args = {};
  for (const s of csv.args) if (s.default !== undefined) a[s.name] = s.default;
  return { ...a, ...extra };
}
function write(text: string, name = 'data.csv'): string {
  const f = path.join(tempDir(), name);
  fs.writeFileSync(f, text);
  return f;
}
async function error(p: Promise<unknown>): Promise<DatasetError> {
  const e = await p.then(() => undefined, (x: unknown) => x);
  expect(e).toBeInstanceOf(DatasetError);
  return e as DatasetError;
}

describe('parseDelimited', () => {
  it('handles quotes, doubled quotes, CRLF, fields spanning lines, and keeps line numbers', () => {
    const rows = parseDelimited('a,b\r\n"x, y","say ""hi"""\n\n"two\nlines",3\n', 'f.csv');
    expect(rows).toEqual([
      { line: 1, fields: ['a', 'b'] },
      { line: 2, fields: ['x, y', 'say "hi"'] },
      { line: 4, fields: ['two\nlines', '3'] },
    ]);
    expect(parseDelimited('a\tb\n1\t2', 'f.tsv')[1].fields).toEqual(['1', '2']);
    expect(parseDelimited('a;b;c\n1;2;3', 'f.csv')[1].fields).toEqual(['1', '2', '3']);
    expect(() => parseDelimited('a,b\n1,"oops\n2,3\n', 'f.csv')).toThrow(/f\.csv:2: unterminated quoted field/);
  });
});

describe('csv dataset', () => {
  it('class names from a string target, sorted; the quoted header name is a feature; seeded 20% hold-out', async () => {
    const train = await csv.open(args({ path: FLOWERS, target: 'species' }), ctxFor('train', tempDir()));
    const test = await csv.open(args({ path: FLOWERS, target: 'species' }), ctxFor('test', tempDir()));
    expect(train.info).toEqual({ inputShape: [3], inputDType: 'f32', classes: 3, classNames: ['setosa', 'versicolor', 'virginica'], targetShape: [] });
    expect(train.size).toBe(8);
    expect(test.size).toBe(2);
    const { train: ti, test: te } = holdoutIndices(10, 0.2, 0);
    expect([...ti, ...te].sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    // Row r of the file is [petal_length, petal_width, sepal length] → species
    const rows = fs.readFileSync(FLOWERS, 'utf8').trim().split('\n').slice(1).map((l) => l.split(','));
    const names = ['setosa', 'versicolor', 'virginica'];
    const b = test.slice(0, 2);
    expect(b.y).toBeInstanceOf(Int32Array);
    expect(b.xShape).toEqual([2, 3]);
    te.forEach((r, i) => {
      expect(Array.from(b.x.subarray(i * 3, i * 3 + 3))).toEqual(rows[r].slice(0, 3).map((v) => Math.fround(Number(v))));
      expect(b.y[i]).toBe(names.indexOf(rows[r][3]));
    });
  });

  it('integer classes by index, a float regression target, and no header', async () => {
    const f = write('1,2,0\n3,4,1\n5,6,2\n7,8,1\n9,10,0\n');
    const cls = await csv.open(args({ path: f, target: 2, header: false, classes: 3, test_fraction: 0 }), ctxFor('train', tempDir()));
    expect(cls.info.classes).toBe(3);
    expect(Array.from(cls.slice(0, 5).y)).toEqual([0, 1, 2, 1, 0]);
    const reg = await csv.open(args({ path: f, target: 0, header: false, test_fraction: 0 }), ctxFor('train', tempDir()));
    expect(reg.info).toEqual({ inputShape: [2], inputDType: 'f32', targetShape: [1] });
    const b = reg.slice(1, 2);
    expect(b.y).toBeInstanceOf(Float32Array);
    expect(b.yShape).toEqual([2, 1]);
    expect(Array.from(b.y)).toEqual([3, 5]);
    expect(Array.from(b.x)).toEqual([4, 1, 6, 2]);
  });

  it('test_path gives the test split; standardize uses the train statistics', async () => {
    const trainFile = write('x,y\n1,0\n3,1\n', 'train.csv');
    const testFile = write('x,y\n5,1\n', 'test.csv');
    const a = args({ path: trainFile, test_path: testFile, classes: 2, standardize: true });
    const train = (await csv.open(a, ctxFor('train', tempDir()))).slice(0, 2);
    const test = (await csv.open(a, ctxFor('test', tempDir()))).slice(0, 1);
    expect(Array.from(train.x)).toEqual([-1, 1]); // mean 2, std 1
    expect(Array.from(test.x)).toEqual([3]);
    const other = write('a,b\n5,1\n');
    expect((await error(csv.open(args({ path: trainFile, test_path: other }), ctxFor('test', tempDir())))).message).toMatch(/columns \(a, b\) differ from train\.csv \(x, y\)/);
  });

  it('malformed rows are DatasetErrors with file:line', async () => {
    const f = write('a,b,label\n1,2,0\n1,oops,1\n');
    let e = await error(csv.open(args({ path: f, classes: 2 }), ctxFor('train', tempDir())));
    expect(e.message).toBe(`${f}:3: column 'b' (1): 'oops' is not a number`);
    expect(e.file).toBe(f);
    e = await error(csv.open(args({ path: write('a,b,label\n1,2,0\n1,2\n'), classes: 2 }), ctxFor('train', tempDir())));
    expect(e.message).toMatch(/:3: 2 fields, expected 3 \(as in the header\)$/);
    e = await error(csv.open(args({ path: write('a,b,label\n1,,0\n'), classes: 2 }), ctxFor('train', tempDir())));
    expect(e.message).toMatch(/:2: column 'b' \(1\): empty value$/);
    e = await error(csv.open(args({ path: write('a,label\n1,0\n2,7\n'), classes: 2 }), ctxFor('train', tempDir())));
    expect(e.message).toMatch(/:3: target 'label': 7 is not a class index 0\.\.1$/);
    e = await error(csv.open(args({ path: write('a,label\n1,0\n2,1e999\n') }), ctxFor('train', tempDir())));
    expect(e.message).toMatch(/:3: target 'label': '1e999' is not a number$/);
    e = await error(csv.open(args({ path: f, target: 'lable' }), ctxFor('train', tempDir())));
    expect(e.message).toMatch(/no column named 'lable' \(columns: a, b, label\)/);
    e = await error(csv.open(args({ path: f, target: 5 }), ctxFor('train', tempDir())));
    expect(e.message).toMatch(/target column index 5 is out of range \(the file has 3 columns\)/);
    e = await error(csv.open(args({ path: write('a,b\n') }), ctxFor('train', tempDir())));
    expect(e.message).toMatch(/no data rows after the header/);
    e = await error(csv.open(args({ path: '/nonexistent/x.csv' }), ctxFor('train', tempDir())));
    expect(e.message).toBe('/nonexistent/x.csv: file not found');
  });
});

import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { expectGolden, goldenUpdating } from '../src/index.js';

const dir = mkdtempSync(join(tmpdir(), 'dlm-golden-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const compare = { env: {} };
const update = { env: { UPDATE: '1' } };

describe('expectGolden', () => {
  it('fails on a missing golden and does not write it', () => {
    const file = join(dir, 'missing.txt');
    expect(() => expectGolden(file, 'text', compare)).toThrow(/golden file .*missing\.txt is missing; run the test with UPDATE=1/);
    expect(existsSync(file)).toBe(false);
  });
  it('fails when the text differs and leaves the golden alone', () => {
    const file = join(dir, 'differs.txt');
    writeFileSync(file, 'old\n');
    expect(() => expectGolden(file, 'new\n', compare)).toThrow(/differs from the golden file/);
    expect(readFileSync(file, 'utf8')).toBe('old\n');
  });
  it('passes when the text matches', () => {
    const file = join(dir, 'same.txt');
    writeFileSync(file, 'same\n');
    expectGolden(file, 'same\n', compare);
  });
  it('writes (and creates folders) only when UPDATE=1 or UPDATE_GOLDEN=1', () => {
    const file = join(dir, 'sub', 'new.txt');
    expectGolden(file, 'fresh\n', update);
    expect(readFileSync(file, 'utf8')).toBe('fresh\n');
    expect(goldenUpdating({ UPDATE_GOLDEN: '1' })).toBe(true);
    expect(goldenUpdating({ UPDATE: '0' })).toBe(false);
    expect(goldenUpdating({})).toBe(false);
  });
});

/** Golden-file comparison: `UPDATE_GOLDEN=1 npx vitest run` rewrites the files instead. */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { expect } from 'vitest';

export function expectGolden(file: string, actual: string): void {
  if (process.env['UPDATE_GOLDEN'] === '1' || !existsSync(file)) {
    if (process.env['UPDATE_GOLDEN'] !== '1') throw new Error(`missing golden file ${file}; run with UPDATE_GOLDEN=1 to create it`);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, actual);
    return;
  }
  expect(actual).toBe(readFileSync(file, 'utf8'));
}

/** Golden-file comparison: `UPDATE_GOLDEN=1 npx vitest run` rewrites the files instead of comparing. */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { expect } from 'vitest';

export function expectGolden(name: string, actual: string): void {
  const url = new URL(`./golden/${name}`, import.meta.url);
  if (process.env['UPDATE_GOLDEN'] === '1') {
    writeFileSync(url, actual);
    return;
  }
  if (!existsSync(url)) throw new Error(`golden file test/golden/${name} is missing; run with UPDATE_GOLDEN=1 to create it`);
  expect(actual).toBe(readFileSync(url, 'utf8'));
}

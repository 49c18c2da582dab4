/**
 * The one golden-file comparison. A golden never blesses itself: a missing file fails the test,
 * and only `UPDATE=1` (or the older `UPDATE_GOLDEN=1`) writes or rewrites one, so a reviewer sees
 * every new or changed golden in the diff.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';

export interface GoldenOptions {
  /** Environment to read the update switch from (tests of this helper pass their own). */
  env?: Record<string, string | undefined>;
}

/** Whether this run writes goldens instead of comparing with them. */
export function goldenUpdating(env: Record<string, string | undefined> = process.env): boolean {
  return env['UPDATE'] === '1' || env['UPDATE_GOLDEN'] === '1';
}

/** Compares `actual` with the golden file `file` (a path or a file: URL). */
export function expectGolden(file: string | URL, actual: string, opts: GoldenOptions = {}): void {
  const path = typeof file === 'string' ? file : fileURLToPath(file);
  if (goldenUpdating(opts.env)) {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, actual);
    return;
  }
  if (!existsSync(path)) {
    throw new Error(`golden file ${relative(process.cwd(), path)} is missing; run the test with UPDATE=1 to write it, then review it`);
  }
  expect(actual, `differs from the golden file ${relative(process.cwd(), path)} (UPDATE=1 rewrites it)`).toBe(readFileSync(path, 'utf8'));
}

/**
 * Every public package passes `npm publish --dry-run` without a warning, with complete metadata,
 * its LICENSE and README, and no export, bin or source map pointing at an unshipped file.
 * Needs the packages built (dist/), as after `npm ci`.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { checkPackage, publicPackages } from '../check-pack.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));

describe('check-pack', () => {
  it('finds the public packages', () => {
    const dirs = publicPackages();
    expect(dirs).toContain('packages/core');
    expect(dirs).toContain('apps/cli');
    expect(dirs).not.toContain('apps/playground');
  });

  it.each(publicPackages())('%s is publishable', (dir) => {
    expect(checkPackage(dir)).toEqual([]);
  }, 60_000);

  it('rejects a package with missing metadata and maps or exports pointing at unshipped files', () => {
    const problems = checkPackage(path.join(here, 'fixtures', 'pack-bad')).join('\n');
    expect(problems).toMatch(/lacks "license"/);
    expect(problems).toMatch(/lacks "repository"/);
    expect(problems).toMatch(/publishConfig\.access/);
    expect(problems).toMatch(/LICENSE is not in the tarball/);
    expect(problems).toMatch(/export target \.\/src\/index\.ts is not in the tarball/);
    expect(problems).toMatch(/dist\/index\.js\.map maps to \.\.\/src\/index\.ts, which is not in the tarball/);
  }, 60_000);
});

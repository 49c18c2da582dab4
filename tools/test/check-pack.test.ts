/**
 * Every public package passes `npm publish --dry-run` without a warning, with complete metadata,
 * its LICENSE and README, and no export, bin or source map pointing at an unshipped file.
 * Needs the packages built (dist/), as after `npm ci`.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { checkPackage, metadataProblems, publicPackages } from '../check-pack.mjs';

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

  it('takes the repository URL from the root package.json only: a package that disagrees is named', () => {
    const root = JSON.parse(readFileSync(path.join(here, '../../package.json'), 'utf8')) as { homepage: string; repository: { url: string }; bugs: { url: string } };
    const web = root.homepage.replace(/#readme$/, '');
    const agreeing = { repository: { type: 'git', url: root.repository.url, directory: 'packages/x' }, homepage: `${web}/tree/main/packages/x#readme`, bugs: { url: root.bugs.url } };
    expect(metadataProblems(agreeing, 'packages/x', `see [docs](${web}/tree/main/docs/a.md)`)).toEqual([]);
    const problems = metadataProblems(
      { repository: { type: 'git', url: 'git+https://elsewhere.test/dlm.git', directory: 'packages/y' }, homepage: 'https://elsewhere.test/dlm', bugs: { url: 'https://elsewhere.test/issues' } },
      'packages/x',
      'see [docs](https://elsewhere.test/dlm/blob/main/docs/a.md)',
    ).join('\n');
    expect(problems).toMatch(/^repository\.url is "git\+https:\/\/elsewhere\.test\/dlm\.git", but the root package\.json says /m);
    expect(problems).toMatch(/^repository\.directory is "packages\/y", but the root package\.json says "packages\/x"/m);
    expect(problems).toMatch(/^homepage is /m);
    expect(problems).toMatch(/^bugs\.url is /m);
    expect(problems).toMatch(/^README\.md links to https:\/\/elsewhere\.test\/dlm\/blob\/main\/docs\/a\.md, outside the repository/m);
  });

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

/**
 * Keeps docs/plugins.md true: every plugin diagnostic code is in its table, its .dlm walkthrough
 * is the example model verbatim (and compiles), and every repository path it names exists.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MESSAGES } from '@dlm/core';
import { compileClean, PACKAGE_DIR } from './helpers/compile.js';

const REPO = join(PACKAGE_DIR, '../../..');
const guide = readFileSync(join(REPO, 'docs/plugins.md'), 'utf8');

describe('docs/plugins.md', () => {
  it('documents every DLM8xxx code in its table', () => {
    const codes = Object.keys(MESSAGES).filter((c) => c.startsWith('DLM8'));
    expect(codes.length).toBeGreaterThanOrEqual(10);
    for (const c of codes) expect(guide, c).toMatch(new RegExp(`^\\| ${c} \\|`, 'm'));
  });

  it('walks through the example model verbatim, and it compiles', () => {
    const blocks = [...guide.matchAll(/```\n(model [\s\S]*?)```/g)].map((m) => m[1]!);
    expect(blocks).toHaveLength(1);
    const example = readFileSync(join(PACKAGE_DIR, 'examples/stripes.dlm'), 'utf8');
    expect(example.endsWith(blocks[0]!)).toBe(true);
    expect(compileClean(blocks[0]!).program.models[0]!.name).toBe('StripesSeNet');
  });

  it('names only files and folders that exist', () => {
    const paths = [...guide.matchAll(/`((?:packages|examples)\/[^`\s]+)`/g)].map((m) => m[1]!);
    expect(paths.length).toBeGreaterThan(3);
    // Paths are from the repository root, or (examples/stripes.dlm, …) from the example package.
    for (const p of paths) expect(existsSync(join(REPO, p)) || existsSync(join(PACKAGE_DIR, p)), p).toBe(true);
    for (const f of ['src/layers/swish.ts', 'src/layers/squeeze-excite.ts', 'src/datasets/png.ts', 'scripts/make-fixtures.ts', 'fixtures/stripes']) {
      expect(guide).toContain(f);
      expect(existsSync(join(PACKAGE_DIR, f)), f).toBe(true);
    }
  });

  it('quotes the example config and the layer code as they are', () => {
    const config = JSON.parse(readFileSync(join(PACKAGE_DIR, 'examples/dlm.config.json'), 'utf8')) as { plugins: string[] };
    expect(guide).toContain(`{ "plugins": ${JSON.stringify(config.plugins).replace(/,/g, ', ')} }`);
    const swish = readFileSync(join(PACKAGE_DIR, 'src/layers/swish.ts'), 'utf8');
    const expandLines = guide.slice(guide.indexOf('  expand(ctx, [x], args) {'), guide.indexOf("  shape: ([x]) => [x!],")).split('\n').filter((l) => l.trim());
    expect(expandLines.length).toBeGreaterThan(8);
    for (const l of expandLines) {
      if (l.trim().startsWith('//')) continue;
      expect(swish, l).toContain(l.trim());
    }
  });
});

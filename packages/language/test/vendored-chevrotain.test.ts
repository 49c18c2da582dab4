/**
 * The built package loads Chevrotain's single-file ES module (scripts/vendor-chevrotain.mjs,
 * src/chevrotain.ts): the same version as the installed package, every name the sources use,
 * and the same behaviour (a parse through dist equals one through src).
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { describe, expect, test } from 'vitest';
import { VERSION } from 'chevrotain';
import { parse } from '../src/index.js';

const pkg = dirname(dirname(fileURLToPath(import.meta.url)));
const dist = join(pkg, 'dist');
const built = existsSync(join(dist, 'chevrotain.js'));
if (!built) console.warn('vendored-chevrotain: skipped, packages/language/dist is not built (npx nx run @dlm/language:build)');

describe.skipIf(!built && !process.env['CI'])('dist loads the vendored Chevrotain', () => {
  // VERSION from 'chevrotain' is the installed package's entry (lib/src), not the bundle.
  test('dist/chevrotain.js re-exports the vendored bundle of the installed version', async () => {
    expect(readFileSync(join(dist, 'chevrotain.js'), 'utf8')).toMatch(/from '\.\/vendor\/chevrotain\.mjs'/);
    const vendored = (await import(pathToFileURL(join(dist, 'vendor/chevrotain.mjs')).href)) as { VERSION: string };
    expect(vendored.VERSION).toBe(VERSION);
    expect(existsSync(join(dist, 'vendor/chevrotain.LICENSE.txt'))).toBe(true);
  });

  test('a parse through dist equals a parse through the sources', async () => {
    const text = readFileSync(join(pkg, '../../examples/mnist/mnist_cnn.dlm'), 'utf8') + '\nmodel Broken {\n  input x: f32[batch, 4]\n  y = x |> dense(\n}\n';
    const built = (await import(pathToFileURL(join(dist, 'index.js')).href)) as { parse: typeof parse };
    expect(JSON.stringify(built.parse(text, 'm.dlm'))).toBe(JSON.stringify(parse(text, 'm.dlm')));
  });
});

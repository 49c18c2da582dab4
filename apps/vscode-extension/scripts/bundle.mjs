// Bundles the compiled extension with vscode-languageclient into one CommonJS file, so the .vsix
// needs no node_modules (it is packaged with `vsce package --no-dependencies`). `vscode` is
// provided by the editor at run time.
import { build } from 'esbuild';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
await build({
  entryPoints: [join(root, 'dist/tsc/extension.js')],
  outfile: join(root, 'dist/extension.js'),
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node18',
  minify: true,
  external: ['vscode'],
  logLevel: 'warning',
});

// After tsc: dist/chevrotain.js re-exports Chevrotain's own single-file ES module instead of its
// package entry (≈680 lodash-es modules, ~0.4 s per process start). See src/chevrotain.ts.
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const pkg = dirname(dirname(fileURLToPath(import.meta.url)));
const entry = createRequire(join(pkg, 'package.json')).resolve('chevrotain'); // …/chevrotain/lib/src/api.js
const bundle = join(dirname(dirname(entry)), 'chevrotain.mjs');
const compiled = readFileSync(join(pkg, 'dist/chevrotain.js'), 'utf8');
const names = /export \{([^}]*)\} from 'chevrotain'/.exec(compiled)?.[1];
if (!names) throw new Error(`dist/chevrotain.js: no "export { … } from 'chevrotain'" to redirect:\n${compiled}`);
const text = readFileSync(bundle, 'utf8').replace(/\n\/\/# sourceMappingURL=.*\n?$/, '\n');
for (const name of names.split(',').map((n) => n.trim())) {
  if (!new RegExp(`^  ${name},?$`, 'm').test(text)) throw new Error(`${bundle} does not export ${name}`);
}
mkdirSync(join(pkg, 'dist/vendor'), { recursive: true });
writeFileSync(join(pkg, 'dist/vendor/chevrotain.mjs'), text);
copyFileSync(join(dirname(bundle), '..', 'LICENSE.txt'), join(pkg, 'dist/vendor/chevrotain.LICENSE.txt'));
writeFileSync(join(pkg, 'dist/chevrotain.js'), compiled.replace("from 'chevrotain'", "from './vendor/chevrotain.mjs'"));

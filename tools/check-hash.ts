/**
 * A fingerprint of what `dlm check` produces, to prove that a speed change left it the same: for
 * each case, a SHA-256 of the compiled program (IR with spans), the diagnostics and the main
 * file's AST, one line per case, then a hash of all of them. Run it before and after a change and
 * diff the outputs (any difference names the case):
 *
 *   node --conditions=@dlm/source --import tsx tools/check-hash.ts > before.txt   # src/ through tsx
 *   node --import tsx tools/check-hash.ts > after.txt                           # or the built dist/
 *
 * Cases: every example, every program of the invalid corpus (packages/language/test/invalid),
 * 40 truncations and 25 seeded mutations of each example (the fuzz harness's mutator), the fuzz
 * harness's pathological inputs, and generated `dense |> relu` models of 20,000 layers (the
 * check-scaling bench's) and of 2,000 layers with every 7th layer misspelt.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { compileSource, type CompileOutput } from '@dlm/language';
import { generateModel } from './bench/check-scaling.js';
import { EXAMPLES, mutate, pathological, rng } from '../packages/language/test/fuzz-harness.js';
import { makeRegistry } from '../packages/language/test/helpers.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const registry = makeRegistry();

function fingerprint(out: CompileOutput): string {
  const h = createHash('sha256');
  h.update(JSON.stringify(out.program));
  h.update('\0');
  h.update(JSON.stringify(out.diagnostics));
  h.update('\0');
  h.update(JSON.stringify(out.main?.ast ?? null));
  return h.digest('hex').slice(0, 16);
}

const cases: { name: string; text: string; file: string }[] = [];
for (const e of EXAMPLES) {
  cases.push({ name: e.file, text: e.text, file: e.file });
  for (let k = 1; k <= 40; k++) {
    const cut = Math.floor((e.text.length * k) / 41);
    cases.push({ name: `${e.file} cut at ${cut}`, text: e.text.slice(0, cut), file: e.file });
  }
  const rand = rng(15);
  for (let k = 0; k < 25; k++) cases.push({ name: `${e.file} mutation ${k}`, text: mutate(e.text, rand), file: e.file });
}
const invalid = path.join(ROOT, 'packages/language/test/invalid');
for (const f of fs.readdirSync(invalid).filter((f) => f.endsWith('.dlm')).sort()) {
  cases.push({ name: `invalid/${f}`, text: fs.readFileSync(path.join(invalid, f), 'utf8'), file: `invalid/${f}` });
}
for (const p of pathological(1)) cases.push({ name: `pathological: ${p.name}`, text: p.text, file: 'pathological.dlm' });
cases.push({ name: 'generated 20,000 layers', text: generateModel(20000), file: 'big.dlm' });
// Model outputs made inside blocks, repeats and loops, and outputs that are inputs or other
// outputs: the GraphBuilder renames the producing value to the declared name in nodes and records.
const renames = [
  `block Inner(n: int) {\n  input x\n  output y\n  y = x |> dense(n) |> relu\n}\nblock Outer(n: int) {\n  input x\n  output y\n  y = x |> Inner(n) |> Inner(n)\n}\n`,
  `model A {\n  input x: f32[batch, 8]\n  output y: f32[batch, 8]\n  y = x |> dense(8) |> Outer(8)\n}\n`,
  `model B {\n  input x: f32[batch, 8]\n  output y: f32[batch, 8]\n  y = x |> repeat 3 { Inner(8) }\n}\n`,
  `model C {\n  input x: f32[batch, 8]\n  output y: f32[batch, 8]\n  output z: f32[batch, 8]\n  h = x |> relu\n  for i in 0..3 {\n    h = h |> dense(8) |> relu\n  }\n  y = h\n  z = h\n}\n`,
  `model D {\n  input x: f32[batch, 8]\n  output y: f32[batch, 8]\n  output z: f32[batch, 8]\n  y = x\n  z = x |> Outer(8)\n}\n`,
  `model E {\n  input x: f32[batch, 8]\n  output y: f32[batch, 8]\n  h = x |> Outer(8)\n  y = h + (h |> Inner(8))\n}\n`,
].join('\n');
cases.push({ name: 'renamed outputs (blocks, repeats, loops, inputs)', text: renames, file: 'renames.dlm' });
const typos = generateModel(2000).replace(/relu/g, (m, at: number) => (at % 7 === 0 ? 'relv' : m));
cases.push({ name: 'generated 2,000 layers with typos', text: typos, file: 'typos.dlm' });

// Imports resolve against the repository (examples import nothing outside it); a missing file is undefined.
const readFile = (p: string): string | undefined => {
  try {
    return fs.readFileSync(path.resolve(ROOT, p), 'utf8');
  } catch {
    return undefined;
  }
};
const all = createHash('sha256');
for (const c of cases) {
  const line = `${fingerprint(compileSource(c.text, c.file, { registry, readFile, baseDir: ROOT, projectRoot: ROOT }))} ${c.name}`;
  all.update(line + '\n');
  console.log(line);
}
console.log(`${all.digest('hex').slice(0, 16)} all ${cases.length} cases`);

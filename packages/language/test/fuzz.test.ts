/**
 * Robustness: thousands of seeded mutations of the examples (token deletions, duplications,
 * swaps, replacements, random characters, truncation) must never make parse, compile or format
 * throw, and format stays idempotent whenever it succeeds. Pathologically deep or long input
 * must produce diagnostics, not stack overflows.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { compileSource, format, lex, MAX_NESTING } from '../src/index.js';
import { makeRegistry, structuralProblems } from './helpers.js';
import { mulberry32 as rng } from '@dlm/core';

const here = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(here, '../../..');
const EXAMPLES = ['mlp/mlp', 'mnist/mnist_cnn', 'text/lstm_classifier', 'sequence/gru_sequence', 'gan/dcgan', 'resnet/resnet_cifar', 'vgg/vgg11', 'transformer/char_gpt', 'vit/vit_mnist', 'text/transformer_classifier'].map((e) => ({
  file: `examples/${e}.dlm`,
  text: fs.readFileSync(path.join(ROOT, `examples/${e}.dlm`), 'utf8'),
}));
const registry = makeRegistry();
const noImports = () => undefined;

const RANDOM_CHARS = '(){}[],:;=+-*/%|>@#$"\'\\.0123456789abcxyz_ \n\t';

function mutate(text: string, rand: () => number): string {
  const tokens = lex(text, 'x.dlm').tokens;
  const pick = (n: number) => Math.floor(rand() * n);
  const k = 1 + pick(3);
  let out = text;
  for (let m = 0; m < k; m++) {
    const toks = lex(out, 'x.dlm').tokens;
    if (toks.length === 0) break;
    const t = toks[pick(toks.length)]!;
    const s = t.startOffset;
    const e = s + t.image.length;
    switch (pick(6)) {
      case 0: // delete a token
        out = out.slice(0, s) + out.slice(e);
        break;
      case 1: // duplicate a token
        out = out.slice(0, e) + ' ' + t.image + out.slice(e);
        break;
      case 2: {
        // swap with the next token
        const next = toks[toks.indexOf(t) + 1];
        if (next) out = out.slice(0, s) + next.image + out.slice(e, next.startOffset) + t.image + out.slice(next.startOffset + next.image.length);
        break;
      }
      case 3: {
        // replace with a token from elsewhere in the original
        const other = tokens[pick(tokens.length)]!;
        out = out.slice(0, s) + other.image + out.slice(e);
        break;
      }
      case 4: {
        // insert random characters
        const at = pick(out.length + 1);
        let ins = '';
        for (let i = 0, n = 1 + pick(3); i < n; i++) ins += RANDOM_CHARS[pick(RANDOM_CHARS.length)];
        out = out.slice(0, at) + ins + out.slice(at);
        break;
      }
      case 5: // truncate
        out = out.slice(0, pick(out.length + 1));
        break;
    }
  }
  return out;
}

/** A hang detector only (speed is measured in tools/bench): far above the ~ms a file takes. */
const HANG_MS = 5000;

describe('fuzz', () => {
  it('3000 mutated examples: compile and format never throw; format stays idempotent', () => {
    const rand = rng(20261129);
    let withErrors = 0;
    for (let i = 0; i < 3000; i++) {
      const ex = EXAMPLES[i % EXAMPLES.length]!;
      const text = mutate(ex.text, rand);
      const t0 = performance.now();
      let out;
      try {
        out = compileSource(text, ex.file, { registry, readFile: noImports });
      } catch (e) {
        throw new Error(`compile threw on mutation ${i} of ${ex.file}:\n${text}\n${String((e as Error).stack)}`);
      }
      expect(performance.now() - t0).toBeLessThan(HANG_MS);
      for (const d of out.diagnostics) expect(d.code, text).toMatch(/^DLM\d{4}$/);
      if (out.diagnostics.some((d) => d.severity === 'error')) withErrors++;
      else expect(structuralProblems(out.program), text).toEqual([]);
      let f;
      try {
        f = format(text, ex.file);
      } catch (e) {
        throw new Error(`format threw on mutation ${i} of ${ex.file}:\n${text}\n${String((e as Error).stack)}`);
      }
      if (f.result !== undefined) {
        const again = format(f.result, ex.file);
        expect(again.result, `format not idempotent on mutation ${i}:\n${text}`).toBe(f.result);
      }
    }
    // The mutations really do break programs (otherwise this test would prove little).
    expect(withErrors).toBeGreaterThan(1500);
  }, 300_000);

  it('1000 examples with comments inserted anywhere: format keeps every comment and is idempotent', () => {
    const rand = rng(42);
    const texts = (s: string) => lex(s, 'c.dlm').comments.map((c) => c.text.trim()).sort();
    for (let i = 0; i < 1000; i++) {
      const ex = EXAMPLES[i % EXAMPLES.length]!;
      let text = ex.text;
      for (let k = 0, n = 1 + Math.floor(rand() * 4); k < n; k++) {
        const toks = lex(text, 'c.dlm').tokens;
        const t = toks[Math.floor(rand() * toks.length)]!;
        const at = rand() < 0.5 ? t.startOffset : t.startOffset + t.image.length;
        text = text.slice(0, at) + (rand() < 0.5 ? ` // note ${i}.${k}\n` : ` /* note ${i}.${k} */ `) + text.slice(at);
      }
      const once = format(text, ex.file).result!;
      expect(once, text).toBeDefined();
      expect(texts(once), text).toEqual(texts(text));
      expect(format(once, ex.file).result, text).toBe(once);
    }
  }, 300_000);

  const deep: [string, string][] = [
    ['10,000 nested parentheses', `let a = ${'('.repeat(10000)}1${')'.repeat(10000)}\n`],
    ['10,000 nested lists', `let a = ${'['.repeat(10000)}${']'.repeat(10000)}\n`],
    ['10,000 nested braces', `model M ${'{'.repeat(10000)}${'}'.repeat(10000)}\n`],
    ['10,000 nested repeats', `model M {\n input x: f32[batch, 2]\n output y: f32[batch, 2]\n y = x |> ${'repeat 1 { '.repeat(10000)}relu${' }'.repeat(10000)}\n}\n`],
    ['unclosed 10,000 parentheses', `let a = ${'('.repeat(10000)}\n`],
  ];
  for (const [name, text] of deep) {
    it(`${name}: a nesting diagnostic, no stack overflow`, () => {
      const out = compileSource(text, 'deep.dlm', { registry, readFile: noImports });
      expect(out.diagnostics.map((d) => d.code)).toContain('DLM1005');
      expect(out.diagnostics.find((d) => d.code === 'DLM1005')!.message).toContain(String(MAX_NESTING));
      expect(format(text, 'deep.dlm').result).toBeUndefined();
    });
  }

  it('long chains of constants, blocks and imports: a depth diagnostic, no stack overflow', () => {
    let lets = '';
    for (let i = 0; i < 5000; i++) lets += `let a${i} = a${i + 1} + 1\n`;
    lets += 'let a5000 = 0\n';
    expect(compileSource(lets, 'lets.dlm', { registry, readFile: noImports }).diagnostics.map((d) => d.code)).toEqual(['DLM2044']);

    let blocks = '';
    for (let i = 0; i < 1000; i++) blocks += `block B${i}() {\n  input x\n  output y\n  y = x |> B${i + 1}\n}\n`;
    blocks += 'block B1000() {\n  input x\n  output y\n  y = x |> relu\n}\n';
    blocks += 'model M {\n  input x: f32[batch, 2]\n  output y: f32[batch, 2]\n  y = x |> B0\n}\n';
    expect(compileSource(blocks, 'blocks.dlm', { registry, readFile: noImports }).diagnostics.map((d) => d.code)).toEqual(['DLM2044']);

    const files: Record<string, string> = {};
    for (let i = 0; i < 1000; i++) files[`f${i}.dlm`] = `import "f${i + 1}.dlm"\n`;
    files['f1000.dlm'] = 'let x = 1\n';
    const out = compileSource(files['f0.dlm']!, 'f0.dlm', { registry, readFile: (p) => files[p] });
    expect(out.diagnostics.map((d) => d.code)).toEqual(['DLM2044']);
  }, 60_000);

  it('long flat input (10,000 unary minuses, a 10,000-term sum, a 2,000-stage pipeline) compiles', () => {
    const text = [
      `let a = ${'-'.repeat(10000)}1`,
      `let b = ${Array(10000).fill('1').join(' + ')}`,
      'model M {',
      '  input x: f32[batch, 2]',
      '  output y: f32[batch, 2]',
      `  y = x${' |> relu'.repeat(2000)}`,
      '}',
    ].join('\n');
    const out = compileSource(text, 'long.dlm', { registry, readFile: noImports });
    expect(out.diagnostics).toEqual([]);
    expect(out.program.models[0]!.nodes.length).toBe(2000);
    const f = format(text, 'long.dlm');
    expect(format(f.result!, 'long.dlm').result).toBe(f.result);
  }, 60_000);
});

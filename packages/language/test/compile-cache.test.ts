/**
 * CompileCache (src/compile-cache.ts): compiling with the cache an editor keeps gives exactly what
 * compiling without it gives — the same program (spans included) and the same diagnostics — over
 * editing sessions on every example and every file of the invalid corpus: recompiling unchanged
 * text, lines inserted above models (their graphs are reused with shifted spans), edits that keep
 * the file valid (re-parsed only where they changed), and seeded random one-character edits anywhere.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { CompileCache, compileSource, type CompileOutput } from '../src/index.js';
import { CORPUS_FILES, makeRegistry } from './helpers.js';
import { mulberry32 as rng } from '@dlm/core';

const here = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(here, '../../..');
const registry = makeRegistry();
const readFile = (p: string) => {
  try {
    return fs.readFileSync(path.isAbsolute(p) ? p : path.join(ROOT, p), 'utf8');
  } catch {
    return undefined;
  }
};

const FILES = CORPUS_FILES;

function same(cached: CompileOutput, fresh: CompileOutput): void {
  expect(JSON.stringify(cached.main?.ast)).toBe(JSON.stringify(fresh.main?.ast));
  expect(JSON.stringify(cached.program)).toBe(JSON.stringify(fresh.program));
  expect(JSON.stringify(cached.diagnostics)).toBe(JSON.stringify(fresh.diagnostics));
}

function check(text: string, file: string, cache: CompileCache): void {
  const opts = { registry, readFile, baseDir: ROOT };
  same(compileSource(text, file, { ...opts, cache }), compileSource(text, file, opts));
}

describe('compile cache', () => {
  it('reuses unchanged models, and moved ones with shifted spans', () => {
    const model = (n: number) => `model M${n} {\n  input x: f32[batch, 4]\n  output y: f32[batch, 2]\n  y = x |> dense(8) |> relu |> dense(2)\n}\n`;
    const text = [0, 1, 2].map(model).join('\n');
    const cache = new CompileCache();
    check(text, '/tmp/m.dlm', cache);
    expect([cache.reused, cache.compiled]).toEqual([0, 3]);
    check(text, '/tmp/m.dlm', cache);
    expect([cache.reused, cache.compiled]).toEqual([3, 0]);
    // An edit in the middle model: the others are reused, the last one moved by a line.
    const edited = text.replace('model M1 {\n', 'model M1 {\n  // a comment\n');
    check(edited, '/tmp/m.dlm', cache);
    expect([cache.reused, cache.compiled]).toEqual([2, 1]);
  });

  it('moves the spans of a reused graph (parameter settings too) without changing the graph it copied', () => {
    const text = [
      'model A {\n  input x: f32[batch, 4]\n  output y: f32[batch, 2]\n  y = x |> dense(2)\n}',
      'model B {\n  input x: f32[batch, 4]\n  output y: f32[batch, 2]\n  y = x |> dense(8) { weight: init he_normal, regularize l2(1e-3); bias: init zeros, trainable false } |> relu |> dense(2)\n}\n',
    ].join('\n');
    const cache = new CompileCache();
    const opts = { registry, readFile, baseDir: ROOT };
    const first = compileSource(text, '/tmp/s.dlm', { ...opts, cache });
    const before = JSON.stringify(first.program);
    const moved = text.replace('model B', '\n\nmodel B');
    const second = compileSource(moved, '/tmp/s.dlm', { ...opts, cache });
    expect([cache.reused, cache.compiled]).toEqual([2, 0]);
    same(second, compileSource(moved, '/tmp/s.dlm', opts));
    const regularizerLine = (out: typeof first) => out.program.models.find((m) => m.name === 'B')!.params.find((p) => p.name.endsWith('weight'))!.regularizers[0]!.span!.line;
    expect([regularizerLine(first), regularizerLine(second)]).toEqual([9, 11]);
    // The first compilation's program (which an editor may still hold) keeps its own spans.
    expect(JSON.stringify(first.program)).toBe(before);
  });

  it('compiles again a model that uses, through a block, a model that changed', () => {
    const text = [
      'model Inner {\n  input x: f32[batch, 4]\n  output y: f32[batch, 4]\n  y = x |> dense(4) |> relu\n}',
      'block Wrap() {\n  input x\n  output y\n  y = x |> Inner\n}',
      'model Outer {\n  input x: f32[batch, 4]\n  output y: f32[batch, 4]\n  y = x |> Wrap\n}',
      'train Outer {\n  data mnist(batch: 8)\n  loss mse\n  optimizer sgd(lr: 0.1)\n  epochs 1\n}\n',
    ].join('\n');
    const cache = new CompileCache();
    check(text, '/tmp/w.dlm', cache);
    // Same length: nothing moves, only Inner's text changes.
    check(text.replace('relu', 'tanh'), '/tmp/w.dlm', cache);
    expect([cache.reused, cache.compiled]).toEqual([0, 2]);
    // The train block is not part of what the models read.
    check(text.replace('relu', 'tanh').replace('epochs 1', 'epochs 2'), '/tmp/w.dlm', cache);
    expect([cache.reused, cache.compiled]).toEqual([2, 0]);
  });

  it('compiles again a model that uses a model that moved', () => {
    const text = [
      'model Outer {\n  input x: f32[batch, 4]\n  output y: f32[batch, 4]\n  y = x |> Inner\n}',
      'model Inner {\n  input x: f32[batch, 4]\n  output y: f32[batch, 4]\n  y = x |> dense(4) |> relu\n}\n',
    ].join('\n');
    const cache = new CompileCache();
    check(text, '/tmp/u.dlm', cache);
    check(text.replace('model Inner', '\nmodel Inner'), '/tmp/u.dlm', cache);
    expect([cache.reused, cache.compiled]).toEqual([1, 1]);
  });

  it('gives what a compilation without it gives, over editing sessions on every example and invalid program', () => {
    const next = rng(15);
    for (const file of FILES) {
      let text = fs.readFileSync(file, 'utf8');
      const cache = new CompileCache();
      check(text, file, cache);
      check(text, file, cache);
      // Lines inserted above: at the top, and before each model.
      check(`// header\n${text}`, file, cache);
      text = text.replace(/^model /gm, '\nmodel ');
      check(text, file, cache);
      // Edits that keep a file valid (a comment or blank line at a line start, a digit changed), so
      // that the file is re-parsed only where it changed.
      for (let k = 0; k < 8; k++) {
        const r = next();
        if (r < 0.5) {
          const starts = [0, ...[...text.matchAll(/\n/g)].map((m) => m.index + 1)];
          const at = starts[Math.floor(next() * starts.length)]!;
          text = text.slice(0, at) + (r < 0.2 ? '\n' : r < 0.4 ? '// edited\n' : '/* open\n') + text.slice(at);
        } else {
          const digits = [...text.matchAll(/\d/g)].map((m) => m.index);
          if (digits.length === 0) continue;
          const at = digits[Math.floor(next() * digits.length)]!;
          text = text.slice(0, at) + String(1 + Math.floor(next() * 9)) + text.slice(at + 1);
        }
        check(text, file, cache);
      }
      // Random one-character edits (insert, delete, replace), each compiled with the same cache.
      for (let k = 0; k < 12; k++) {
        const at = Math.floor(next() * (text.length + 1));
        const chars = ' \n(){}|>x1,:"/*';
        const ch = chars[Math.floor(next() * chars.length)]!;
        const r = next();
        text = r < 0.4 ? text.slice(0, at) + ch + text.slice(at) : r < 0.7 ? text.slice(0, at) + text.slice(at + 1) : text.slice(0, at) + ch + text.slice(at + 1);
        check(text, file, cache);
      }
    }
  }, 600_000);
});

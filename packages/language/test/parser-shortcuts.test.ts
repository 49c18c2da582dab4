/**
 * The parser's shortcuts (grammar.ts: `atom`, a lone number or name before ',' / ')' / '|>', and
 * `simpleStage`, such an atom or a call of such arguments as a pipeline stage before '|>') must
 * change nothing but speed: every input parses to the same AST and the same diagnostics with and
 * without them. Inputs: every example and invalid program, every truncation of the examples at a
 * token boundary near the shortcuts' tokens, seeded mutations, and hand-written edge cases (errors
 * right after or inside a shortcut's tokens, the error cap, numbers of category NumberLit).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { lex, parse } from '../src/index.js';
import { parser } from '../src/grammar.js';
import { EXAMPLES, mutate, rng } from './fuzz-harness.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const INVALID = fs
  .readdirSync(path.join(here, 'invalid'))
  .filter((f) => f.endsWith('.dlm'))
  .map((f) => fs.readFileSync(path.join(here, 'invalid', f), 'utf8'));

function parsed(text: string, shortcuts: boolean): string {
  parser.shortcuts = shortcuts;
  try {
    const r = parse(text, 'x.dlm');
    return JSON.stringify(r);
  } finally {
    parser.shortcuts = true;
  }
}

function expectSame(text: string): void {
  const without = parsed(text, false);
  const withIt = parsed(text, true);
  if (withIt !== without) expect({ text, ast: withIt }).toEqual({ text, ast: without });
}

const model = (body: string) => `model M {\n  input x: f32[batch, 8]\n  output y: f32[batch, 8]\n  y = ${body}\n}\n`;

describe('parser shortcuts for lone numbers, names and simple calls', () => {
  it('parses every example and invalid program the same', () => {
    for (const e of EXAMPLES) expectSame(e.text);
    for (const t of INVALID) expectSame(t);
  });

  it('parses truncations of the examples the same, cut before and after each shortcut token', () => {
    for (const e of EXAMPLES) {
      for (const t of lex(e.text, 'x.dlm').tokens) {
        const name = t.tokenType.name;
        if (name !== 'NumberLit' && name !== 'Identifier' && name !== 'Comma' && name !== 'RParen' && name !== 'Pipe') continue;
        expectSame(e.text.slice(0, t.startOffset));
        expectSame(e.text.slice(0, t.startOffset + t.image.length));
      }
    }
  });

  it('parses seeded mutations the same', () => {
    const rand = rng(1515);
    for (const e of EXAMPLES) for (let k = 0; k < 150; k++) expectSame(mutate(e.text, rand));
  });

  it('parses edge cases the same: errors next to shortcut tokens, bad numbers, the error cap', () => {
    const cases = [
      'x |> dense(16) |> relu',
      'x |> dense(16 16) |> relu',
      'x |> dense(16,) |> relu',
      'x |> dense(, 16) |> relu',
      'x |> dense(units: 16) |> relu |>',
      'x |> dense(units: 16, bias: false) |> relu |> )',
      'x |> relu |> |> relu',
      'x |> 3 |> relu',
      'x |> dense(1.2.3) |> relu',
      'x |> dense(1.2.3, 4) |> relu',
      'x |> dense(a b) |> relu',
      'x |> dense(-1) |> relu[0] |> relu',
      'x |> relu |> dense(16) { weight: { init: zeros } } |> relu',
      'x |> dense(16)) |> relu',
      'x |> (relu |> relu) |> relu',
      'x |> repeat 2 { dense(8) |> relu } |> relu',
      'x |> relu |> relu |> relu',
      'x |> dense() |> relu',
      'x |> dense(units:) |> relu',
      'x |> dense(: 16) |> relu',
      'x |> dense(units: 16 bias: false) |> relu',
      'x |> dense(16)[0] |> relu',
      'x |> dense(16) * 2 |> relu',
      'x |> dense(16) |> dense(16, false) |> dense(units: n) |> relu',
      'x |> dense(16 |> relu',
      'x |> dense(16, |> relu',
      'x |> relu |> relu',
      'relu |> relu |> dense(4) |> 3 |> x',
      'x |> relu |> relu |> relu |> repeat 2 { relu |> relu } |> relu |> relu',
      'x |> relu |> relu |> (relu) |> relu |> relu',
      'x |> relu |> relu |> dense(4) { weight: { init: zeros } } |> relu |> relu',
      'x |> relu |> relu |> relu |>',
      'x |> relu |> relu |> relu |> |> relu',
      'x |> relu |> relu * 2 |> relu',
    ];
    for (const c of cases) expectSame(model(c));
    // Past the error cap (1000 syntax errors) the parser stops; shortcuts must not run after it.
    expectSame(model(`x |> ${'dense(16 16) |> relu |> '.repeat(1100)}relu`));
    expectSame(model(`x |> ${'@ |> relu |> dense(3, ) |> '.repeat(600)}relu`));
  });
});

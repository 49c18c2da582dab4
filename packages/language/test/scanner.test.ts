/**
 * The hand-written scanner (src/scanner.ts) against Chevrotain's own lexer built from the same
 * token types (src/tokens.ts): the same tokens (type, image, offset, line), the same comments and
 * the same runs of unmatched characters, over every example, every file of the invalid corpus,
 * seeded mutations of them, and seeded random strings of characters that sit on the patterns'
 * edges (numbers, dots, escapes, line ends, byte-order marks, non-ASCII).
 */
import * as fs from 'node:fs';
import { Lexer, type IToken } from 'chevrotain';
import { describe, expect, it } from 'vitest';
import { scan } from '../src/scanner.js';
import { allTokens } from '../src/tokens.js';
import { CORPUS_FILES } from './helpers.js';

const FILES = CORPUS_FILES;

const reference = new Lexer(allTokens, { positionTracking: 'onlyOffset', ensureOptimizations: true });

/** 1 + the line ends ('\n', '\r\n', a lone '\r') before `offset`. */
function lineAt(text: string, offset: number): number {
  return (text.slice(0, offset).match(/\r\n|\r|\n/g)?.length ?? 0) + 1;
}

const tokenView = (t: IToken) => `${t.tokenType.name} ${JSON.stringify(t.image)} @${t.startOffset}`;

function expectSame(text: string): void {
  const want = reference.tokenize(text);
  const got = scan(text);
  const where = `in ${JSON.stringify(text.length > 300 ? text.slice(0, 300) + '…' : text)}`;
  expect(got.tokens.map(tokenView), where).toEqual(want.tokens.map(tokenView));
  expect(got.tokens.map((t) => [t.startLine, t.endLine]), where).toEqual(want.tokens.map((t) => [lineAt(text, t.startOffset), lineAt(text, t.startOffset)]));
  expect(got.comments.map(tokenView), where).toEqual(((want.groups['comments'] ?? []) as IToken[]).map(tokenView));
  expect(got.errors, where).toEqual(want.errors.map((e) => ({ offset: e.offset, length: e.length })));
  // The parser reads tokenTypeIdx (categories: a BadNumber is a NumberLit).
  for (const t of got.tokens) expect(t.tokenTypeIdx).toBe(t.tokenType.tokenTypeIdx);
}

/** A small deterministic generator (mulberry32), so that a failing case can be replayed. */
function rng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Pieces the random texts and mutations are made of: the characters and words on the patterns' edges. */
const PIECES = [
  ...' \t\n\r\f\v"\\/*.0123456789eE+-|><=!_aZ(){}[],:;%@#$`~^?&\'é\u2028\u00a0\ufeff',
  '\r\n', '//', '/*', '*/', '..', '...', '1.2', '.5', '1e', 'e+3', '1.2.3', '\\"', '\\\n',
  'model', 'in', 'input', 'div', 'or', 'order', 'not', 'as', 'x1', '|>', '==', '!=', '<=', '>=',
];

function randomText(next: () => number, length: number): string {
  let s = '';
  for (let i = 0; i < length; i++) s += PIECES[Math.floor(next() * PIECES.length)]!;
  return s;
}

describe('scanner', () => {
  it('lexes every example and invalid program as Chevrotain does', () => {
    expect(FILES.length).toBeGreaterThan(50);
    for (const file of FILES) expectSame(fs.readFileSync(file, 'utf8'));
  });

  it('lexes seeded mutations of them as Chevrotain does', () => {
    const next = rng(1015);
    for (const file of FILES) {
      const original = fs.readFileSync(file, 'utf8');
      for (let k = 0; k < 25; k++) {
        let text = original;
        const edits = 1 + Math.floor(next() * 4);
        for (let e = 0; e < edits; e++) {
          const at = Math.floor(next() * (text.length + 1));
          const piece = PIECES[Math.floor(next() * PIECES.length)]!;
          const r = next();
          text = r < 0.5 ? text.slice(0, at) + piece + text.slice(at) : r < 0.75 ? text.slice(0, at) + text.slice(at + 1) : text.slice(0, at) + piece + text.slice(at + 1);
        }
        expectSame(text);
      }
    }
  }, 60_000);

  it('lexes seeded random texts as Chevrotain does', () => {
    const next = rng(15);
    for (let k = 0; k < 5000; k++) expectSame(randomText(next, Math.floor(next() * 40)));
    // Edges spelled out: a byte-order mark only at the start, numbers against dots, escapes at line ends.
    for (const text of ['\ufeff', '\ufeffmodel', 'a\ufeff', '1..3', '1...', '1.e5', '1.2.3e', '1.2.3e-7', '.5.5', '..5', '"a\\', '"a\\\nb"', '"\\\u2028"', '/*/', '/**/', '|', '!', '1e+', '0.']) {
      expectSame(text);
    }
  });
});

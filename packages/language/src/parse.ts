/**
 * Phase 2, parsing: tokens → AST with spans (Chevrotain with embedded actions and error recovery). Syntax
 * errors are diagnostics (DLM1002) worded by the grammar's message provider. Bracket nesting is
 * checked on the token stream first, so pathological input ("((((…" ten thousand deep) yields
 * DLM1005 instead of a stack overflow in the recursive-descent parser.
 */
import { EOF, type IToken } from 'chevrotain';
import { DiagnosticBag, LineMap, type Diagnostic } from '@dlm/core';
import type * as A from './ast.js';
import { MAX_SYNTAX_ERRORS, parser } from './grammar.js';
import { setCurrentTokens } from './grammar-messages.js';
import { lex } from './lexer.js';
import * as T from './lexer.js';
import { readReservedAsNames } from './reserved.js';

/** Deepest bracket nesting accepted. Real models use < 10; the limit keeps every phase's recursion bounded. */
export const MAX_NESTING = 64;


export function parse(text: string, file: string): { ast: A.ModuleAst; diagnostics: Diagnostic[] } {
  const lines = new LineMap(file, text);
  const bag = new DiagnosticBag();
  const lexed = lex(text, file, lines);
  bag.addAll(lexed.diagnostics);
  lexed.tokens = readReservedAsNames(lexed.tokens, lines, bag);
  const empty: A.ModuleAst = { kind: 'module', file, items: [], comments: lexed.comments, span: lines.span(0, text.length) };

  const deep = findTooDeep(lexed.tokens);
  if (deep) {
    bag.report('DLM1005', [MAX_NESTING], lines.span(deep.startOffset, deep.startOffset + deep.image.length));
    return { ast: empty, diagnostics: bag.items };
  }

  setCurrentTokens(lexed.tokens);
  let ast = empty;
  try {
    ast = parser.parseModule(lexed.tokens, lines, lexed.comments);
  } catch (e) {
    // A partial tree left by error recovery may not convert; the syntax errors already explain it.
    if (parser.errors.length === 0) throw e;
  }
  setCurrentTokens([]);
  if (parser.stoppedAt) {
    const t = parser.stoppedAt;
    const at = Number.isNaN(t.startOffset) ? text.length : t.startOffset;
    bag.report('DLM1024', [MAX_SYNTAX_ERRORS], lines.span(at, Number.isNaN(t.startOffset) ? at : at + t.image.length));
  }
  const lexStarts = lexed.diagnostics.flatMap((d) => (d.span ? [d.span.start] : [])).sort((a, b) => a - b);
  // Recovery can report several errors for one mistake; the first per line is the useful one.
  const seen = new Set<number>();
  for (const e of parser.errors) {
    const tok = e.token;
    let start: number;
    let end: number;
    if (tok.tokenType === EOF || Number.isNaN(tok.startOffset)) {
      // At end of file: point just after the last real token.
      const last = lexed.tokens[lexed.tokens.length - 1];
      start = last ? last.startOffset + last.image.length : text.length;
      end = start;
      if (start >= text.length && start > 0) start = end = text.length;
    } else {
      start = tok.startOffset;
      end = tok.startOffset + tok.image.length;
    }
    const line = lines.position(start).line;
    if (seen.has(line)) continue;
    // Right after characters the lexer dropped (and reported), the parser's complaint is a
    // consequence of that one mistake, not a second one.
    if (lexedBetween(lexStarts, previousTokenEnd(lexed.tokens, start), start)) continue;
    seen.add(line);
    bag.report('DLM1002', [e.message], lines.span(start, end));
  }
  for (const p of parser.problems) if (!seen.has(p.span.line)) bag.report('DLM1002', [p.message], p.span);
  parser.release();
  return { ast, diagnostics: bag.items };
}

/** Whether a lexer diagnostic (their sorted start offsets) starts within [from, to]. */
function lexedBetween(starts: number[], from: number, to: number): boolean {
  let lo = 0;
  let hi = starts.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (starts[mid]! < from) lo = mid + 1;
    else hi = mid;
  }
  return lo < starts.length && starts[lo]! <= to;
}

/** End offset of the last token that starts before `offset` (0 when none). */
function previousTokenEnd(tokens: IToken[], offset: number): number {
  let lo = 0;
  let hi = tokens.length - 1;
  let found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (tokens[mid]!.startOffset < offset) {
      found = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return found < 0 ? 0 : tokens[found]!.startOffset + tokens[found]!.image.length;
}

function findTooDeep(tokens: IToken[]): IToken | undefined {
  let depth = 0;
  for (const t of tokens) {
    const tt = t.tokenType;
    if (tt === T.LParen || tt === T.LBracket || tt === T.LCurly) {
      depth++;
      if (depth > MAX_NESTING) return t;
    } else if (tt === T.RParen || tt === T.RBracket || tt === T.RCurly) {
      depth = Math.max(0, depth - 1);
    }
  }
  return undefined;
}

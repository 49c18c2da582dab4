/**
 * Phase 2, parsing: tokens → AST with spans (Chevrotain with embedded actions and error recovery). Syntax
 * errors are diagnostics (DLM1002) worded by the grammar's message provider. Bracket nesting is
 * checked on the token stream first, so pathological input ("((((…" ten thousand deep) yields
 * DLM1005 instead of a stack overflow in the recursive-descent parser.
 */
import type { IToken } from 'chevrotain';
import { EOF } from './chevrotain.js';
import { DiagnosticBag, LineMap, type Diagnostic } from '@dlm/core';
import type * as A from './ast.js';
import { MAX_SYNTAX_ERRORS, parser } from './grammar.js';
import { setCurrentTokens } from './grammar-messages.js';
import { lex } from './lexer.js';
import * as T from './lexer.js';
import { readReservedAsNames } from './reserved.js';
import { shiftSpans } from './shift-spans.js';

/** Deepest bracket nesting accepted. Real models use < 10; the limit keeps every phase's recursion bounded. */
export const MAX_NESTING = 64;


export interface ParseResult {
  ast: A.ModuleAst;
  diagnostics: Diagnostic[];
}

/**
 * `previous`: an earlier parse of the same file (an editor's last version). When both parses are
 * free of errors, only the top-level declarations the edit touched are parsed again (see
 * reparseEdited); the result is the same as a parse from scratch.
 */
export function parse(text: string, file: string, previous?: { text: string; result: ParseResult }): ParseResult {
  const lines = new LineMap(file, text);
  if (previous && previous.result.diagnostics.length === 0 && previous.result.ast.file === file) {
    const ast = reparseEdited(previous, text, lines);
    if (ast) return { ast, diagnostics: [] };
  }
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

/** AST properties that hold a bare offset rather than a span (see ast.ts). */
const OFFSET_KEYS = new Set(['thenEnd', 'elseEnd', 'bodyEnd']);

/** Declarations that end with `}`: nothing after them can extend them. */
const BRACED = new Set<A.Item['kind']>(['model', 'block', 'train']);

/**
 * Parses only the declarations an edit touched. The text before the edit is kept up to the last
 * braced declaration that ends before it (a `let` or `import` there could be extended by the
 * edit); the declarations after the edit, from the first that starts on a later line, are kept
 * with their spans shifted (same text, same columns). The tokens between are parsed as a module.
 * Every top-level declaration starts with a keyword that no expression can take, so these pieces
 * parse as they do in the whole file. Undefined (parse from scratch) when the edited part has an
 * error: the parser's recovery may then cross declaration boundaries.
 */
function reparseEdited(previous: { text: string; result: ParseResult }, text: string, lines: LineMap): A.ModuleAst | undefined {
  const old = previous.text;
  const items = previous.result.ast.items;
  const max = Math.min(text.length, old.length);
  let p = 0;
  while (p < max && text.charCodeAt(p) === old.charCodeAt(p)) p++;
  let q = 0;
  while (q < max - p && text.charCodeAt(text.length - 1 - q) === old.charCodeAt(old.length - 1 - q)) q++;
  const editEnd = old.length - q;
  const delta = text.length - old.length;
  let k = 0;
  while (k < items.length && items[k]!.span.end < p) k++;
  while (k > 0 && !BRACED.has(items[k - 1]!.kind)) k--;
  let j = items.length;
  while (j > k && items[j - 1]!.span.start >= editEnd) j--;
  while (j < items.length && !old.slice(editEnd, items[j]!.span.start).includes('\n')) j++;
  const from = k > 0 ? items[k - 1]!.span.end : 0;
  const to = j < items.length ? items[j]!.span.start + delta : text.length;
  // Only the edited part is lexed. It starts after a `}` and ends before a keyword with a line
  // break between it and the edit, so its tokens are those of the whole text; a comment or string
  // left open is a lexer diagnostic here, and the whole text is then lexed and parsed instead.
  const lexed = lex(text.slice(from, to), lines.file);
  if (lexed.diagnostics.length) return undefined;
  const firstLine = lines.position(from).line - 1;
  for (const t of lexed.tokens) {
    t.startOffset += from;
    if (t.endOffset !== undefined) t.endOffset += from;
    if (t.startLine !== undefined) t.startLine += firstLine;
    if (t.endLine !== undefined) t.endLine += firstLine;
  }
  const bag = new DiagnosticBag();
  const edited = readReservedAsNames(lexed.tokens, lines, bag);
  if (bag.items.length || findTooDeep(edited)) return undefined;
  const oldComments = previous.result.ast.comments;
  const comments = [
    ...oldComments.filter((c) => c.end <= from),
    ...lexed.comments.map((c) => ({ ...c, start: c.start + from, end: c.end + from })),
    ...oldComments.filter((c) => c.start >= to - delta).map((c) => ({ ...c, start: c.start + delta, end: c.end + delta })),
  ];
  setCurrentTokens(edited);
  let middle: A.ModuleAst | undefined;
  try {
    middle = parser.parseModule(edited, lines, comments);
  } catch {
    middle = undefined;
  }
  const clean = middle !== undefined && parser.errors.length === 0 && parser.problems.length === 0 && !parser.stoppedAt;
  setCurrentTokens([]);
  parser.release();
  if (!clean) return undefined;
  const kept = items.slice(j);
  const moved = kept.length && (delta !== 0 || lines.position(to).line !== kept[0]!.span.line)
    ? shiftSpans(kept, lines.file, kept[0]!.span.start, old.length, delta, lines.position(to).line - kept[0]!.span.line, OFFSET_KEYS)
    : kept;
  return { kind: 'module', file: lines.file, items: [...items.slice(0, k), ...middle!.items, ...moved], comments, span: lines.span(0, text.length) };
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

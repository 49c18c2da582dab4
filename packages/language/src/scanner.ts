/**
 * The scanner behind lex(): text → Chevrotain tokens, the comment tokens, and the runs of
 * characters no token matches — what Chevrotain's `Lexer.tokenize` over `allTokens` (./tokens.ts)
 * returns, token for token, with each token's line filled in.
 *
 * Why not Chevrotain's lexer: on a 1.06 MB file (100,000 layers) it took ~0.3 s of CPU, about a
 * tenth of `dlm check`, trying the token patterns as regular expressions one after the other at
 * every token and making each token object twice (its line was added after). This scanner decides
 * by the first character, reads a word or a number with a loop, and makes each token once, whole.
 * The token types, the parser and every diagnostic stay as they were; test/scanner.test.ts compares
 * both lexers over every example, the invalid corpus and seeded mutations.
 *
 * The rules, in the order Chevrotain tries the patterns (the first that matches wins, except that
 * a keyword followed by a word character is an Identifier, its `longer_alt`):
 * - a byte-order mark at offset 0, whitespace `[ \t\r\n\f]+`: skipped;
 * - `//…` to the end of the line, and `/*…*\/` (to the end of the text when not closed: skipped,
 *   reported by lex()): comments;
 * - `"…"` with `\x` escapes, on one line (unclosed: skipped, reported by lex());
 * - words: a keyword when the whole word is one, otherwise an Identifier;
 * - `...`, `..`, then numbers: `1.2.3` is a BadNumber, `1.`, `.5`, `1e-3` NumberLits (a `.`
 *   followed by `.` ends a number: `1..3` is a range);
 * - punctuation, longest first where two share a start (`==` before `=`).
 * Characters where nothing matches form error runs that last until a character where some pattern
 * matches, as Chevrotain's recovery does.
 */
import type { IToken, TokenType } from 'chevrotain';
import * as T from './tokens.js';

export interface ScanResult {
  tokens: IToken[];
  /** Line and block comments, as tokens, in source order. */
  comments: IToken[];
  /** Runs of characters that start no token: offset and length. */
  errors: { offset: number; length: number }[];
}

/** `Scan.end` when no pattern matches at an offset. */
const NO_MATCH = -1;

const SINGLE = new Map<number, TokenType>([
  [0x28, T.LParen],
  [0x29, T.RParen],
  [0x5b, T.LBracket],
  [0x5d, T.RBracket],
  [0x7b, T.LCurly],
  [0x7d, T.RCurly],
  [0x2c, T.Comma],
  [0x3a, T.Colon],
  [0x3b, T.Semicolon],
  [0x2b, T.Plus],
  [0x2d, T.Minus],
  [0x2a, T.Star],
  [0x25, T.Percent],
  [0x40, T.At],
]);

/** Token types by first character code (< 128) for the single-character punctuation. */
const SINGLE_BY_CODE: (TokenType | undefined)[] = new Array(128);
for (const [code, type] of SINGLE) SINGLE_BY_CODE[code] = type;

/** The fixed image of each punctuation and keyword type (no substring made for them). */
const IMAGES = new Map<TokenType, string>();
for (const t of T.allTokens) if (typeof t.PATTERN === 'string') IMAGES.set(t, t.PATTERN);
for (const [word, t] of T.KEYWORDS) IMAGES.set(t, word);

const isDigit = (c: number) => c >= 48 && c <= 57;
const isWordStart = (c: number) => (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95;
const isWord = (c: number) => isWordStart(c) || isDigit(c);
/** `[ \t\r\n\f]` */
const isSpace = (c: number) => c === 32 || c === 10 || c === 13 || c === 9 || c === 12;
/** What `.` in a regular expression (without the s flag) does not match. */
const isLineTerminator = (c: number) => c === 10 || c === 13 || c === 0x2028 || c === 0x2029;

/**
 * The scanner's state while it reads one text. `type` and `end` are the result of the last
 * `match`: the token type (undefined for skipped text and for an unclosed comment or string) and
 * the offset after it, or NO_MATCH.
 */
class Scan {
  type: TokenType | undefined;
  end = NO_MATCH;
  comment = false;
  /** The word just matched when it was cut out of the text for the keyword lookup (its image). */
  word: string | undefined;

  constructor(readonly text: string) {}

  /** Matches at `i` as Chevrotain would (see the file comment); sets type, end and comment. */
  match(i: number): void {
    const text = this.text;
    const c = text.charCodeAt(i);
    this.comment = false;
    this.type = undefined;
    this.word = undefined;
    if (isSpace(c)) {
      let j = i + 1;
      while (j < text.length && isSpace(text.charCodeAt(j))) j++;
      this.end = j;
      return;
    }
    if (isWordStart(c)) {
      let j = i + 1;
      while (j < text.length && isWord(text.charCodeAt(j))) j++;
      this.end = j;
      // Only words of 2 to 6 letters can be keywords: no lookup (and no substring) for the rest.
      if (j - i <= 6 && j - i >= 2) {
        const word = (this.word = text.slice(i, j));
        this.type = T.KEYWORDS.get(word) ?? T.Identifier;
      } else this.type = T.Identifier;
      return;
    }
    if (isDigit(c)) return this.number(i);
    if (c < 128) {
      const single = SINGLE_BY_CODE[c];
      if (single) return this.found(single, i + 1);
    }
    const d = text.charCodeAt(i + 1);
    switch (c) {
      case 0x2f: // '/'
        if (d === 0x2f) {
          let j = i + 2;
          while (j < text.length && text.charCodeAt(j) !== 10 && text.charCodeAt(j) !== 13) j++;
          this.comment = true;
          return this.found(T.LineComment, j);
        }
        if (d === 0x2a) {
          const close = text.indexOf('*/', i + 2);
          if (close < 0) return this.found(undefined, text.length); // BadComment: skipped
          this.comment = true;
          return this.found(T.BlockComment, close + 2);
        }
        return this.found(T.Slash, i + 1);
      case 0x22: // '"'
        return this.string(i);
      case 0x2e: // '.'
        if (d === 0x2e) return this.found(text.charCodeAt(i + 2) === 0x2e ? T.Ellipsis : T.DotDot, text.charCodeAt(i + 2) === 0x2e ? i + 3 : i + 2);
        if (isDigit(d)) return this.number(i);
        break;
      case 0x7c: // '|'
        if (d === 0x3e) return this.found(T.Pipe, i + 2);
        break;
      case 0x3d: // '='
        return d === 0x3d ? this.found(T.EqEq, i + 2) : this.found(T.Equals, i + 1);
      case 0x21: // '!'
        if (d === 0x3d) return this.found(T.NotEq, i + 2);
        break;
      case 0x3c: // '<'
        return d === 0x3d ? this.found(T.LessEq, i + 2) : this.found(T.Less, i + 1);
      case 0x3e: // '>'
        return d === 0x3d ? this.found(T.GreaterEq, i + 2) : this.found(T.Greater, i + 1);
    }
    this.end = NO_MATCH;
  }

  private found(type: TokenType | undefined, end: number): void {
    this.type = type;
    this.end = end;
  }

  /** `"(?:[^"\\\r\n]|\\.)*"`, else the unclosed `"(?:[^"\\\r\n]|\\.)*` (skipped). */
  private string(i: number): void {
    const text = this.text;
    let j = i + 1;
    while (j < text.length) {
      const c = text.charCodeAt(j);
      if (c === 0x22) return this.found(T.StringLit, j + 1);
      if (c === 0x5c) {
        if (j + 1 < text.length && !isLineTerminator(text.charCodeAt(j + 1))) {
          j += 2;
          continue;
        }
        break;
      }
      if (c === 10 || c === 13) break;
      j++;
    }
    this.found(undefined, j);
  }

  /**
   * At a digit, or at a `.` before a digit. BadNumber `(?:\d+\.\d+|\.\d+)(?:\.\d+)+(?:[eE][+-]?\d+)?`
   * first, then NumberLit `(?:\d+(?:\.(?!\.)\d*)?|\.\d+)(?:[eE][+-]?\d+)?`.
   */
  private number(i: number): void {
    const text = this.text;
    const digits = (from: number) => {
      let j = from;
      while (isDigit(text.charCodeAt(j))) j++;
      return j;
    };
    /** After an optional exponent that starts at `j`. */
    const exponent = (j: number) => {
      const e = text.charCodeAt(j);
      if (e !== 0x65 && e !== 0x45) return j;
      let k = j + 1;
      const s = text.charCodeAt(k);
      if (s === 0x2b || s === 0x2d) k++;
      const end = digits(k);
      return end > k ? end : j;
    };
    // The part both patterns start with: `\d+\.\d+` or `\.\d+` for BadNumber.
    let j: number;
    let fraction: boolean;
    if (text.charCodeAt(i) === 0x2e) {
      j = digits(i + 1);
      fraction = true;
    } else {
      j = digits(i);
      fraction = text.charCodeAt(j) === 0x2e && isDigit(text.charCodeAt(j + 1));
      if (fraction) j = digits(j + 1);
    }
    if (fraction) {
      // BadNumber: one or more `\.\d+` more.
      let k = j;
      while (text.charCodeAt(k) === 0x2e && isDigit(text.charCodeAt(k + 1))) k = digits(k + 1);
      if (k > j) return this.found(T.BadNumber, exponent(k));
      return this.found(T.NumberLit, exponent(j));
    }
    // NumberLit from digits: `\d+` then `\.(?!\.)\d*` (a dot not followed by a dot) maybe.
    if (text.charCodeAt(j) === 0x2e && text.charCodeAt(j + 1) !== 0x2e) j = digits(j + 1);
    this.found(T.NumberLit, exponent(j));
  }
}

/** Scans `text` (see the file comment). */
export function scan(text: string): ScanResult {
  const tokens: IToken[] = [];
  const comments: IToken[] = [];
  const errors: { offset: number; length: number }[] = [];
  const s = new Scan(text);
  // One string per distinct name and number: the AST keeps token images (`relu`, `16` on every
  // layer), and one copy each instead of one per occurrence is ~30 bytes less kept per token.
  const images = new Map<string, string>();
  let i = text.length > 0 && text.charCodeAt(0) === 0xfeff ? 1 : 0;
  // Lines: '\n', '\r\n' and a lone '\r' end a line; counted up to each token's start.
  let line = 1;
  let counted = 0;
  while (i < text.length) {
    s.match(i);
    if (s.end === NO_MATCH) {
      // Recovery: the run ends at the first character where some pattern matches.
      const start = i;
      do {
        i++;
        if (i < text.length) s.match(i);
      } while (i < text.length && s.end === NO_MATCH);
      errors.push({ offset: start, length: i - start });
      continue;
    }
    const type = s.type;
    if (type !== undefined) {
      for (; counted < i; counted++) {
        const c = text.charCodeAt(counted);
        if (c === 10 || (c === 13 && text.charCodeAt(counted + 1) !== 10)) line++;
      }
      let image = IMAGES.get(type);
      if (image === undefined) {
        image = s.word ?? text.slice(i, s.end);
        if (type === T.Identifier || type === T.NumberLit) {
          const known = images.get(image);
          if (known === undefined) images.set(image, image);
          else image = known;
        }
      }
      const token: IToken = {
        image,
        startOffset: i,
        tokenTypeIdx: type.tokenTypeIdx!,
        tokenType: type,
        startLine: line,
        endLine: line,
      } as IToken;
      (s.comment ? comments : tokens).push(token);
    }
    i = s.end;
  }
  return { tokens, comments, errors };
}

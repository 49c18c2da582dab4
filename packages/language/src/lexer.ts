/**
 * Phase 1, lexing: text → tokens (+ comments kept aside for the formatter). Never throws; bad
 * characters, unterminated strings and comments become DLM1xxx diagnostics.
 */
import { createToken, Lexer, type IToken, type TokenType } from 'chevrotain';
import { DiagnosticBag, LineMap, type Diagnostic } from '@dlm/core';

export const Identifier = createToken({ name: 'Identifier', pattern: /[A-Za-z_][A-Za-z0-9_]*/ });

function keyword(word: string): TokenType {
  return createToken({ name: word[0]!.toUpperCase() + word.slice(1), pattern: new RegExp(`${word}\\b`), longer_alt: Identifier, label: `'${word}'` });
}

export const Model = keyword('model');
export const Block = keyword('block');
export const Train = keyword('train');
export const Let = keyword('let');
export const Input = keyword('input');
export const Output = keyword('output');
export const Import = keyword('import');
export const Repeat = keyword('repeat');
export const As = keyword('as');
export const True = keyword('true');
export const False = keyword('false');
/** Floor division. `//` starts a comment, so floor division is the word `div` (as in Pascal/Haskell). */
export const Div = keyword('div');

export const NumberLit = createToken({ name: 'NumberLit', pattern: /(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?/, label: 'a number' });
export const StringLit = createToken({ name: 'StringLit', pattern: /"(?:[^"\\\r\n]|\\.)*"/, label: 'a string' });
/** An unterminated string: matched so that the lexer can report it clearly instead of "unexpected '\"'". */
export const BadString = createToken({ name: 'BadString', pattern: /"(?:[^"\\\r\n]|\\.)*/, group: Lexer.SKIPPED });

export const LineComment = createToken({ name: 'LineComment', pattern: /\/\/[^\r\n]*/, group: 'comments' });
export const BlockComment = createToken({ name: 'BlockComment', pattern: /\/\*[\s\S]*?\*\//, group: 'comments', line_breaks: true });
export const BadComment = createToken({ name: 'BadComment', pattern: /\/\*[\s\S]*/, group: Lexer.SKIPPED, line_breaks: true });
export const WhiteSpace = createToken({ name: 'WhiteSpace', pattern: /[ \t\r\n\f]+/, group: Lexer.SKIPPED, line_breaks: true });

const punct = (name: string, pattern: RegExp | string, label: string) => createToken({ name, pattern, label });
export const Pipe = punct('Pipe', '|>', "'|>'");
export const LParen = punct('LParen', '(', "'('");
export const RParen = punct('RParen', ')', "')'");
export const LBracket = punct('LBracket', '[', "'['");
export const RBracket = punct('RBracket', ']', "']'");
export const LCurly = punct('LCurly', '{', "'{'");
export const RCurly = punct('RCurly', '}', "'}'");
export const Comma = punct('Comma', ',', "','");
export const Colon = punct('Colon', ':', "':'");
export const Semicolon = punct('Semicolon', ';', "';'");
export const Equals = punct('Equals', '=', "'='");
export const Plus = punct('Plus', '+', "'+'");
export const Minus = punct('Minus', '-', "'-'");
export const Star = punct('Star', '*', "'*'");
export const Slash = punct('Slash', '/', "'/'");
export const Percent = punct('Percent', '%', "'%'");

export const allTokens: TokenType[] = [
  WhiteSpace,
  LineComment,
  BlockComment,
  BadComment,
  StringLit,
  BadString,
  Model,
  Block,
  Train,
  Let,
  Input,
  Output,
  Import,
  Repeat,
  As,
  True,
  False,
  Div,
  Identifier,
  NumberLit,
  Pipe,
  LParen,
  RParen,
  LBracket,
  RBracket,
  LCurly,
  RCurly,
  Comma,
  Colon,
  Semicolon,
  Equals,
  Plus,
  Minus,
  Star,
  Slash,
  Percent,
];

const lexer = new Lexer(allTokens, { positionTracking: 'full', ensureOptimizations: false });

export interface Comment {
  text: string;
  start: number;
  end: number;
  /** True for block comments (slash-star … star-slash). */
  block: boolean;
}

export interface LexResult {
  tokens: IToken[];
  comments: Comment[];
  diagnostics: Diagnostic[];
}

export function lex(text: string, file: string, lines = new LineMap(file, text)): LexResult {
  const bag = new DiagnosticBag();
  const r = lexer.tokenize(text);
  for (const e of r.errors) {
    const ch = text.slice(e.offset, e.offset + Math.max(1, e.length));
    const shown = ch.length > 20 ? ch.slice(0, 20) + '…' : ch;
    bag.report('DLM1001', [shown.replace(/\s+/g, ' ')], lines.span(e.offset, e.offset + Math.max(1, e.length)));
  }
  // Skipped "bad" tokens carry no diagnostics from Chevrotain: find them from the groups-free scan.
  const comments: Comment[] = ((r.groups['comments'] ?? []) as IToken[]).map((t) => ({
    text: t.image,
    start: t.startOffset,
    end: t.startOffset + t.image.length,
    block: t.tokenType === BlockComment,
  }));
  reportSkippedBad(text, r.tokens, comments, lines, bag);
  return { tokens: r.tokens, comments, diagnostics: bag.items };
}

/**
 * Unterminated strings and comments are lexed as skipped tokens; Chevrotain drops those, so they
 * are found here by looking for a '"' or '/*' in the gaps between kept tokens and comments.
 */
function reportSkippedBad(text: string, tokens: IToken[], comments: Comment[], lines: LineMap, bag: DiagnosticBag): void {
  const covered: [number, number][] = [
    ...tokens.map((t): [number, number] => [t.startOffset, t.startOffset + t.image.length]),
    ...comments.map((c): [number, number] => [c.start, c.end]),
  ].sort((a, b) => a[0] - b[0]);
  let pos = 0;
  const scanGap = (from: number, to: number) => {
    for (let i = from; i < to; i++) {
      const c = text[i];
      if (c === '"') {
        let j = i + 1;
        while (j < text.length && text[j] !== '\n' && text[j] !== '\r') j++;
        bag.report('DLM1004', [], lines.span(i, Math.min(j, i + 1)));
        return;
      }
      if (c === '/' && text[i + 1] === '*') {
        bag.report('DLM1003', [], lines.span(i, i + 2));
        return;
      }
    }
  };
  for (const [s, e] of covered) {
    if (s > pos) scanGap(pos, s);
    pos = Math.max(pos, e);
  }
  if (pos < text.length) scanGap(pos, text.length);
}

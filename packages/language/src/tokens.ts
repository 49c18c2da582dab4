/**
 * The token types of .dlm: Chevrotain token types (the parser matches on them), with the patterns
 * that define them. The lexer (./lexer.ts) scans text with ./scanner.ts, which follows these
 * patterns exactly; a differential test (test/scanner.test.ts) holds it to Chevrotain's own lexer
 * built from `allTokens`.
 */
import type { TokenType } from 'chevrotain';
import { createToken, Lexer } from './chevrotain.js';

export const Identifier = createToken({ name: 'Identifier', pattern: /[A-Za-z_][A-Za-z0-9_]*/ });

/** Each keyword's token type by its word (the scanner reads a word, then looks it up here). */
export const KEYWORDS = new Map<string, TokenType>();

function keyword(word: string): TokenType {
  const type = createToken({ name: word[0]!.toUpperCase() + word.slice(1), pattern: new RegExp(`${word}\\b`), longer_alt: Identifier, label: `'${word}'` });
  KEYWORDS.set(word, type);
  return type;
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
// Compile-time control flow and its conditions (docs/language.md, "if and for").
export const If = keyword('if');
export const Else = keyword('else');
export const For = keyword('for');
export const In = keyword('in');
export const And = keyword('and');
export const Or = keyword('or');
export const Not = keyword('not');

export const NumberLit = createToken({ name: 'NumberLit', pattern: /(?:\d+(?:\.(?!\.)\d*)?|\.\d+)(?:[eE][+-]?\d+)?/, label: 'a number' });
/**
 * `1.2.3`: read as one (bad) number, so the message says it is not a number instead of "found
 * the number .3". It counts as a NumberLit for the parser, so nothing else complains.
 */
export const BadNumber = createToken({ name: 'BadNumber', pattern: /(?:\d+\.\d+|\.\d+)(?:\.\d+)+(?:[eE][+-]?\d+)?/, categories: [NumberLit], label: 'a number' });
/** A UTF-8 byte-order mark, accepted (and ignored) at the very start of a file only. */
export const ByteOrderMark = createToken({
  name: 'ByteOrderMark',
  pattern: { exec: (text: string, offset: number) => (offset === 0 && text.charCodeAt(0) === 0xfeff ? (['\ufeff'] as unknown as RegExpExecArray) : null) },
  start_chars_hint: ['\ufeff'],
  line_breaks: false,
  group: Lexer.SKIPPED,
});
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
export const At = punct('At', '@', "'@'");
export const EqEq = punct('EqEq', '==', "'=='");
export const NotEq = punct('NotEq', '!=', "'!='");
export const LessEq = punct('LessEq', '<=', "'<='");
export const GreaterEq = punct('GreaterEq', '>=', "'>='");
export const Less = punct('Less', '<', "'<'");
export const Greater = punct('Greater', '>', "'>'");
export const Ellipsis = punct('Ellipsis', '...', "'...'");
export const DotDot = punct('DotDot', '..', "'..'");

export const allTokens: TokenType[] = [
  ByteOrderMark,
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
  If,
  Else,
  For,
  In,
  And,
  Or,
  Not,
  Identifier,
  Ellipsis,
  DotDot,
  BadNumber,
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
  EqEq,
  NotEq,
  LessEq,
  GreaterEq,
  Less,
  Greater,
  Equals,
  Plus,
  Minus,
  Star,
  Slash,
  Percent,
  At,
];

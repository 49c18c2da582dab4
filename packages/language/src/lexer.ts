/**
 * Phase 1, lexing: text → tokens (+ comments kept aside for the formatter). Never throws; bad
 * characters, unterminated strings and comments become DLM1xxx diagnostics.
 */
import { createToken, Lexer, tokenMatcher, type ILexingError, type IToken, type TokenType } from 'chevrotain';
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

/** Lexer messages are worded by reportStrayCharacters; building Chevrotain's own for each of 100,000s of stray characters is wasted work. */
const quietErrors = {
  buildUnexpectedCharactersMessage: () => '',
  buildUnableToPopLexerModeMessage: () => '',
};

// Offsets only: Chevrotain's 'full' tracking (line and column of every token) made lexing about
// 5× slower; the lines that tokens need are filled in by one pass (addLines), columns never are.
const lexer = new Lexer(allTokens, { positionTracking: 'onlyOffset', ensureOptimizations: true, errorMessageProvider: quietErrors });

/**
 * Sets `startLine` and `endLine` (1-based; tokens never span lines) as Chevrotain's full tracking
 * would, counting '\n', '\r\n' and a lone '\r' as line ends. One pass over the text.
 */
function addLines(text: string, tokens: IToken[]): void {
  let line = 1;
  let pos = 0;
  for (const t of tokens) {
    for (; pos < t.startOffset; pos++) {
      const c = text.charCodeAt(pos);
      if (c === 10 || (c === 13 && text.charCodeAt(pos + 1) !== 10)) line++;
    }
    t.startLine = line;
    t.endLine = line;
  }
}

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
  addLines(text, r.tokens);
  reportStrayCharacters(text, r.errors, lines, bag);
  for (const t of r.tokens) if (tokenMatcher(t, NumberLit)) checkNumber(t, lines, bag);
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
  // Neither can start anywhere: nothing to look for (the common case, and a large file's fast path).
  if (!text.includes('"') && !text.includes('/*')) return;
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
  // Tokens and comments are each in source order: walk both at once, in order of start.
  let ti = 0;
  let ci = 0;
  while (ti < tokens.length || ci < comments.length) {
    const t = tokens[ti];
    const c = comments[ci];
    let s: number;
    let e: number;
    if (t && (!c || t.startOffset <= c.start)) {
      s = t.startOffset;
      e = s + t.image.length;
      ti++;
    } else {
      s = c!.start;
      e = c!.end;
      ci++;
    }
    if (s > pos) scanGap(pos, s);
    pos = Math.max(pos, e);
  }
  if (pos < text.length) scanGap(pos, text.length);
}

/** Runs of stray characters reported one by one; the rest of the file's are counted in one DLM1025. */
export const MAX_STRAY_REPORTS = 1000;

/** Longest text of a run of stray characters quoted in its message. */
const SHOWN_CHARS = 20;

/**
 * One diagnostic per run of stray characters: Chevrotain reports each stretch between two
 * whitespace gaps on its own, and an 80 KB line of junk must not become 40,000 messages.
 */
function reportStrayCharacters(text: string, errors: readonly ILexingError[], lines: LineMap, bag: DiagnosticBag): void {
  let i = 0;
  let reported = 0;
  while (i < errors.length) {
    if (reported === MAX_STRAY_REPORTS) {
      // The rest in one diagnostic: a megabyte of junk must not become 100,000s of diagnostics.
      const last = errors[errors.length - 1]!;
      let count = 0;
      for (let k = i; k < errors.length; k++) count += Math.max(1, errors[k]!.length);
      bag.report('DLM1025', [count, lines.position(last.offset).line], lines.span(errors[i]!.offset, last.offset + Math.max(1, last.length)));
      return;
    }
    reported++;
    const start = errors[i]!.offset;
    let end = start + Math.max(1, errors[i]!.length);
    let j = i + 1;
    while (j < errors.length && /^[ \t]*$/.test(text.slice(end, errors[j]!.offset))) {
      end = errors[j]!.offset + Math.max(1, errors[j]!.length);
      j++;
    }
    const run = text.slice(start, end);
    const shown = (run.length > SHOWN_CHARS ? run.slice(0, SHOWN_CHARS) + '…' : run).replace(/\s+/g, ' ');
    if (j - i === 1 && run.length === 1) bag.report('DLM1001', [shown], lines.span(start, end));
    else bag.report('DLM1020', [shown, end - start], lines.span(start, end));
    i = j;
  }
}

/** Numbers must be numbers, and integers exact: above 2^53 a double rounds them silently. */
function checkNumber(t: IToken, lines: LineMap, bag: DiagnosticBag): void {
  const span = () => lines.span(t.startOffset, t.startOffset + t.image.length);
  const shown = t.image.length > SHOWN_CHARS ? t.image.slice(0, SHOWN_CHARS) + '…' : t.image;
  if (t.tokenType === BadNumber) bag.report('DLM1021', [shown], span());
  else if (/^\d+$/.test(t.image) && !Number.isSafeInteger(Number(t.image))) bag.report('DLM1022', [shown, Number.MAX_SAFE_INTEGER], span());
}

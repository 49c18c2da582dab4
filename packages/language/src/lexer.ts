/**
 * Phase 1, lexing: text → tokens (+ comments kept aside for the formatter). Never throws; bad
 * characters, unterminated strings and comments become DLM1xxx diagnostics. The token types are
 * in ./tokens.ts (re-exported here); the scanning is ./scanner.ts.
 */
import type { IToken } from 'chevrotain';
import { DiagnosticBag, LineMap, type Diagnostic } from '@dlm/core';
import { scan } from './scanner.js';
import { BadNumber, BlockComment, NumberLit } from './tokens.js';

export * from './tokens.js';

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
  const r = scan(text);
  reportStrayCharacters(text, r.errors, lines, bag);
  for (const t of r.tokens) if (t.tokenType === NumberLit || t.tokenType === BadNumber) checkNumber(t, lines, bag);
  // Unclosed strings and comments are skipped text: found in the gaps between tokens and comments.
  const comments: Comment[] = r.comments.map((t) => ({
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
function reportStrayCharacters(text: string, errors: readonly { offset: number; length: number }[], lines: LineMap, bag: DiagnosticBag): void {
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

/**
 * Renders diagnostics as text: a header, the location, and a code frame with carets under the
 * span. Colour only when asked (the CLI asks when stdout is a terminal), so golden files stay plain.
 */
import type { Diagnostic } from './diagnostics.js';
import type { SourceSpan } from './ir.js';

export interface PrintOptions {
  color?: boolean;
  /** Source text by file name; a diagnostic whose file is missing prints without a frame. */
  sources?: ReadonlyMap<string, string> | Record<string, string>;
  /** Diagnostics printed per file before the rest are only counted; 0 prints all. Default DEFAULT_MAX_ERRORS. */
  maxErrors?: number;
  /** Appended to the "more diagnostics" line, e.g. how to change the limit. */
  limitHint?: string;
}

const ANSI = {
  red: '\x1b[31m',
  yellow: '\x1b[33m',
  cyan: '\x1b[36m',
  blue: '\x1b[34m',
  bold: '\x1b[1m',
  reset: '\x1b[0m',
};

function sourceOf(sources: PrintOptions['sources'], file: string): string | undefined {
  if (!sources) return undefined;
  if (sources instanceof Map) return sources.get(file);
  return (sources as Record<string, string>)[file];
}

export function formatLocation(span: SourceSpan): string {
  return `${span.file}:${span.line}:${span.col}`;
}

/**
 * Widest slice of one source line a frame shows. A longer line (minified or generated input can
 * be megabytes on one line) is shown as a window around the span, elided with '…' on either side,
 * so the output stays bounded whatever the input.
 */
export const FRAME_WIDTH = 160;
/** Columns kept left of the span when a long line is windowed, for context. */
const FRAME_LEAD = 40;

/** Diagnostics printed per file by default before the rest are only counted (as compilers do). */
export const DEFAULT_MAX_ERRORS = 50;

/**
 * Offset where line `span.line` starts. Spans made by a LineMap give it in O(1) from their column
 * (so printing many diagnostics stays linear in their number); other spans fall back to a scan.
 */
function lineStartOf(source: string, span: SourceSpan): number {
  const guess = span.start - (span.col - 1);
  const bomFirst = span.line === 1 && guess === 1 && source.charCodeAt(0) === 0xfeff;
  if (guess === 0 || bomFirst || (guess > 0 && guess <= source.length && source.charCodeAt(guess - 1) === 10)) return guess;
  let at = 0;
  for (let ln = 1; ln < span.line && at >= 0; ln++) {
    const nl = source.indexOf('\n', at);
    at = nl < 0 ? -1 : nl + 1;
  }
  return Math.max(0, at < 0 ? source.length : at);
}

/** The source lines a span covers, with a gutter and carets underneath (at most 3 lines shown). */
export function codeFrame(source: string, span: SourceSpan, color = false): string {
  const first = span.line;
  const last = Math.min(span.endLine, first + 2);
  const width = String(last).length;
  const paint = (s: string, c: string) => (color ? c + s + ANSI.reset : s);
  const out: string[] = [];
  out.push(`${' '.repeat(width)} ${paint('|', ANSI.blue)}`);
  let lineStart = lineStartOf(source, span);
  for (let ln = first; ln <= last; ln++) {
    const nl = source.indexOf('\n', lineStart);
    let lineEnd = nl < 0 ? source.length : nl;
    if (lineEnd > lineStart && source.charCodeAt(lineEnd - 1) === 13) lineEnd--;
    const length = Math.max(0, lineEnd - lineStart);
    const startCol = ln === first ? span.col : firstNonSpaceCol(source.slice(lineStart, lineStart + Math.min(length, FRAME_WIDTH)));
    const endCol = ln === span.endLine ? span.endCol : length + 1;
    // The window [from, to) of columns (0-based) shown for this line.
    let from = 0;
    if (length > FRAME_WIDTH) from = Math.max(0, Math.min(startCol - 1 - FRAME_LEAD, length - FRAME_WIDTH));
    const to = Math.min(length, from + FRAME_WIDTH);
    const lead = from > 0 ? '…' : '';
    const text = lead + source.slice(lineStart + from, lineStart + to).replace(/\t/g, ' ') + (to < length ? '…' : '');
    out.push(`${paint(String(ln).padStart(width), ANSI.blue)} ${paint('|', ANSI.blue)} ${text}`);
    const caretFrom = Math.max(0, startCol - 1 - from) + lead.length;
    const caretTo = Math.min(endCol - 1 - from, to - from + 1) + lead.length;
    const carets = ' '.repeat(caretFrom) + '^'.repeat(Math.max(1, caretTo - caretFrom));
    out.push(`${' '.repeat(width)} ${paint('|', ANSI.blue)} ${paint(carets, ANSI.red)}`);
    if (nl < 0) break;
    lineStart = nl + 1;
  }
  return out.join('\n');
}

function firstNonSpaceCol(text: string): number {
  const m = /\S/.exec(text);
  return m ? m.index + 1 : 1;
}

export function formatDiagnostic(d: Diagnostic, opts: PrintOptions = {}): string {
  const color = opts.color ?? false;
  const sevColor = d.severity === 'error' ? ANSI.red : d.severity === 'warning' ? ANSI.yellow : ANSI.cyan;
  const paint = (s: string, c: string) => (color ? c + s + ANSI.reset : s);
  const lines: string[] = [];
  lines.push(`${paint(`${d.severity}[${d.code}]`, ANSI.bold + sevColor)}: ${paint(d.message, color ? ANSI.bold : '')}`);
  if (d.span) {
    lines.push(`  ${paint('-->', ANSI.blue)} ${formatLocation(d.span)}`);
    const src = sourceOf(opts.sources, d.span.file);
    if (src !== undefined) lines.push(codeFrame(src, d.span, color));
  }
  for (const n of d.notes) {
    const where = n.span ? ` (${formatLocation(n.span)})` : '';
    lines.push(`  ${paint('=', ANSI.blue)} note: ${n.message}${where}`);
  }
  return lines.join('\n');
}

/**
 * All diagnostics as text, with a closing count. At most `maxErrors` diagnostics per file are
 * printed (default DEFAULT_MAX_ERRORS; 0 prints all); the rest of that file's are counted in one
 * line, so a file with 20,000 mistakes still prints a screenful.
 */
export function formatDiagnostics(ds: readonly Diagnostic[], opts: PrintOptions = {}): string {
  if (ds.length === 0) return '';
  const limit = opts.maxErrors === undefined ? DEFAULT_MAX_ERRORS : opts.maxErrors <= 0 ? Infinity : opts.maxErrors;
  let errors = 0;
  let warnings = 0;
  const shown = new Map<string, number>();
  const hidden = new Map<string, number>();
  const parts: string[] = [];
  for (const d of ds) {
    if (d.severity === 'error') errors++;
    else if (d.severity === 'warning') warnings++;
    const file = d.span?.file ?? '';
    const n = shown.get(file) ?? 0;
    if (n >= limit) {
      hidden.set(file, (hidden.get(file) ?? 0) + 1);
      continue;
    }
    shown.set(file, n + 1);
    parts.push(formatDiagnostic(d, opts));
  }
  const plural = (n: number, w: string) => `${n} ${w}${n === 1 ? '' : 's'}`;
  for (const [file, n] of hidden) {
    parts.push(`… and ${plural(n, 'more diagnostic')}${file ? ` in ${file}` : ''}, not shown (at most ${limit} per file${opts.limitHint ? `; ${opts.limitHint}` : ''}).`);
  }
  return `${parts.join('\n\n')}\n\n${plural(errors, 'error')}, ${plural(warnings, 'warning')}\n`;
}

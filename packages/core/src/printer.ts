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

/** The source lines a span covers, with a gutter and carets underneath (at most 3 lines shown). */
export function codeFrame(source: string, span: SourceSpan, color = false): string {
  const lines = source.split(/\r?\n/);
  const first = span.line;
  const last = Math.min(span.endLine, first + 2);
  const width = String(last).length;
  const paint = (s: string, c: string) => (color ? c + s + ANSI.reset : s);
  const out: string[] = [];
  out.push(`${' '.repeat(width)} ${paint('|', ANSI.blue)}`);
  for (let ln = first; ln <= last; ln++) {
    const text = (lines[ln - 1] ?? '').replace(/\t/g, ' ');
    out.push(`${paint(String(ln).padStart(width), ANSI.blue)} ${paint('|', ANSI.blue)} ${text}`);
    const startCol = ln === first ? span.col : firstNonSpaceCol(text);
    const endCol = ln === span.endLine ? span.endCol : text.length + 1;
    const len = Math.max(1, endCol - startCol);
    const carets = ' '.repeat(Math.max(0, startCol - 1)) + '^'.repeat(len);
    out.push(`${' '.repeat(width)} ${paint('|', ANSI.blue)} ${paint(carets, ANSI.red)}`);
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

export function formatDiagnostics(ds: readonly Diagnostic[], opts: PrintOptions = {}): string {
  if (ds.length === 0) return '';
  const errors = ds.filter((d) => d.severity === 'error').length;
  const warnings = ds.filter((d) => d.severity === 'warning').length;
  const body = ds.map((d) => formatDiagnostic(d, opts)).join('\n\n');
  const plural = (n: number, w: string) => `${n} ${w}${n === 1 ? '' : 's'}`;
  return `${body}\n\n${plural(errors, 'error')}, ${plural(warnings, 'warning')}\n`;
}

import type { SourceSpan } from '@dlm/core';

/**
 * A function that moves a span of `file` within [from, to) by `offset` characters and `lines`
 * lines (columns stay: the text moved as a whole) and returns any other span as it is. Each span
 * is moved once: the spans shared by several objects (a layer's record, nodes and parameters all
 * point at its call's span) stay shared in the copies.
 */
export function spanMover(file: string, from: number, to: number, offset: number, lines: number): (span: SourceSpan) => SourceSpan {
  const spans = new Map<SourceSpan, SourceSpan>();
  return (x) => {
    let out = spans.get(x);
    if (!out) {
      const moved = x.file === file && x.start >= from && x.end <= to;
      out = moved ? { ...x, start: x.start + offset, end: x.end + offset, line: x.line + lines, endLine: x.endLine + lines } : x;
      spans.set(x, out);
    }
    return out;
  };
}

/**
 * A copy of `value` (AST or IR: plain objects and arrays) whose spans in `file` within [from, to)
 * moved by `offset` characters and `lines` lines. Used for text that did not change but moved (an
 * edit above it), so columns stay.
 * `offsetKeys`: properties that hold a bare offset into `file` (the AST's `thenEnd`, `bodyEnd`).
 */
export function shiftSpans<T>(value: T, file: string, from: number, to: number, offset: number, lines: number, offsetKeys?: ReadonlySet<string>): T {
  const move = spanMover(file, from, to, offset, lines);
  const copy = (x: object): unknown => {
    if (Array.isArray(x)) {
      const arr = new Array<unknown>(x.length);
      for (let i = 0; i < x.length; i++) {
        const v: unknown = x[i];
        arr[i] = v !== null && typeof v === 'object' ? copy(v) : v;
      }
      return arr;
    }
    if (isSpan(x)) return move(x);
    const obj: Record<string, unknown> = { ...(x as Record<string, unknown>) };
    for (const k in obj) {
      const v = obj[k];
      if (v !== null && typeof v === 'object') obj[k] = copy(v);
      else if (offsetKeys?.has(k) && typeof v === 'number' && v >= from && v <= to) obj[k] = v + offset;
    }
    return obj;
  };
  return (value !== null && typeof value === 'object' ? copy(value) : value) as T;
}

function isSpan(x: object): x is SourceSpan {
  const s = x as Partial<SourceSpan>;
  return typeof s.file === 'string' && typeof s.start === 'number' && typeof s.endCol === 'number';
}

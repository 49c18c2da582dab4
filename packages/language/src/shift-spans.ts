import type { SourceSpan } from '@dlm/core';

/**
 * A copy of `value` (AST or IR: plain objects and arrays) whose spans in `file` within [from, to)
 * moved by `offset` characters and `lines` lines. Used for text that did not change but moved (an
 * edit above it), so columns stay.
 * `offsetKeys`: properties that hold a bare offset into `file` (the AST's `thenEnd`, `bodyEnd`).
 */
export function shiftSpans<T>(value: T, file: string, from: number, to: number, offset: number, lines: number, offsetKeys?: ReadonlySet<string>): T {
  // Spans are often shared (a layer's record, nodes and parameters point at its call's span):
  // each is shifted once, and the copies share it. Other objects are copied as they are met.
  const spans = new Map<SourceSpan, SourceSpan>();
  const copy = (x: unknown): unknown => {
    if (x === null || typeof x !== 'object') return x;
    if (Array.isArray(x)) {
      const arr = new Array<unknown>(x.length);
      for (let i = 0; i < x.length; i++) {
        const v: unknown = x[i];
        arr[i] = v !== null && typeof v === 'object' ? copy(v) : v;
      }
      return arr;
    }
    if (isSpan(x)) {
      let out = spans.get(x);
      if (!out) {
        const moved = x.file === file && x.start >= from && x.end <= to;
        out = moved ? { ...x, start: x.start + offset, end: x.end + offset, line: x.line + lines, endLine: x.endLine + lines } : x;
        spans.set(x, out);
      }
      return out;
    }
    const obj: Record<string, unknown> = { ...(x as Record<string, unknown>) };
    for (const k in obj) {
      const v = obj[k];
      if (v !== null && typeof v === 'object') obj[k] = copy(v);
      else if (offsetKeys?.has(k) && typeof v === 'number' && v >= from && v <= to) obj[k] = v + offset;
    }
    return obj;
  };
  return copy(value) as T;
}

function isSpan(x: object): x is SourceSpan {
  const s = x as Partial<SourceSpan>;
  return typeof s.file === 'string' && typeof s.start === 'number' && typeof s.endCol === 'number';
}

import type { SourceSpan } from '@dlm/core';

/**
 * A copy of `value` (AST or IR: plain objects and arrays) whose spans in `file` within [from, to)
 * moved by `offset` characters and `lines` lines. Used for text that did not change but moved (an
 * edit above it), so columns stay. Objects shared in `value` stay shared in the copy.
 * `offsetKeys`: properties that hold a bare offset into `file` (the AST's `thenEnd`, `bodyEnd`).
 */
export function shiftSpans<T>(value: T, file: string, from: number, to: number, offset: number, lines: number, offsetKeys?: ReadonlySet<string>): T {
  const copies = new Map<object, unknown>();
  const copy = (x: unknown): unknown => {
    if (x === null || typeof x !== 'object') return x;
    const done = copies.get(x);
    if (done !== undefined) return done;
    if (Array.isArray(x)) {
      const arr: unknown[] = [];
      copies.set(x, arr);
      for (const v of x) arr.push(copy(v));
      return arr;
    }
    if (isSpan(x)) {
      const moved = x.file === file && x.start >= from && x.end <= to;
      const out = moved ? { ...x, start: x.start + offset, end: x.end + offset, line: x.line + lines, endLine: x.endLine + lines } : x;
      copies.set(x, out);
      return out;
    }
    const obj: Record<string, unknown> = {};
    copies.set(x, obj);
    for (const k of Object.keys(x)) {
      const v = (x as Record<string, unknown>)[k];
      obj[k] = offsetKeys?.has(k) && typeof v === 'number' && v >= from && v <= to ? v + offset : copy(v);
    }
    return obj;
  };
  return copy(value) as T;
}

function isSpan(x: object): x is SourceSpan {
  const s = x as Partial<SourceSpan>;
  return typeof s.file === 'string' && typeof s.start === 'number' && typeof s.endCol === 'number';
}

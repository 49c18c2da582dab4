/** Values of the evaluator and how messages describe them. */
import type { ArgValue, SourceSpan } from '@dlm/core';
import type * as A from './ast.js';

export type Val =
  | { k: 'const'; v: ArgValue; sym?: string }
  | { k: 'tensor'; name: string }
  | { k: 'tuple'; items: string[] }
  | { k: 'error' };

export const ERR: Val = { k: 'error' };

export interface Binding {
  val: Val;
  span: SourceSpan;
  used: boolean;
  /** Warn when never read. */
  warnUnused: boolean;
  /**
   * Where the value is a bare name bound to nothing (`z = q`), which the compiler keeps as a
   * symbol (an enum value or a dim) until it is used. Never used, it is reported as unknown there.
   */
  symbolSpan?: SourceSpan;
}

export function spanJoin(a: SourceSpan, b: SourceSpan): SourceSpan {
  return { file: a.file, start: a.start, end: b.end, line: a.line, col: a.col, endLine: b.endLine, endCol: b.endCol };
}

export function describeVal(v: Val): string {
  switch (v.k) {
    case 'tensor':
      return `a tensor`;
    case 'tuple':
      return `a tuple of ${v.items.length} tensors`;
    case 'error':
      return 'an erroneous value';
    case 'const': {
      const x = v.v;
      if (v.sym) return `the name '${v.sym}'`;
      if (x === null) return 'nothing';
      if (typeof x === 'number') return Number.isInteger(x) ? `the integer ${x}` : `the number ${x}`;
      if (typeof x === 'boolean') return `the boolean ${x}`;
      if (typeof x === 'string') return `the string "${x}"`;
      if (Array.isArray(x)) return `a list of ${x.length}`;
      return `the call ${x.name}(…)`;
    }
  }
}

export function describeExprKind(e: A.Expr): string {
  switch (e.kind) {
    case 'number':
      return `the number ${e.raw}`;
    case 'string':
      return `the string ${e.raw}`;
    case 'bool':
      return `the boolean ${e.value}`;
    case 'list':
      return 'a list';
    case 'tuple':
      return 'a tuple';
    case 'binary':
    case 'neg':
      return 'an arithmetic expression';
    case 'pipe':
      return 'a pipeline';
    case 'name':
      return `the name '${e.name}'`;
    case 'call':
      return `the call ${e.callee.name}(…)`;
    default:
      return 'an expression';
  }
}

/** Short source-like text of an expression for messages. */
export function exprText(e: A.Expr): string {
  switch (e.kind) {
    case 'name':
      return e.name;
    case 'call':
      return `${e.callee.name}(…)`;
    case 'number':
      return e.raw;
    default:
      return describeExprKind(e);
  }
}

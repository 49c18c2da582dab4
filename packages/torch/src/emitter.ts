/**
 * A small structured Python emitter. Lowerings build expressions as data (`py.call`, `py.attr`,
 * `py.bin`, literals) and statements through `PyBlock`; only `render` turns them into text. This
 * keeps quoting, float formatting, keyword arguments and indentation in one place, so the
 * generated code reads like torch.fx's printed code: one op per line, `name = f(args)`.
 */

export type PyExpr =
  | { kind: 'name'; id: string }
  | { kind: 'lit'; value: PyLiteral }
  | { kind: 'attr'; obj: PyExpr; name: string }
  | { kind: 'call'; fn: PyExpr; args: PyExpr[]; kwargs: [string, PyExpr][] }
  | { kind: 'bin'; op: '+' | '-' | '*' | '/' | '@'; left: PyExpr; right: PyExpr }
  | { kind: 'index'; obj: PyExpr; items: PyExpr[] }
  | { kind: 'tuple'; items: PyExpr[] }
  | { kind: 'list'; items: PyExpr[] }
  | { kind: 'slice'; start?: PyExpr; stop?: PyExpr; step?: PyExpr }
  | { kind: 'neg'; value: PyExpr };

export type PyLiteral = number | string | boolean | null | { float: number } | PyLiteral[];

/** Keyword arguments in insertion order; `undefined` values are left out (the callee's default). */
export type PyKwargs = Record<string, PyExpr | PyLiteral | undefined>;

function toExpr(v: PyExpr | PyLiteral): PyExpr {
  if (v !== null && typeof v === 'object' && !Array.isArray(v) && 'kind' in v) return v;
  return { kind: 'lit', value: v as PyLiteral };
}

export const py = {
  name: (id: string): PyExpr => ({ kind: 'name', id }),
  lit: (value: PyLiteral): PyExpr => ({ kind: 'lit', value }),
  /** A float literal that always prints as a float (1.0, not 1), as PyTorch signatures expect. */
  float: (value: number): PyExpr => ({ kind: 'lit', value: { float: value } }),
  /** `a.b.c` from a dotted path. */
  path: (dotted: string): PyExpr => dotted.split('.').slice(1).reduce<PyExpr>((o, n) => ({ kind: 'attr', obj: o, name: n }), { kind: 'name', id: dotted.split('.')[0]! }),
  attr: (obj: PyExpr, name: string): PyExpr => ({ kind: 'attr', obj, name }),
  call: (fn: PyExpr | string, args: (PyExpr | PyLiteral)[] = [], kwargs: PyKwargs = {}): PyExpr => ({
    kind: 'call',
    fn: typeof fn === 'string' ? py.path(fn) : fn,
    args: args.map(toExpr),
    kwargs: Object.entries(kwargs)
      .filter((e): e is [string, PyExpr | PyLiteral] => e[1] !== undefined)
      .map(([k, v]) => [k, toExpr(v)]),
  }),
  /** `obj.method(args)` */
  method: (obj: PyExpr, method: string, args: (PyExpr | PyLiteral)[] = [], kwargs: PyKwargs = {}): PyExpr => py.call(py.attr(obj, method), args, kwargs),
  bin: (op: '+' | '-' | '*' | '/' | '@', left: PyExpr, right: PyExpr): PyExpr => ({ kind: 'bin', op, left, right }),
  index: (obj: PyExpr, items: PyExpr[]): PyExpr => ({ kind: 'index', obj, items }),
  slice: (start?: PyExpr, stop?: PyExpr, step?: PyExpr): PyExpr => ({ kind: 'slice', ...(start ? { start } : {}), ...(stop ? { stop } : {}), ...(step ? { step } : {}) }),
  tuple: (items: (PyExpr | PyLiteral)[]): PyExpr => ({ kind: 'tuple', items: items.map(toExpr) }),
  list: (items: (PyExpr | PyLiteral)[]): PyExpr => ({ kind: 'list', items: items.map(toExpr) }),
  neg: (value: PyExpr): PyExpr => ({ kind: 'neg', value }),
};

const IDENT = /^[A-Za-z_][A-Za-z0-9_]*$/;

export const PYTHON_KEYWORDS = new Set(
  'False None True and as assert async await break class continue def del elif else except finally for from global if import in is lambda nonlocal not or pass raise return try while with yield'.split(' '),
);

export function isIdentifier(s: string): boolean {
  return IDENT.test(s) && !PYTHON_KEYWORDS.has(s);
}

/** Python's repr of a float: shortest round-trip digits, always with a '.' or an exponent. */
export function formatFloat(v: number): string {
  if (Number.isNaN(v)) return "float('nan')";
  if (!Number.isFinite(v)) return v > 0 ? "float('inf')" : "-float('inf')";
  const s = String(v);
  return /[.e]/.test(s) ? s : `${s}.0`;
}

function renderLiteral(v: PyLiteral): string {
  if (v === null) return 'None';
  if (typeof v === 'boolean') return v ? 'True' : 'False';
  if (typeof v === 'number') return Number.isInteger(v) ? String(v) : formatFloat(v);
  if (typeof v === 'string') return `'${v.replace(/\\/g, '\\\\').replace(/'/g, "\\'").replace(/\n/g, '\\n')}'`;
  if (Array.isArray(v)) return `[${v.map(renderLiteral).join(', ')}]`;
  return formatFloat(v.float);
}

/** Binding strength, for parentheses: higher binds tighter. */
function precedence(e: PyExpr): number {
  if (e.kind === 'bin') return e.op === '+' || e.op === '-' ? 1 : 2;
  if (e.kind === 'neg') return 3;
  if (e.kind === 'lit' && typeof e.value === 'number' && e.value < 0) return 3;
  return 4;
}

export function render(e: PyExpr): string {
  switch (e.kind) {
    case 'name':
      return e.id;
    case 'lit':
      return renderLiteral(e.value);
    case 'attr':
      return `${wrap(e.obj, 4)}.${e.name}`;
    case 'call': {
      const parts = [...e.args.map(render), ...e.kwargs.map(([k, v]) => `${k}=${render(v)}`)];
      return `${wrap(e.fn, 4)}(${parts.join(', ')})`;
    }
    case 'bin': {
      const p = precedence(e);
      // Left-associative: the right operand needs parentheses at equal precedence.
      return `${wrap(e.left, p)} ${e.op} ${wrap(e.right, p + 1)}`;
    }
    case 'index':
      return `${wrap(e.obj, 4)}[${e.items.map(render).join(', ')}]`;
    case 'tuple':
      return e.items.length === 1 ? `(${render(e.items[0]!)},)` : `(${e.items.map(render).join(', ')})`;
    case 'list':
      return `[${e.items.map(render).join(', ')}]`;
    case 'slice':
      return `${e.start ? render(e.start) : ''}:${e.stop ? render(e.stop) : ''}${e.step ? `:${render(e.step)}` : ''}`;
    case 'neg':
      return `-${wrap(e.value, 3)}`;
  }
}

function wrap(e: PyExpr, min: number): string {
  return precedence(e) < min ? `(${render(e)})` : render(e);
}

/** An indented sequence of Python statements. */
export class PyBlock {
  private readonly lines: string[] = [];

  constructor(private readonly indent = 0) {}

  /** `targets = value  # comment`; several targets unpack a tuple. */
  assign(targets: readonly string[], value: PyExpr, comment?: string): void {
    const lhs = targets.length === 0 ? '_' : targets.join(', ');
    this.raw(`${lhs} = ${render(value)}`, comment);
  }

  /** An expression statement (a call for its effect). */
  expr(value: PyExpr, comment?: string): void {
    this.raw(render(value), comment);
  }

  return(value: PyExpr): void {
    this.raw(`return ${render(value)}`);
  }

  comment(text: string): void {
    for (const line of text.split('\n')) this.lines.push(`${'    '.repeat(this.indent)}# ${line}`.trimEnd());
  }

  blank(): void {
    this.lines.push('');
  }

  /** A compound statement: `header:` followed by an indented body. */
  nest(header: string, body: (b: PyBlock) => void): void {
    this.raw(`${header}:`);
    const inner = new PyBlock(this.indent + 1);
    body(inner);
    if (inner.lines.length === 0) inner.raw('pass');
    this.lines.push(...inner.lines);
  }

  /** A statement already in Python syntax (keywords such as `super().__init__()`). */
  raw(text: string, comment?: string): void {
    this.lines.push(`${'    '.repeat(this.indent)}${text}${comment ? `  # ${comment}` : ''}`);
  }

  /** Appends another block's statements as they are (it was created with the right indent). */
  append(other: PyBlock): void {
    this.lines.push(...other.lines);
  }

  toString(): string {
    return this.lines.join('\n');
  }
}

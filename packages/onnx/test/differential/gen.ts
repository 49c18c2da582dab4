/**
 * The generator's state and helpers (see generate.ts): the values a program has defined with
 * their shapes, its inputs and top-level declarations, and the seeded draws.
 */

/** A dim: a number, `time` (bound to TIME when the model runs) or an expression of it (`time-1`). */
export type Dim = number | string;

export interface Val {
  name: string;
  /** The axes after the batch axis. */
  shape: Dim[];
}

/** A value whose dims are all numbers. */
export interface StaticVal {
  name: string;
  shape: number[];
}

/** The length the symbolic `time` gets when the generated models run. */
export const TIME = 5;

export const isStatic = (v: Val): v is StaticVal => v.shape.every((d) => typeof d === 'number');
export const num = (d: Dim | undefined): d is number => typeof d === 'number';

export interface GeneratedInput {
  name: string;
  dtype: 'f32' | 'i32';
  /** After the batch axis. */
  shape: Dim[];
  /** Integer inputs: values drawn from [low, high] (ids below a table's size, lengths ≥ 1). */
  low?: number;
  high?: number;
}

export interface GeneratedProgram {
  seed: number;
  /** The batch size the model runs with. */
  batch: number;
  steps: number;
  source: string;
  inputs: GeneratedInput[];
  /** The step kinds used, in order (for summaries). */
  kinds: string[];
}

type Rand = () => number;

export class Gen {
  readonly lines: string[] = [];
  readonly tops: string[] = [];
  readonly inputs: GeneratedInput[] = [];
  readonly vals: Val[] = [];
  readonly kinds: string[] = [];
  private counter = 0;
  /** Large sizes: reach the kernels that only larger tensors take (tiled or per-matrix matmul). */
  big = false;
  constructor(readonly r: Rand) {}

  /** A layer width: small, or large in a big program. */
  width(lo: number, hi: number): number {
    return this.big ? this.int(4 * hi, 8 * hi) : this.int(lo, hi);
  }

  int(lo: number, hi: number): number {
    return lo + Math.floor(this.r() * (hi - lo + 1));
  }
  pick<T>(xs: readonly T[]): T {
    return xs[Math.floor(this.r() * xs.length)]!;
  }
  chance(p: number): boolean {
    return this.r() < p;
  }
  fresh(prefix = 'v'): string {
    return `${prefix}${++this.counter}`;
  }
  /** A value with static dims to work on: usually a recent one, so chains grow deep, sometimes an old one (DAGs). */
  val(ok: (v: StaticVal) => boolean = () => true): StaticVal | undefined {
    return this.sym((v) => isStatic(v) && ok(v)) as StaticVal | undefined;
  }
  /** A value that may have symbolic dims. */
  sym(ok: (v: Val) => boolean = () => true): Val | undefined {
    const c = this.vals.filter(ok);
    if (c.length === 0) return undefined;
    return this.chance(0.6) ? c[c.length - 1]! : this.pick(c);
  }
  def(expr: string, shape: Dim[], prefix = 'v'): Val {
    const v = { name: this.fresh(prefix), shape };
    this.lines.push(`  ${v.name} = ${expr}`);
    this.vals.push(v);
    return v;
  }
  input(shape: Dim[]): Val {
    const v = { name: this.fresh('x'), shape };
    this.inputs.push({ name: v.name, dtype: 'f32', shape });
    this.vals.push(v);
    return v;
  }
  intInput(shape: number[], low: number, high: number): string {
    const name = this.fresh('n');
    this.inputs.push({ name, dtype: 'i32', shape, low, high });
    return name;
  }
  /** A non-batch axis of a rank-(1 + n) value, as written in the program (sometimes negative). */
  axis(n: number): { at: number; text: string } {
    const at = this.int(0, n - 1);
    return { at, text: String(this.chance(0.4) ? at - n : at + 1) };
  }
}

export const prod = (xs: readonly number[]) => xs.reduce((a, b) => a * b, 1);
export const dims = (shape: readonly Dim[]) => ['batch', ...shape].join(', ');
export const fmt = (x: number) => (Number.isInteger(x) ? x.toFixed(1) : String(x));

/** Python's len(range(start, stop, step)) after NumPy's normalisation of one slice. */
export function sliceLength(n: number, start: number | undefined, stop: number | undefined, step: number): number {
  const norm = (b: number) => (b < 0 ? b + n : b);
  let s: number;
  let e: number;
  if (step > 0) {
    s = start === undefined ? 0 : Math.min(Math.max(norm(start), 0), n);
    e = stop === undefined ? n : Math.min(Math.max(norm(stop), 0), n);
    return Math.max(0, Math.ceil((e - s) / step));
  }
  s = start === undefined ? n - 1 : Math.min(Math.max(norm(start), -1), n - 1);
  e = stop === undefined ? -1 : Math.min(Math.max(norm(stop), -1), n - 1);
  return Math.max(0, Math.ceil((s - e) / -step));
}

export type Step = (g: Gen) => string | undefined;

export const ACTIVATIONS = ['relu', 'sigmoid', 'tanh', 'gelu', 'gelu(approximate: tanh)', 'leaky_relu(alpha: 0.2)', 'elu(alpha: 0.7)'];


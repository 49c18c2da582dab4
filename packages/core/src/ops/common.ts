/**
 * Helpers shared by the op shape rules: argument checks that throw `ShapeError` with both shapes
 * named, symbolic-dim arithmetic, and the sliding-window output size used by Conv and the pools.
 * Not an op; nothing here is registered.
 */
import { broadcastShapes, formatShape, formatType, numelPerSample } from '../dims.js';
import type { AttrValue, Dim, TensorType } from '../ir.js';
import { ShapeError, type AttrSpec, type OpSchema, type ResolvedAttrs } from '../op-schema.js';

/** The input at `i`, which the schema says is required. */
export function need(inputs: readonly (TensorType | undefined)[], i: number, name: string): TensorType {
  const t = inputs[i];
  if (!t) throw new ShapeError(`required input ${name} is missing`);
  return t;
}

export function requireFloat(t: TensorType, name: string): void {
  if (t.dtype !== 'f32') throw new ShapeError(`${name} must be f32, got ${formatType(t)}`);
}

export function requireInteger(t: TensorType, name: string): void {
  if (t.dtype !== 'i32' && t.dtype !== 'i64') throw new ShapeError(`${name} must be an integer tensor (i32 or i64), got ${formatType(t)}`);
}

export function requireRank(t: TensorType, min: number, max: number, name: string, what?: string): void {
  const r = t.shape.length;
  if (r < min || r > max) {
    const want = min === max ? `rank ${min}` : max === Infinity ? `rank ≥ ${min}` : `rank ${min} to ${max}`;
    throw new ShapeError(`${name} must have ${want}${what ? ` (${what})` : ''}, got ${formatType(t)} of rank ${r}`);
  }
}

export function requireSameDType(a: TensorType, b: TensorType, an: string, bn: string): void {
  if (a.dtype !== b.dtype) throw new ShapeError(`${an} ${formatType(a)} and ${bn} ${formatType(b)} have different dtypes`);
}

export function ints(attrs: ResolvedAttrs, key: string): number[] {
  const v = attrs[key];
  if (!Array.isArray(v) || !v.every((x) => typeof x === 'number' && Number.isInteger(x))) {
    throw new ShapeError(`attribute ${key} must be a list of integers, got ${JSON.stringify(v)}`);
  }
  return v as number[];
}

export function int(attrs: ResolvedAttrs, key: string): number {
  const v = attrs[key];
  if (typeof v !== 'number' || !Number.isInteger(v)) throw new ShapeError(`attribute ${key} must be an integer, got ${JSON.stringify(v)}`);
  return v;
}

export function float(attrs: ResolvedAttrs, key: string): number {
  const v = attrs[key];
  if (typeof v !== 'number') throw new ShapeError(`attribute ${key} must be a number, got ${JSON.stringify(v)}`);
  return v;
}

/** Normalizes a possibly negative axis (ONNX convention) against `rank`. */
export function normAxis(axis: number, rank: number, t: TensorType, what = 'axis'): number {
  if (!Number.isInteger(axis) || axis < -rank || axis >= rank) {
    throw new ShapeError(`${what} ${axis} is out of range for ${formatType(t)} (rank ${rank}: allowed ${-rank}..${rank - 1})`);
  }
  return axis < 0 ? axis + rank : axis;
}

/**
 * A per-spatial-axis attribute: empty means the ONNX default (`fill` on every axis); otherwise it
 * must have one value per spatial axis.
 */
export function perAxis(v: number[], n: number, fill: number, key: string, min: number): number[] {
  const out = v.length === 0 ? new Array<number>(n).fill(fill) : v;
  if (out.length !== n) throw new ShapeError(`attribute ${key} has ${v.length} values but the input has ${n} spatial dim(s)`);
  for (const x of out) if (x < min) throw new ShapeError(`attribute ${key} values must be ≥ ${min}, got [${out.join(', ')}]`);
  return out;
}

/** ONNX pads [x1_begin, x2_begin, …, x1_end, x2_end, …]; empty means no padding. */
export function padsOf(v: number[], n: number): { begin: number[]; end: number[] } {
  if (v.length === 0) return { begin: new Array<number>(n).fill(0), end: new Array<number>(n).fill(0) };
  if (v.length !== 2 * n) throw new ShapeError(`attribute pads has ${v.length} values but needs ${2 * n} (begin and end for ${n} spatial dim(s))`);
  if (v.some((p) => p < 0)) throw new ShapeError(`pads must be ≥ 0, got [${v.join(', ')}]`);
  return { begin: v.slice(0, n), end: v.slice(n) };
}

// ───────────────────────────── symbolic dim arithmetic ─────────────────────────────

const IDENT = /^[A-Za-z_][A-Za-z0-9_]*$/;
function wrap(s: string): string {
  return IDENT.test(s) ? s : `(${s})`;
}

/** d + k; a symbol becomes an expression symbol such as "time-4" (exported as an ONNX dim_param). */
export function dimAdd(d: Dim, k: number): Dim {
  if (typeof d === 'number') return d + k;
  if (k === 0) return d;
  return k > 0 ? `${wrap(d)}+${k}` : `${wrap(d)}-${-k}`;
}

export function dimMul(d: Dim, k: number): Dim {
  if (typeof d === 'number') return d * k;
  if (k === 1) return d;
  return `${wrap(d)}*${k}`;
}

/** Product of dims: numbers multiply; symbols join with '*' ("batch*time"). */
export function dimProduct(dims: readonly Dim[]): Dim {
  let num = 1;
  const syms: string[] = [];
  for (const d of dims) {
    if (typeof d === 'number') num *= d;
    else syms.push(d);
  }
  if (syms.length === 0) return num;
  if (num === 0) return 0;
  const s = syms.map(wrap).join('*');
  return num === 1 ? (syms.length === 1 ? syms[0]! : s) : `${s}*${num}`;
}

/** Sum of dims along a concat axis: numbers add; any symbol makes an expression ("a+b+3"). */
export function dimSum(dims: readonly Dim[]): Dim {
  let num = 0;
  const syms: string[] = [];
  for (const d of dims) {
    if (typeof d === 'number') num += d;
    else syms.push(d);
  }
  if (syms.length === 0) return num;
  const s = syms.map(wrap).join('+');
  return num === 0 ? s : `${s}+${num}`;
}

/**
 * Output length of a sliding window (Conv, pools) along one axis:
 *   floor_or_ceil((in + pb + pe - dil*(k-1) - 1) / s) + 1
 * With ceil_mode, a last window that would start inside the end padding is dropped (PyTorch and
 * ONNX opset 19+ agree on this). A symbolic input gives an expression symbol.
 */
export function slidingOut(inp: Dim, k: number, s: number, pb: number, pe: number, dil: number, ceil: boolean, axis: string): Dim {
  const span = dil * (k - 1) + 1;
  if (typeof inp === 'number') {
    const num = inp + pb + pe - span;
    if (num < 0) {
      throw new ShapeError(
        `${axis}: the window spans ${span} (kernel ${k}${dil > 1 ? `, dilation ${dil}` : ''}) but the input is only ${inp}${pb + pe ? ` (${inp + pb + pe} padded)` : ''}`,
      );
    }
    let out = ceil ? Math.ceil(num / s) + 1 : Math.floor(num / s) + 1;
    if (ceil && (out - 1) * s >= inp + pb) out--;
    return out;
  }
  const off = pb + pe - span;
  if (s === 1) return dimAdd(inp, off + 1);
  const inner = off === 0 ? wrap(inp) : `${wrap(inp)}${off > 0 ? '+' : '-'}${Math.abs(off)}`;
  return `${ceil ? 'ceil' : 'floor'}((${inner})/${s})+1`;
}

// ───────────────────────────── schema factories ─────────────────────────────

/** An elementwise op on one f32 tensor: an activation, or math (Sqrt, Exp, …), as `category` says. */
export function unaryFloatOp(
  category: 'activation' | 'elementwise',
  name: string,
  doc: string,
  attrs: Record<string, AttrSpec>,
  flopsPerElement: number,
  check?: (a: ResolvedAttrs, x: TensorType) => void,
): OpSchema {
  return {
    name,
    doc,
    category,
    inputs: [{ name: 'X' }],
    outputs: [{ name: 'Y' }],
    attrs,
    infer: (inputs, a) => {
      const x = need(inputs, 0, 'X');
      requireFloat(x, 'X');
      check?.(a, x);
      return [{ dtype: x.dtype, shape: [...x.shape] }];
    },
    flops: (_in, [y]) => flopsPerElement * numelPerSample(y!.shape),
  };
}

/** A NumPy-broadcasting binary op (Add, Sub, Mul, Div). */
export function broadcastBinaryOp(name: string, doc: string): OpSchema {
  return {
    name,
    doc,
    category: 'elementwise',
    inputs: [{ name: 'A' }, { name: 'B' }],
    outputs: [{ name: 'C' }],
    attrs: {},
    infer: (inputs) => {
      const a = need(inputs, 0, 'A');
      const b = need(inputs, 1, 'B');
      requireSameDType(a, b, 'A', 'B');
      return [{ dtype: a.dtype, shape: broadcast(a.shape, b.shape) }];
    },
    flops: (_in, [c]) => numelPerSample(c!.shape),
  };
}

/** NumPy broadcasting (one implementation, in ../dims.ts). */
export const broadcast = broadcastShapes;

export type { AttrValue };

/**
 * The operands every convolution checks alike (Conv, ConvTranspose): X and W float, X of rank 3–5,
 * W of X's rank, kernel_shape matching W's spatial dims; strides and dilations per spatial axis.
 */
export function convOperands(inputs: (TensorType | undefined)[], attrs: ResolvedAttrs) {
  const x = need(inputs, 0, 'X');
  const w = need(inputs, 1, 'W');
  const b = inputs[2];
  requireFloat(x, 'X');
  requireFloat(w, 'W');
  requireRank(x, 3, 5, 'X', 'batch, channels and 1 to 3 spatial dims');
  const n = x.shape.length - 2;
  if (w.shape.length !== x.shape.length) {
    throw new ShapeError(`W ${formatShape(w.shape)} must have the rank of X ${formatShape(x.shape)} (${x.shape.length})`);
  }
  const k = ints(attrs, 'kernel_shape');
  if (k.length !== n || k.some((v, i) => v !== w.shape[2 + i])) {
    throw new ShapeError(`kernel_shape [${k.join(', ')}] does not match W ${formatShape(w.shape)}`);
  }
  const s = perAxis(ints(attrs, 'strides'), n, 1, 'strides', 1);
  const d = perAxis(ints(attrs, 'dilations'), n, 1, 'dilations', 1);
  return { x, w, b, n, k, s, d };
}

// ───────────────────────────── ops added for transformers (reductions, comparisons, shapes) ─────────────────────────────

/** A comparison (Equal, Less, …): same-dtype operands, NumPy broadcasting, a bool result. */
export function comparisonOp(name: string, doc: string): OpSchema {
  return {
    name,
    doc,
    category: 'elementwise',
    inputs: [{ name: 'A' }, { name: 'B' }],
    outputs: [{ name: 'C', doc: 'bool' }],
    attrs: {},
    integerInputs: [0, 1],
    infer: (inputs) => {
      const a = need(inputs, 0, 'A');
      const b = need(inputs, 1, 'B');
      requireSameDType(a, b, 'A', 'B');
      return [{ dtype: 'bool', shape: broadcast(a.shape, b.shape) }];
    },
    flops: (_in, [c]) => numelPerSample(c!.shape),
  };
}

/** Normalizes a list of axes against `rank`, rejecting out-of-range and repeated axes. */
export function normAxes(axes: readonly number[], rank: number, t: TensorType, what = 'axes'): number[] {
  const out = axes.map((a) => normAxis(a, rank, t, `${what} entry`));
  const dup = out.find((a, i) => out.indexOf(a) !== i);
  if (dup !== undefined) throw new ShapeError(`${what} [${axes.join(', ')}] name axis ${dup} twice`);
  return out;
}

/** A reduction (ReduceMean, ReduceSum, ReduceMax): `axes` ([] = all), `keepdims`. */
export function reduceOp(name: string, doc: string): OpSchema {
  return {
    name,
    doc,
    category: 'reduction',
    inputs: [{ name: 'data' }],
    outputs: [{ name: 'reduced' }],
    attrs: {
      axes: { kind: 'ints', default: [], doc: 'Axes to reduce; negative counts from the end; [] reduces every axis.' },
      keepdims: { kind: 'int', default: 1, doc: '1 keeps each reduced axis with size 1; 0 removes it.' },
    },
    infer: (inputs, attrs) => {
      const x = need(inputs, 0, 'data');
      requireFloat(x, 'data');
      const r = x.shape.length;
      const given = ints(attrs, 'axes');
      const axes = given.length === 0 ? x.shape.map((_, i) => i) : normAxes(given, r, x);
      const keep = int(attrs, 'keepdims') !== 0;
      const shape: Dim[] = [];
      x.shape.forEach((d, i) => {
        if (!axes.includes(i)) shape.push(d);
        else if (keep) shape.push(1);
      });
      return [{ dtype: x.dtype, shape }];
    },
    flops: ([x]) => numelPerSample(x!.shape),
  };
}

/**
 * A shape whose entries are fixed sizes or dims read at run time from an input (`like`): the
 * IR's stand-in for ONNX's Shape → Gather → Concat chain. `shape_from[i]` is the axis of `like`
 * whose size entry i takes, or −1 to take `shape[i]`; an empty `shape_from` means all fixed.
 */
export const SHAPE_FROM_ATTRS: Record<string, AttrSpec> = {
  shape: { kind: 'ints', doc: 'Fixed sizes (entries read from `like` are ignored; write 0 there).' },
  shape_from: { kind: 'ints', default: [], doc: 'Per entry: the axis of input `like` to read the size from at run time, or −1 for the fixed size.' },
};

export function shapeFrom(attrs: ResolvedAttrs, like: TensorType | undefined): Dim[] {
  const fixed = ints(attrs, 'shape');
  const from = ints(attrs, 'shape_from');
  if (from.length !== 0 && from.length !== fixed.length) {
    throw new ShapeError(`shape_from has ${from.length} entries but shape has ${fixed.length}`);
  }
  return fixed.map((d, i) => {
    const a = from[i] ?? -1;
    if (a === -1) {
      if (d < 0) throw new ShapeError(`shape [${fixed.join(', ')}] has the negative size ${d}`);
      return d;
    }
    if (!like) throw new ShapeError(`entry ${i} of the shape is read from input 'like', which is missing`);
    return like.shape[normAxis(a, like.shape.length, like, `shape_from entry ${i}`)]!;
  });
}

export const DTYPE_NAMES: readonly string[] = ['f32', 'i32', 'i64', 'bool'];

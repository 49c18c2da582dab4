/**
 * Conformance cases for the ops added for transformers (elementwise math, comparisons, Where,
 * Cast, reductions, Unsqueeze/Squeeze/Expand, ConstantOfShape, Range, Trilu), each with a plain
 * JS reference that ops.test.ts checks the cpu backend against. Inputs given with `sym` are
 * declared with symbolic dims, so the ops that read sizes at run time really read them.
 */
import type { AttrValue, Dim, Graph, TensorType } from '@dlm/core';
import { chainGraph, opGraph } from './helpers.js';

export type CaseInput =
  | {
      shape: number[];
      /** Declared shape when it differs (symbolic dims); the run uses `shape`. */
      sym?: Dim[];
      dtype?: 'f32' | 'i32' | 'bool';
      data?: Float32Array | Int32Array;
      positive?: boolean;
      noGrad?: boolean;
    }
  | undefined;

export interface RefCase {
  name: string;
  inputs: CaseInput[];
  graph: (types: (TensorType | undefined)[]) => Graph;
  numeric?: boolean;
  /** Expected outputs from the input values (row-major), computed in plain JS. */
  ref?: (v: Float32Array[]) => number[][];
}

const f32 = (shape: number[], extra: Partial<NonNullable<CaseInput>> = {}): CaseInput => ({ shape, ...extra });
const i32 = (shape: number[], data: number[], extra: Partial<NonNullable<CaseInput>> = {}): CaseInput => ({ shape, dtype: 'i32', data: Int32Array.from(data), noGrad: true, ...extra });
const bool = (shape: number[], data: number[]): CaseInput => ({ shape, dtype: 'bool', data: Int32Array.from(data), noGrad: true });

function op(name: string, o: string, inputs: CaseInput[], attrs: Record<string, AttrValue>, ref?: RefCase['ref'], more: Partial<RefCase> = {}): RefCase {
  return { name, inputs, graph: (t) => opGraph(o, t, attrs), ...(ref ? { ref } : {}), ...more };
}

// ───────────────────────────── reference helpers ─────────────────────────────

/** Abramowitz–Stegun 7.1.26 (|error| < 1.5e-7). */
export function erf(x: number): number {
  const s = Math.sign(x);
  const a = Math.abs(x);
  const t = 1 / (1 + 0.3275911 * a);
  const y = 1 - ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.exp(-a * a);
  return s * y;
}

const map = (f: (x: number) => number) => (v: Float32Array[]) => [Array.from(v[0]!, f)];

/** Elementwise f over two row-major tensors broadcast NumPy-style. */
function zip(shapes: number[][], out: number[], f: (...xs: number[]) => number) {
  return (v: Float32Array[]): number[][] => {
    const n = out.reduce((a, b) => a * b, 1);
    const res: number[] = [];
    for (let i = 0; i < n; i++) {
      const idx = out.map((_, k) => Math.floor(i / out.slice(k + 1).reduce((a, b) => a * b, 1)) % out[k]!);
      const args = shapes.map((s, j) => {
        const off = out.length - s.length;
        let flat = 0;
        s.forEach((d, k) => (flat = flat * d + (d === 1 ? 0 : idx[off + k]!)));
        return v[j]![flat]!;
      });
      res.push(f(...args));
    }
    return [res];
  };
}

/** Reduction of a row-major [a, b, c] tensor over a set of axes (kept as 1 or dropped: same data order). */
function reduce3(shape: [number, number, number], axes: number[], init: number, f: (acc: number, x: number) => number, fin: (acc: number, n: number) => number) {
  return (v: Float32Array[]): number[][] => {
    const out = shape.map((d, i) => (axes.includes(i) ? 1 : d));
    const acc = new Array<number>(out[0]! * out[1]! * out[2]!).fill(init);
    const count = axes.reduce((p, a) => p * shape[a]!, 1);
    for (let i = 0; i < shape[0]; i++)
      for (let j = 0; j < shape[1]; j++)
        for (let k = 0; k < shape[2]; k++) {
          const o = [i, j, k].map((x, a) => (axes.includes(a) ? 0 : x));
          const at = (o[0]! * out[1]! + o[1]!) * out[2]! + o[2]!;
          acc[at] = f(acc[at]!, v[0]![(i * shape[1] + j) * shape[2] + k]!);
        }
    return [acc.map((a) => fin(a, count))];
  };
}

function tri(shape: number[], upper: boolean, k: number) {
  return (v: Float32Array[]): number[][] => {
    const [h, w] = shape.slice(-2) as [number, number];
    return [Array.from(v[0]!, (x, i) => {
      const d = (i % w) - (Math.floor(i / w) % h);
      return (upper ? d >= k : d <= k) ? x : 0;
    })];
  };
}

// ───────────────────────────── the cases ─────────────────────────────

export const MATH_CASES: RefCase[] = [
  op('Sqrt', 'Sqrt', [f32([2, 5], { positive: true })], {}, map(Math.sqrt), { numeric: true }),
  op('Exp', 'Exp', [f32([2, 5])], {}, map(Math.exp)),
  op('Log', 'Log', [f32([2, 5], { positive: true })], {}, map(Math.log), { numeric: true }),
  op('Abs', 'Abs', [f32([2, 5])], {}, map(Math.abs)),
  op('Erf', 'Erf', [f32([3, 4])], {}, map(erf), { numeric: true }),
  op('Pow broadcast', 'Pow', [f32([2, 3], { positive: true }), f32([3])], {}, zip([[2, 3], [3]], [2, 3], Math.pow), { numeric: true }),
  op('Clip', 'Clip', [f32([3, 4])], { min: -0.3, max: 0.4 }, map((x) => Math.min(0.4, Math.max(-0.3, x))), { numeric: true }),
  op('Equal i32 broadcast', 'Equal', [i32([2, 3], [1, 2, 3, 4, 5, 6]), i32([3], [1, 5, 6])], {}, zip([[2, 3], [3]], [2, 3], (a, b) => +(a === b))),
  op('Less f32', 'Less', [f32([2, 3]), f32([2, 3])], {}, zip([[2, 3], [2, 3]], [2, 3], (a, b) => +(a < b))),
  op('Greater broadcast', 'Greater', [f32([2, 1, 3]), f32([4, 1])], {}, zip([[2, 1, 3], [4, 1]], [2, 4, 3], (a, b) => +(a > b))),
  op('LessOrEqual i32', 'LessOrEqual', [i32([4], [1, 2, 3, 4]), i32([4], [2, 2, 2, 2])], {}, () => [[1, 1, 0, 0]]),
  op('GreaterOrEqual i32', 'GreaterOrEqual', [i32([4], [1, 2, 3, 4]), i32([1], [2])], {}, () => [[0, 1, 1, 1]]),
  op('Where broadcast', 'Where', [bool([2, 1, 3], [1, 0, 1, 0, 0, 1]), f32([4, 3]), f32([1])], {}, zip([[2, 1, 3], [4, 3], [1]], [2, 4, 3], (c, x, y) => (c ? x : y)), { numeric: true }),
  op('Cast f32 to i64 truncates', 'Cast', [f32([2, 3], { data: Float32Array.from([-1.7, -0.2, 0, 0.9, 2.5, 3]), noGrad: true })], { to: 'i64' }, () => [[-1, 0, 0, 0, 2, 3]]),
  op('Cast i32 to f32', 'Cast', [i32([3], [-2, 0, 7])], { to: 'f32' }, () => [[-2, 0, 7]]),
  op('Cast f32 to bool', 'Cast', [f32([4], { data: Float32Array.from([0, -0.5, 2, 0]), noGrad: true })], { to: 'bool' }, () => [[0, 1, 1, 0]]),
  op('ReduceMean axis 1 keepdims', 'ReduceMean', [f32([2, 3, 4])], { axes: [1] }, reduce3([2, 3, 4], [1], 0, (a, x) => a + x, (a, n) => a / n), { numeric: true }),
  op('ReduceSum axes -1, 0 no keepdims', 'ReduceSum', [f32([2, 3, 4])], { axes: [-1, 0], keepdims: 0 }, reduce3([2, 3, 4], [0, 2], 0, (a, x) => a + x, (a) => a), { numeric: true }),
  op('ReduceMax all axes', 'ReduceMax', [f32([2, 3, 4])], { keepdims: 0 }, reduce3([2, 3, 4], [0, 1, 2], -Infinity, Math.max, (a) => a), { numeric: true }),
  op('Unsqueeze 0 and -1', 'Unsqueeze', [f32([2, 3])], { axes: [0, -1] }, (v) => [Array.from(v[0]!)]),
  op('Squeeze axis 1', 'Squeeze', [f32([2, 1, 3])], { axes: [1] }, (v) => [Array.from(v[0]!)]),
  op(
    'Expand with a size read from like',
    'Expand',
    [f32([1, 3, 1]), f32([2, 5], { sym: ['batch', 5], noGrad: true })],
    { shape: [0, 3, 4], shape_from: [0, -1, -1] },
    (v) => [Array.from({ length: 24 }, (_, i) => v[0]![Math.floor(i / 4) % 3]!)],
    { numeric: true },
  ),
  op(
    'ConstantOfShape ones [time, time] from like',
    'ConstantOfShape',
    [f32([2, 3, 4], { sym: ['batch', 'time', 4], noGrad: true })],
    { shape: [0, 0], shape_from: [1, 1], value: 1 },
    () => [new Array<number>(9).fill(1)],
  ),
  op('ConstantOfShape bool scalar', 'ConstantOfShape', [], { shape: [], value: 1, dtype: 'bool' }, () => [[1]]),
  op('Range positions of time (i64)', 'Range', [f32([2, 5], { sym: ['batch', 'time'], noGrad: true })], { size_from: 1, start: 2, delta: 3 }, () => [[2, 5, 8, 11, 14]]),
  op('Range f32 fixed size', 'Range', [], { size: 4, start: 0.5, delta: -0.25, dtype: 'f32' }, () => [[0.5, 0.25, 0, -0.25]]),
  op('Trilu lower', 'Trilu', [f32([2, 4, 4])], {}, tri([2, 4, 4], false, 0), { numeric: true }),
  op('Trilu upper k 1', 'Trilu', [f32([3, 5])], { upper: 1, k: 1 }, tri([3, 5], true, 1), { numeric: true }),
  op('Trilu lower k -1', 'Trilu', [f32([4, 3])], { k: -1 }, tri([4, 3], false, -1)),
  {
    // The causal-mask pattern of a GPT: scores [batch, time, time] masked with tril(ones(time, time)).
    name: 'chain: causal mask from symbolic time → where → softmax',
    numeric: true,
    inputs: [f32([2, 4, 4], { sym: ['batch', 'time', 'time'] })],
    graph: (t) =>
      chainGraph(t, (b, [x]) => {
        const [ones] = b.emitNode('ConstantOfShape', [x!], { shape: [0, 0], shape_from: [1, 2], value: 1 }, 1);
        const [mask] = b.emitNode('Trilu', [ones!], {}, 1);
        const [zero] = b.emitNode('ConstantOfShape', [], { shape: [] }, 1);
        const [hidden] = b.emitNode('Equal', [mask!, zero!], {}, 1);
        const [big] = b.emitNode('ConstantOfShape', [], { shape: [], value: -1e9 }, 1);
        const [masked] = b.emitNode('Where', [hidden!, big!, x!], {}, 1);
        const [s] = b.emitNode('Softmax', [masked!], { axis: -1 }, 1);
        const [pos] = b.emitNode('Range', [x!], { size_from: 1 }, 1);
        const [posf] = b.emitNode('Cast', [pos!], { to: 'f32' }, 1);
        const [u] = b.emitNode('Unsqueeze', [posf!], { axes: [-1] }, 1);
        return [b.emitNode('Add', [s!, u!], {}, 1)[0]!];
      }),
    ref: (v) => {
      const out: number[] = [];
      for (let n = 0; n < 2; n++)
        for (let i = 0; i < 4; i++) {
          const row = Array.from({ length: i + 1 }, (_, j) => v[0]![(n * 4 + i) * 4 + j]!);
          const m = Math.max(...row);
          const z = row.reduce((a, x) => a + Math.exp(x - m), 0);
          for (let j = 0; j < 4; j++) out.push((j <= i ? Math.exp(row[j]! - m) / z : 0) + i);
        }
      return [out];
    },
  },
];

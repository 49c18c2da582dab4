/**
 * Export cases for the ops added for transformers: elementwise math, comparisons and Where, Cast,
 * reductions, Unsqueeze/Squeeze/Expand and the constants whose sizes are read at run time
 * (ConstantOfShape, Range, Trilu). Every output is f32 (bool and integer results are cast) so
 * the parity check compares numbers. Cases named `symbolic` run with time = 11, so a size baked
 * into the file instead of read from the input would fail.
 */
import type { Graph } from '@dlm/core';
import { TestGraph } from './helpers/build.js';

export interface OpCase {
  name: string;
  build: () => Graph;
  minOpset?: number;
  histogram?: Record<string, number>;
}

function graph(name: string, f: (g: TestGraph) => string[]): () => Graph {
  return () => {
    const g = new TestGraph(name);
    f(g).forEach((o, i) => g.output(`y${i}`, o));
    return g.finish();
  };
}

const f32 = (g: TestGraph, v: string) => g.op('Cast', [v], { to: 'f32' })[0]!;

export const MATH_CASES: OpCase[] = [
  {
    name: 'unary_math',
    build: graph('UnaryMath', (g) => {
      const x = g.input('x', ['batch', 6]);
      const a = g.op('Abs', [x])[0]!;
      const one = g.op('ConstantOfShape', [], { shape: [], value: 1 })[0]!;
      const p = g.op('Add', [a, one])[0]!;
      const s = g.op('Log', [g.op('Sqrt', [p])[0]!])[0]!;
      return [g.op('Exp', [s])[0]!, g.op('Erf', [x])[0]!, g.op('Pow', [p, x])[0]!, g.op('Clip', [x], { min: -0.25, max: 0.5 })[0]!, g.op('Clip', [x], { max: 0 })[0]!];
    }),
    histogram: { Abs: 1, Add: 1, Clip: 2, ConstantOfShape: 1, Erf: 1, Exp: 1, Log: 1, Pow: 1, Sqrt: 1 },
  },
  {
    name: 'comparisons_where',
    build: graph('Compare', (g) => {
      const a = g.input('a', ['batch', 5]);
      const b = g.input('b', [5]);
      const outs = ['Equal', 'Less', 'Greater', 'LessOrEqual', 'GreaterOrEqual'].map((op) => f32(g, g.op(op, [a, b])[0]!));
      const ids = g.input('ids', ['batch', 5], 'i64');
      const three = g.op('ConstantOfShape', [], { shape: [1], value: 3, dtype: 'i64' })[0]!;
      const lt = g.op('Less', [ids, three])[0]!;
      return [...outs, f32(g, lt), g.op('Where', [lt, a, b])[0]!];
    }),
  },
  {
    name: 'cast',
    build: graph('CastOps', (g) => {
      const x = g.input('x', ['batch', 4]);
      const ids = g.input('ids', ['batch', 4], 'i64');
      const scaled = g.op('Mul', [x, g.op('ConstantOfShape', [], { shape: [], value: 5 })[0]!])[0]!;
      return [f32(g, g.op('Cast', [scaled], { to: 'i64' })[0]!), f32(g, g.op('Cast', [scaled], { to: 'i32' })[0]!), f32(g, g.op('Cast', [x], { to: 'bool' })[0]!), f32(g, ids)];
    }),
  },
  {
    name: 'reductions',
    build: graph('Reductions', (g) => {
      const x = g.input('x', ['batch', 3, 4]);
      return [
        g.op('ReduceMean', [x], { axes: [1] })[0]!,
        g.op('ReduceSum', [x], { axes: [-1, 1], keepdims: 0 })[0]!,
        g.op('ReduceSum', [x])[0]!,
        g.op('ReduceMax', [x], { axes: [2], keepdims: 0 })[0]!,
        g.op('ReduceMax', [x], { keepdims: 0 })[0]!,
      ];
    }),
  },
  {
    name: 'unsqueeze_squeeze_expand_symbolic',
    build: graph('ShapeOps2', (g) => {
      const x = g.input('x', ['batch', 'time', 4]);
      const v = g.input('v', [4]);
      const u = g.op('Unsqueeze', [x], { axes: [0, -1] })[0]!;
      const s = g.op('Squeeze', [u], { axes: [0, 4] })[0]!;
      const s1 = g.op('Squeeze', [g.op('Unsqueeze', [v], { axes: [0] })[0]!])[0]!;
      const e = g.op('Expand', [v, x], { shape: [0, 0, 1], shape_from: [0, 1, -1] })[0]!;
      const e2 = g.op('Expand', [g.op('Unsqueeze', [v], { axes: [1] })[0]!], { shape: [2, 4, 3] })[0]!;
      return [s, s1, g.op('Add', [e, x])[0]!, e2];
    }),
  },
  {
    name: 'constants_symbolic',
    build: graph('Constants', (g) => {
      const x = g.input('x', ['batch', 'time', 8]);
      return [
        g.op('ConstantOfShape', [x], { shape: [0, 2, 0], shape_from: [1, -1, -2], value: 1.5 })[0]!,
        f32(g, g.op('ConstantOfShape', [x], { shape: [0], shape_from: [1], value: 1, dtype: 'bool' })[0]!),
        f32(g, g.op('Range', [x], { size_from: 1, start: 3, delta: -2 })[0]!),
        f32(g, g.op('Range', [x], { size_from: -2, dtype: 'i32' })[0]!),
        g.op('Range', [x], { size_from: 1, start: 0.5, delta: 0.1, dtype: 'f32' })[0]!,
        g.op('Range', [], { size: 7, start: 1, delta: 0.3, dtype: 'f32' })[0]!,
      ];
    }),
  },
  {
    // A GPT's causal mask: tril(ones(time, time)) read from the scores' run-time shape.
    name: 'causal_mask_symbolic',
    build: graph('CausalMask', (g) => {
      const x = g.input('scores', ['batch', 'time', 'time']);
      const ones = g.op('ConstantOfShape', [x], { shape: [0, 0], shape_from: [1, 2], value: 1 })[0]!;
      const mask = g.op('Trilu', [ones])[0]!;
      const zero = g.op('ConstantOfShape', [], { shape: [] })[0]!;
      const hidden = g.op('Equal', [mask, zero])[0]!;
      const masked = g.op('Where', [hidden, g.op('ConstantOfShape', [], { shape: [], value: -1e9 })[0]!, x])[0]!;
      return [g.op('Softmax', [masked], { axis: -1 })[0]!, g.op('Trilu', [x], { upper: 1, k: 1 })[0]!, g.op('Trilu', [x], { k: -1 })[0]!];
    }),
    minOpset: 14,
  },
];

/**
 * Elementwise math, comparisons, Where, Cast, reductions, Unsqueeze and Squeeze: one torch call
 * each. Axes are normalized with the input's rank from the IR (static), so the calls read plainly.
 */
import type { Node } from '@dlm/core';
import { py, type PyExpr } from '../emitter.js';
import { ints, num, str, type TorchLoweringContext, type TorchLoweringRule } from './types.js';

/** Clip's "no bound" default (float32's largest value, as in the core schema). */
const F32_MAX = 3.4028234663852886e38;

function call(op: string, fn: string, arity = 1): TorchLoweringRule {
  return { op, emits: fn, lower: (ctx) => ctx.assign(py.call(fn, Array.from({ length: arity }, (_, i) => ctx.input(i)))) };
}

export const sqrt = call('Sqrt', 'torch.sqrt');
export const exp = call('Exp', 'torch.exp');
export const log = call('Log', 'torch.log');
export const abs = call('Abs', 'torch.abs');
export const erf = call('Erf', 'torch.erf');
export const pow = call('Pow', 'torch.pow', 2);
export const equal = call('Equal', 'torch.eq', 2);
export const less = call('Less', 'torch.lt', 2);
export const greater = call('Greater', 'torch.gt', 2);
export const lessOrEqual = call('LessOrEqual', 'torch.le', 2);
export const greaterOrEqual = call('GreaterOrEqual', 'torch.ge', 2);
export const where = call('Where', 'torch.where', 3);

export const clip: TorchLoweringRule = {
  op: 'Clip',
  emits: 'torch.clamp',
  lower(ctx) {
    const lo = num(ctx.node.attrs, 'min', -F32_MAX);
    const hi = num(ctx.node.attrs, 'max', F32_MAX);
    ctx.assign(py.call('torch.clamp', [ctx.input(0)], { min: lo <= -F32_MAX ? undefined : py.float(lo), max: hi >= F32_MAX ? undefined : py.float(hi) }));
  },
};

const DTYPES: Record<string, string> = { f32: 'torch.float32', i32: 'torch.int32', i64: 'torch.int64', bool: 'torch.bool' };

export const cast: TorchLoweringRule = {
  op: 'Cast',
  emits: 'Tensor.to(dtype)',
  unsupported: (node) => (DTYPES[str(node.attrs, 'to', '')] ? undefined : `target dtype '${str(node.attrs, 'to', '')}' is not one of ${Object.keys(DTYPES).join(', ')}`),
  lower: (ctx) => ctx.assign(py.method(ctx.input(0), 'to', [py.path(DTYPES[str(ctx.node.attrs, 'to', 'f32')]!)])),
};

function rankOf(ctx: TorchLoweringContext, i = 0): number {
  return ctx.inputType(i)?.shape.length ?? 0;
}

function normAxes(axes: readonly number[], rank: number): number[] {
  return axes.map((a) => (a < 0 ? a + rank : a));
}

function reduce(op: string, fn: string): TorchLoweringRule {
  return {
    op,
    emits: `${fn}(dim, keepdim)`,
    lower(ctx) {
      const rank = rankOf(ctx);
      const given = ints(ctx.node.attrs, 'axes');
      const axes = given.length === 0 ? Array.from({ length: rank }, (_, i) => i) : normAxes(given, rank);
      ctx.assign(py.call(fn, [ctx.input(0)], { dim: py.tuple(axes), keepdim: num(ctx.node.attrs, 'keepdims', 1) !== 0 }));
    },
  };
}

export const reduceMean = reduce('ReduceMean', 'torch.mean');
export const reduceSum = reduce('ReduceSum', 'torch.sum');
export const reduceMax = reduce('ReduceMax', 'torch.amax');

export const unsqueeze: TorchLoweringRule = {
  op: 'Unsqueeze',
  emits: 'Tensor.unsqueeze (once per new axis, in increasing order)',
  lower(ctx) {
    const outRank = rankOf(ctx) + ints(ctx.node.attrs, 'axes').length;
    let x: PyExpr = ctx.input(0);
    for (const a of normAxes(ints(ctx.node.attrs, 'axes'), outRank).sort((p, q) => p - q)) x = py.method(x, 'unsqueeze', [a]);
    ctx.assign(x);
  },
};

export const squeeze: TorchLoweringRule = {
  op: 'Squeeze',
  emits: 'Tensor.reshape to the squeezed shape (the axes are static)',
  lower(ctx) {
    const t = ctx.inputType(0)!;
    const given = ints(ctx.node.attrs, 'axes');
    const axes = given.length === 0 ? t.shape.flatMap((d, i) => (d === 1 ? [i] : [])) : normAxes(given, t.shape.length);
    const x = ctx.input(0);
    // One reshape keeps the remaining dims (symbolic ones read from x.shape at run time).
    const dims = t.shape.flatMap((d, i): PyExpr[] => (axes.includes(i) ? [] : [typeof d === 'number' ? py.lit(d) : py.index(py.attr(x, 'shape'), [py.lit(i)])]));
    ctx.assign(py.method(x, 'reshape', dims.length ? dims : [py.tuple([])]));
  },
};


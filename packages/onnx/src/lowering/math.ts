/**
 * Elementwise math, comparisons, Where, Cast and reductions. Most are renames; Clip's bounds and
 * ReduceSum's axes are inputs in ONNX (opset ≥ 13) and attributes in the IR, so they become
 * initializers. ReduceMean and ReduceMax keep `axes` as an attribute until opset 18, beyond the
 * opsets dlm writes (13–17).
 */
import type { DType } from '@dlm/core';
import { attr, elemTypeOf } from '../proto.js';
import { direct, type LoweringRule } from './types.js';

export const sqrt = direct('Sqrt', 13);
export const exp = direct('Exp', 13);
export const log = direct('Log', 13);
export const abs = direct('Abs', 13);
export const erf = direct('Erf', 13);
export const pow = direct('Pow', 13);
export const equal = direct('Equal', 13);
export const less = direct('Less', 13);
export const greater = direct('Greater', 13);
export const lessOrEqual = direct('LessOrEqual', 13);
export const greaterOrEqual = direct('GreaterOrEqual', 13);
export const where = direct('Where', 13);

export const clip: LoweringRule = {
  op: 'Clip',
  minOpset: 13,
  emits: 'Clip (+ two scalar initializers)',
  lower(ctx) {
    const a = ctx.node.attrs;
    ctx.emit('Clip', [ctx.input(0), ctx.floats('clip_min', [Number(a['min'])]), ctx.floats('clip_max', [Number(a['max'])])], [ctx.output(0)]);
  },
};

export const cast: LoweringRule = {
  op: 'Cast',
  minOpset: 13,
  emits: 'Cast',
  lower(ctx) {
    ctx.emit('Cast', [ctx.input(0)], [ctx.output(0)], { to: attr.int(elemTypeOf(ctx.node.attrs['to'] as DType)) });
  },
};

/** Reductions with `axes` as an attribute (ReduceMean, ReduceMax at opsets ≤ 17). */
function reduceAttr(op: string): LoweringRule {
  return direct(op, 13, { axes: 'ints', keepdims: 'int' });
}

export const reduceMean = reduceAttr('ReduceMean');
export const reduceMax = reduceAttr('ReduceMax');

/** ReduceSum takes `axes` as an optional int64 input from opset 13 (absent = every axis). */
export const reduceSum: LoweringRule = {
  op: 'ReduceSum',
  minOpset: 13,
  emits: 'ReduceSum (+ int64 axes initializer)',
  lower(ctx) {
    const axes = ctx.node.attrs['axes'] as number[];
    const ins = axes.length ? [ctx.input(0), ctx.int64s('axes', axes)] : [ctx.input(0)];
    ctx.emit('ReduceSum', ins, [ctx.output(0)], { keepdims: attr.int(Number(ctx.node.attrs['keepdims'])) });
  },
};

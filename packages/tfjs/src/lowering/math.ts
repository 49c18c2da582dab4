/**
 * Elementwise math (Sqrt, Exp, Log, Abs, Erf, Pow, Clip), comparisons, Where, Cast and the
 * reductions. One-input elementwise ops keep their input's layout; the others work in the IR's
 * canonical order (their axes and broadcasting are the IR's).
 */
import * as tf from '@tensorflow/tfjs-core';
import { broadcastShapes } from '@dlm/core';
import { Val, attrInts, attrNum, required, type Lowering } from './types.js';

/** tfjs dtype of a dlm dtype: tfjs has no int64, so i64 values live as int32 (as graph inputs do). */
export function tfDType(dtype: string): 'float32' | 'int32' | 'bool' {
  return dtype === 'f32' ? 'float32' : dtype === 'bool' ? 'bool' : 'int32';
}

function unary(op: string, f: (x: tf.Tensor, attrs: Record<string, unknown>) => tf.Tensor): Lowering {
  return {
    op,
    run: (ctx, [x]) => {
      const v = required(x, 'X');
      return [new Val(f(v.tensor, ctx.attrs), v.layout)];
    },
  };
}

export const Sqrt = unary('Sqrt', (x) => tf.sqrt(x));
export const Exp = unary('Exp', (x) => tf.exp(x));
export const Log = unary('Log', (x) => tf.log(x));
export const Abs = unary('Abs', (x) => tf.abs(x));
export const Erf = unary('Erf', (x) => tf.erf(x));
export const Clip = unary('Clip', (x, a) => tf.clipByValue(x, a['min'] as number, a['max'] as number));

function canonical(op: string, f: (ins: tf.Tensor[], attrs: Record<string, unknown>) => tf.Tensor): Lowering {
  return {
    op,
    run: (ctx, ins) => [new Val(f(ins.map((v, i) => required(v, `input ${i}`).canonical()), ctx.attrs))],
  };
}

export const Pow = canonical('Pow', ([x, y]) => tf.pow(x!, y!));
export const Equal = canonical('Equal', ([a, b]) => tf.equal(a!, b!));
export const Less = canonical('Less', ([a, b]) => tf.less(a!, b!));
export const Greater = canonical('Greater', ([a, b]) => tf.greater(a!, b!));
export const LessOrEqual = canonical('LessOrEqual', ([a, b]) => tf.lessEqual(a!, b!));
export const GreaterOrEqual = canonical('GreaterOrEqual', ([a, b]) => tf.greaterEqual(a!, b!));

/** The three operands are broadcast explicitly: tfjs' select needs equal shapes on some backends. */
export const Where = canonical('Where', ([c, x, y]) => {
  const shape = broadcastShapes(broadcastShapes(c!.shape, x!.shape), y!.shape) as number[];
  const to = (t: tf.Tensor) => (t.shape.length === shape.length && t.shape.every((d, i) => d === shape[i]) ? t : tf.broadcastTo(t, shape));
  return tf.where(to(c!), to(x!), to(y!));
});

/** ONNX Cast: float → integer truncates toward zero (tfjs' cast does too); → bool is ≠ 0. */
export const Cast = unary('Cast', (x, a) => {
  const to = tfDType(a['to'] as string);
  if (to === 'bool' && x.dtype !== 'bool') return tf.notEqual(x, tf.zerosLike(x));
  return x.dtype === to ? x : tf.cast(x, to);
});

function reduce(op: string, f: (x: tf.Tensor, axes: number[], keep: boolean) => tf.Tensor): Lowering {
  return {
    op,
    run: (ctx, [x]) => {
      const t = required(x, 'data').canonical();
      const given = attrInts(ctx.attrs, 'axes');
      const axes = given.length === 0 ? t.shape.map((_, i) => i) : given.map((a) => (a < 0 ? a + t.rank : a));
      return [new Val(f(t, axes, attrNum(ctx.attrs, 'keepdims', 1) !== 0))];
    },
  };
}

export const ReduceMean = reduce('ReduceMean', (x, a, k) => tf.mean(x, a, k));
export const ReduceSum = reduce('ReduceSum', (x, a, k) => tf.sum(x, a, k));
export const ReduceMax = reduce('ReduceMax', (x, a, k) => tf.max(x, a, k));


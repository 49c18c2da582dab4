/**
 * Unsqueeze, Squeeze, Expand and the constant makers ConstantOfShape, Range and Trilu. Sizes a
 * node reads from its `like` input (`shape_from`, `size_from`) are taken from that tensor's shape
 * at run time, so one executor serves every batch size and sequence length.
 */
import * as tf from '@tensorflow/tfjs-core';
import { broadcastShapes } from '@dlm/core';
import { tfDType } from './math.js';
import { Val, attrInts, attrNum, attrStr, required, type Lowering } from './types.js';

/** The `shape`/`shape_from` attribute pair resolved against the run-time shape of `like`. */
function runtimeShape(attrs: Record<string, unknown>, like: Val | undefined): number[] {
  const fixed = attrInts(attrs as never, 'shape');
  const from = attrInts(attrs as never, 'shape_from');
  const dims = like?.canonicalShape;
  return fixed.map((d, i) => {
    const a = from[i] ?? -1;
    if (a === -1) return d;
    return dims![a < 0 ? a + dims!.length : a]!;
  });
}

export const Unsqueeze: Lowering = {
  op: 'Unsqueeze',
  run: (ctx, [x]) => {
    const t = required(x, 'data').canonical();
    const axes = attrInts(ctx.attrs, 'axes');
    const r = t.rank + axes.length;
    const at = new Set(axes.map((a) => (a < 0 ? a + r : a)));
    const rest = [...t.shape];
    return [new Val(tf.reshape(t, Array.from({ length: r }, (_, i) => (at.has(i) ? 1 : rest.shift()!))))];
  },
};

export const Squeeze: Lowering = {
  op: 'Squeeze',
  run: (ctx, [x]) => {
    const t = required(x, 'data').canonical();
    const given = attrInts(ctx.attrs, 'axes');
    const axes = new Set(given.length === 0 ? t.shape.flatMap((d, i) => (d === 1 ? [i] : [])) : given.map((a) => (a < 0 ? a + t.rank : a)));
    return [new Val(tf.reshape(t, t.shape.filter((_, i) => !axes.has(i))))];
  },
};

export const Expand: Lowering = {
  op: 'Expand',
  run: (ctx, [x, like]) => {
    const t = required(x, 'input').canonical();
    const shape = broadcastShapes(t.shape, runtimeShape(ctx.attrs, like)) as number[];
    return [new Val(shape.length === t.rank && shape.every((d, i) => d === t.shape[i]) ? t : tf.broadcastTo(t, shape))];
  },
};

export const ConstantOfShape: Lowering = {
  op: 'ConstantOfShape',
  run: (ctx, [like]) => {
    const shape = runtimeShape(ctx.attrs, like);
    const value = attrNum(ctx.attrs, 'value', 0);
    const dtype = tfDType(attrStr(ctx.attrs, 'dtype', 'f32'));
    const t = dtype === 'bool' ? tf.cast(tf.fill(shape, value !== 0 ? 1 : 0, 'int32'), 'bool') : tf.fill(shape, value, dtype);
    return [new Val(t)];
  },
};

export const Range: Lowering = {
  op: 'Range',
  run: (ctx, [like]) => {
    const from = attrNum(ctx.attrs, 'size_from', -1);
    let n = attrNum(ctx.attrs, 'size', 0);
    if (from !== -1) {
      const dims = required(like, 'like').canonicalShape;
      n = dims[from < 0 ? from + dims.length : from]!;
    }
    const dtype = tfDType(attrStr(ctx.attrs, 'dtype', 'i64')) as 'float32' | 'int32';
    const start = attrNum(ctx.attrs, 'start', 0);
    const delta = attrNum(ctx.attrs, 'delta', 1);
    // start + i·delta (not tf.range(start, limit, delta), whose length could round differently for floats).
    return [new Val(tf.add(tf.mul(tf.range(0, n, 1, dtype), tf.scalar(delta, dtype)), tf.scalar(start, dtype)))];
  },
};

export const Trilu: Lowering = {
  op: 'Trilu',
  run: (ctx, [x]) => {
    const t = required(x, 'input').canonical();
    const [h, w] = t.shape.slice(-2) as [number, number];
    const k = attrNum(ctx.attrs, 'k', 0);
    // offset[i, j] = j − i; the lower triangle keeps offset ≤ k, the upper offset ≥ k.
    const offset = tf.sub(tf.reshape(tf.range(0, w, 1, 'int32'), [1, w]), tf.reshape(tf.range(0, h, 1, 'int32'), [h, 1]));
    const keep = attrNum(ctx.attrs, 'upper', 0) ? tf.greaterEqual(offset, k) : tf.lessEqual(offset, k);
    return [new Val(tf.where(tf.broadcastTo(keep, t.shape), t, tf.zerosLike(t)))];
  },
};

/**
 * Layout-sensitive shape ops: Flatten, Reshape, Transpose, Concat, Gather. They work on the IR's
 * (canonical, channels-first) order, so a Flatten after convs yields NCHW flattening order and the
 * dense weights agree with PyTorch and with the ONNX export. Concat of channels_last inputs stays
 * channels_last (skip connections inside conv stacks).
 */
import * as tf from '@tensorflow/tfjs-core';
import { Val, attrInts, attrNum, channelsLastAxis, required, type Lowering } from './types.js';

export const Flatten: Lowering = {
  op: 'Flatten',
  run: (ctx, [x]) => {
    const t = required(x, 'X').canonical();
    let axis = attrNum(ctx.attrs, 'axis', 1);
    if (axis < 0) axis += t.rank;
    const outer = t.shape.slice(0, axis).reduce((a, b) => a * b, 1);
    const inner = t.shape.slice(axis).reduce((a, b) => a * b, 1);
    return [new Val(tf.reshape(t, [outer, inner]))];
  },
};

/** ONNX Reshape (allowzero = 0): 0 copies the input dim, −1 is inferred. */
export function onnxReshapeShape(inShape: readonly number[], spec: readonly number[]): number[] {
  return spec.map((d, i) => (d === 0 ? inShape[i]! : d));
}

export const Reshape: Lowering = {
  op: 'Reshape',
  run: (ctx, [x]) => {
    const t = required(x, 'X').canonical();
    return [new Val(tf.reshape(t, onnxReshapeShape(t.shape, attrInts(ctx.attrs, 'shape'))))];
  },
};

export const Transpose: Lowering = {
  op: 'Transpose',
  run: (ctx, [x]) => {
    const t = required(x, 'X').canonical();
    const perm = attrInts(ctx.attrs, 'perm');
    return [new Val(tf.transpose(t, perm.length ? perm : undefined))];
  },
};

export const Concat: Lowering = {
  op: 'Concat',
  run: (ctx, inputs) => {
    const vs = inputs.filter((v): v is Val => v !== undefined);
    const rank = vs[0]!.rank;
    let axis = attrNum(ctx.attrs, 'axis', 0);
    if (axis < 0) axis += rank;
    if (rank >= 3 && vs.some((v) => v.layout === 'channels_last')) {
      return [new Val(tf.concat(vs.map((v) => v.channelsLast()), channelsLastAxis(axis, rank)), 'channels_last')];
    }
    return [new Val(tf.concat(vs.map((v) => v.canonical()), axis))];
  },
};

export const Gather: Lowering = {
  op: 'Gather',
  run: (ctx, [data, indices]) => {
    const d = required(data, 'data').canonical();
    let idx = required(indices, 'indices').canonical();
    if (idx.dtype !== 'int32') idx = tf.cast(idx, 'int32');
    let axis = attrNum(ctx.attrs, 'axis', 0);
    if (axis < 0) axis += d.rank;
    // ONNX allows negative indices (counted from the end); tfjs does not.
    idx = tf.where(tf.less(idx, tf.scalar(0, 'int32')), tf.add(idx, tf.scalar(d.shape[axis]!, 'int32')), idx);
    return [new Val(tf.gather(d, idx, axis))];
  },
};

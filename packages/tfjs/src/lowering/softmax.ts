/** Softmax and LogSoftmax along any axis (ONNX opset 13: a single axis, default -1). */
import * as tf from '@tensorflow/tfjs-core';
import { Val, attrNum, required, type Lowering } from './types.js';

function alongAxis(x: tf.Tensor, axis: number, f: (t: tf.Tensor) => tf.Tensor): tf.Tensor {
  const r = x.rank;
  const a = axis < 0 ? axis + r : axis;
  if (a === r - 1) return f(x);
  // tfjs normalizes over the last axis only: swap the axis to the end and back.
  const perm = Array.from({ length: r }, (_, i) => i);
  perm[a] = r - 1;
  perm[r - 1] = a;
  return tf.transpose(f(tf.transpose(x, perm)), perm);
}

function softmaxLike(op: string, f: (t: tf.Tensor) => tf.Tensor): Lowering {
  return {
    op,
    run: (ctx, [x]) => {
      const v = required(x, 'X');
      return [new Val(alongAxis(v.canonical(), attrNum(ctx.attrs, 'axis', -1), f))];
    },
  };
}

export const Softmax = softmaxLike('Softmax', (t) => tf.softmax(t));
export const LogSoftmax = softmaxLike('LogSoftmax', (t) => tf.logSoftmax(t));

/** MatMul (NumPy matmul semantics, batched) and Gemm (Y = alpha·A'·B' + beta·C). */
import * as tf from '@tensorflow/tfjs-core';
import { Val, attrNum, required, type Lowering } from './types.js';

/** NumPy matmul: 1-D operands are promoted and the added axis removed; batch dims broadcast. */
export function numpyMatMul(a: tf.Tensor, b: tf.Tensor): tf.Tensor {
  if (a.rank === 1 && b.rank === 1) return tf.sum(tf.mul(a, b));
  if (a.rank === 1) {
    const y = numpyMatMul(tf.reshape(a, [1, a.shape[0]!]), b);
    return tf.squeeze(y, [y.rank - 2]);
  }
  if (b.rank === 1) {
    const y = numpyMatMul(a, tf.reshape(b, [b.shape[0]!, 1]));
    return tf.squeeze(y, [y.rank - 1]);
  }
  if (b.rank === 2 && a.rank > 2) {
    // [..., K] x [K, M]: one 2-D matmul over the flattened leading dims (the common dense case).
    const lead = a.shape.slice(0, -1);
    const k = a.shape[a.rank - 1]!;
    const y = tf.matMul(tf.reshape(a, [-1, k]), b as tf.Tensor2D);
    return tf.reshape(y, [...lead, b.shape[1]!]);
  }
  const batchA = a.shape.slice(0, -2);
  const batchB = b.shape.slice(0, -2);
  if (batchA.join() !== batchB.join()) {
    // tf.matMul flattens each operand's batch dims and pairs batch o with o mod size, which is
    // NumPy's broadcasting only when the smaller batch shape is a trailing block ([2, 3] with
    // [3]); [2, 2] with [2, 1] paired the wrong matrices (found by the differential fuzzer), and
    // even where the forward is right its gradient keeps the broadcast shape and throws.
    // Broadcast both to the common batch shape first; equal batch shapes take the fast path.
    const rank = Math.max(batchA.length, batchB.length);
    const dimOf = (dims: number[], i: number) => dims[dims.length - rank + i] ?? 1;
    const shape = Array.from({ length: rank }, (_, i) => Math.max(dimOf(batchA, i), dimOf(batchB, i)));
    a = tf.broadcastTo(a, [...shape, ...a.shape.slice(-2)]);
    b = tf.broadcastTo(b, [...shape, ...b.shape.slice(-2)]);
  }
  return tf.matMul(a, b);
}

export const MatMul: Lowering = {
  op: 'MatMul',
  run: (_ctx, [a, b]) => [new Val(numpyMatMul(required(a, 'A').canonical(), required(b, 'B').canonical()))],
};

export const Gemm: Lowering = {
  op: 'Gemm',
  run: (ctx, [a, b, c]) => {
    const alpha = attrNum(ctx.attrs, 'alpha', 1);
    const beta = attrNum(ctx.attrs, 'beta', 1);
    const transA = attrNum(ctx.attrs, 'transA', 0) !== 0;
    const transB = attrNum(ctx.attrs, 'transB', 0) !== 0;
    let y = tf.matMul(required(a, 'A').canonical() as tf.Tensor2D, required(b, 'B').canonical() as tf.Tensor2D, transA, transB);
    if (alpha !== 1) y = tf.mul(y, alpha);
    if (c) {
      const ct = c.canonical();
      y = tf.add(y, beta === 1 ? ct : tf.mul(ct, beta));
    }
    return [new Val(y)];
  },
};

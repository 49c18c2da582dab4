/**
 * BatchNormalization and LayerNormalization.
 *
 * BatchNormalization normalizes per channel (axis 1 of the IR); it runs channels_last so the
 * channel is the last axis and scale/bias broadcast without reshapes. Training mode uses the
 * batch statistics and returns the new running statistics as buffer updates:
 *   running = running·momentum + batch·(1 − momentum)          (ONNX convention; PyTorch 0.1 ≙ 0.9)
 * The running variance uses the unbiased batch variance (n/(n−1)), as PyTorch does, so models
 * trained here match PyTorch's running statistics; normalization itself uses the biased variance.
 * Inference mode normalizes with the running statistics.
 */
import * as tf from '@tensorflow/tfjs-core';
import { Val, attrNum, required, type Lowering } from './types.js';

export const BatchNormalization: Lowering = {
  op: 'BatchNormalization',
  run: (ctx, [x, scale, bias, mean, variance]) => {
    const xv = required(x, 'X');
    const t = xv.channelsLast();
    const eps = attrNum(ctx.attrs, 'epsilon', 1e-5);
    const momentum = attrNum(ctx.attrs, 'momentum', 0.9);
    const sc = required(scale, 'scale').canonical();
    const b = required(bias, 'B').canonical();
    const rm = required(mean, 'input_mean').canonical();
    const rv = required(variance, 'input_var').canonical();
    const layout = 'channels_last' as const;
    if (!ctx.training) {
      return [new Val(tf.batchNorm(t, rm, rv, b, sc, eps), layout)];
    }
    const axes = Array.from({ length: t.rank - 1 }, (_, i) => i);
    // The statistics of x − s, s a first estimate of the channel mean taken per sample and then
    // over the batch (the result is the same in exact arithmetic): the wasm backend sums in
    // float32 one element after another, so over 36,864 positions a constant channel of 300.3 got
    // a mean 0.01 off and normalized to 0.96 instead of 0, and a channel of 1000 ± 0.1 came out
    // 8e-3 off float64. Shifted so, 0 and 1.8e-5 (test/batch-norm-precision.test.ts); a single
    // mean as the shift left 1e-4 on a constant channel.
    const perSample = axes.length > 1 ? tf.mean(t, axes.slice(1), true) : t;
    const shift = tf.mean(perSample, 0, true);
    const centred = tf.sub(t, shift);
    const { mean: cm, variance: bv } = tf.moments(centred, axes);
    const bm = tf.add(tf.reshape(shift, cm.shape), cm);
    const y = tf.batchNorm(centred, cm, bv, b, sc, eps);
    const n = t.size / t.shape[t.rank - 1]!;
    const unbiased = n > 1 ? tf.mul(bv, n / (n - 1)) : bv;
    const updates = new Map<number, tf.Tensor>([
      [3, tf.add(tf.mul(rm, momentum), tf.mul(bm, 1 - momentum))],
      [4, tf.add(tf.mul(rv, momentum), tf.mul(unbiased, 1 - momentum))],
    ]);
    return { outputs: [new Val(y, layout)], updates };
  },
};

export const LayerNormalization: Lowering = {
  op: 'LayerNormalization',
  run: (ctx, [x, scale, bias]) => {
    const t = required(x, 'X').canonical();
    const eps = attrNum(ctx.attrs, 'epsilon', 1e-5);
    let axis = attrNum(ctx.attrs, 'axis', -1);
    if (axis < 0) axis += t.rank;
    const axes = Array.from({ length: t.rank - axis }, (_, i) => axis + i);
    // The statistics of x − m (m the group's mean as first computed; the result is the same in
    // exact arithmetic): the wasm backend sums in float32 one element after another, so the mean
    // of a row of −7.74s came out 1.6e-4 off, and 1/√eps turned that into 0.05 where PyTorch, ONNX
    // and tfjs-cpu give 0 (found by the differential fuzzer, seed 32179). Shifted, a constant row
    // is exactly 0 and a row whose mean dwarfs its spread keeps its digits. Not by the first
    // element: a row whose first element is far from the rest then sums large differences and
    // loses the digits of its small entries (test/layer-norm-precision.test.ts).
    const shift = tf.mean(t, axes, true);
    const centred = tf.sub(t, shift);
    const { mean, variance } = tf.moments(centred, axes, true);
    let y = tf.mul(tf.sub(centred, mean), tf.rsqrt(tf.add(variance, eps)));
    y = tf.mul(y, required(scale, 'Scale').canonical());
    if (bias) y = tf.add(y, bias.canonical());
    return [new Val(y)];
  },
};

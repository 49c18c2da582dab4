/**
 * What the shifted statistics of LayerNormalization (packages/tfjs/src/lowering/normalization.ts,
 * found by the differential fuzzer) cost: forward + backward of the normalization alone on
 * [32, 64, 128], the old form (moments of x) against the new (moments of x − mean(x)), interleaved in
 * one process, 15 pairs after 3 warm-ups; prints the median ratio and its range.
 *
 *   node --conditions=@dlm/source --import tsx tools/bench/layer-norm-shift.ts
 */
import * as tf from '@tensorflow/tfjs-core';
import { setupBackend } from '@dlm/tfjs';
const old = (t: tf.Tensor) => { const { mean, variance } = tf.moments(t, [2], true); return tf.mul(tf.sub(t, mean), tf.rsqrt(tf.add(variance, 1e-5))); };
const shifted = (t: tf.Tensor) => { const s = tf.mean(t, [2], true); const c = tf.sub(t, s); const { mean, variance } = tf.moments(c, [2], true); return tf.mul(tf.sub(c, mean), tf.rsqrt(tf.add(variance, 1e-5))); };
for (const b of ['wasm', 'cpu'] as const) {
  await setupBackend(b);
  const x = tf.randomNormal([32, 64, 128]);
  const run = (f: (t: tf.Tensor) => tf.Tensor) => { const t0 = performance.now(); tf.tidy(() => { const g = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(f(t), t)))(x); g.dataSync(); }); return performance.now() - t0; };
  for (let i = 0; i < 3; i++) { run(old); run(shifted); }
  const ratios: number[] = [];
  for (let i = 0; i < 15; i++) { const a = run(old); const c = run(shifted); ratios.push(c / a); }
  ratios.sort((p, q) => p - q);
  console.log(b, 'shifted/old time ratio (forward+backward, [32,64,128]): median', ratios[7]!.toFixed(2), 'range', ratios[0]!.toFixed(2), '-', ratios[14]!.toFixed(2));
}

/**
 * What XNNPACK's per-call operator set-up costs in the MNIST CNN's convolutions (wasm, 1 thread).
 * tfjs-backend-wasm caches an XNNPACK convolution per filter tensor; a new filter tensor means a
 * new operator: the filter is transposed to XNNPACK's layout and packed before the first run.
 * dlm's filter gradient (kernels/conv-grad.ts) is a forward convolution whose FILTER is dy
 * (transposed), new every step, so every call pays that set-up on dy's size (conv1: 24·24·64·10 =
 * 368,640 floats); the forward convolutions pay it on the weights (250 and 5,000 floats). Each
 * line times the same convolution with its filter tensor reused (operator cached) and with a fresh
 * copy per call (operator created), alternating, and the whole dlm kernel for reference.
 *
 *   node --conditions=@dlm/source --import tsx tools/bench/conv-operator-setup.ts [--reps 40]
 */
import * as tf from '@tensorflow/tfjs-core';
import { loadavg } from 'node:os';
import { setupBackend } from '@dlm/tfjs';

const i = process.argv.indexOf('--reps');
const reps = i > 0 ? Number(process.argv[i + 1]) : 40;
await setupBackend('wasm');
const rand = (s: number[]) => tf.randomNormal(s, 0, 1, 'float32', s.length);
type Case = { name: string; x: tf.Tensor4D; filter: tf.Tensor4D; kernel?: () => tf.Tensor };
const runKernel = (k: string, inputs: Record<string, tf.Tensor>, attrs: Record<string, unknown>) => tf.engine().runKernel(k, inputs, attrs as tf.NamedAttrMap) as tf.Tensor;

const x1 = rand([64, 28, 28, 1]) as tf.Tensor4D;
const dy1 = rand([64, 24, 24, 10]) as tf.Tensor4D;
const x2 = rand([64, 12, 12, 10]) as tf.Tensor4D;
const dy2 = rand([64, 8, 8, 20]) as tf.Tensor4D;
// The filter gradient's convolution: x as [C, H, W, N], dy as the filter [OH, OW, N, M].
const asFilterGrad = (x: tf.Tensor4D, dy: tf.Tensor4D) => ({ x: tf.transpose(x, [3, 1, 2, 0]) as tf.Tensor4D, filter: tf.transpose(dy, [1, 2, 0, 3]) as tf.Tensor4D });
const cases: Case[] = [
  { name: 'conv1 filter gradient (filter = dy, 368,640 floats)', ...asFilterGrad(x1, dy1), kernel: () => runKernel('Conv2DBackpropFilter', { x: x1, dy: dy1 }, { strides: 1, pad: 'valid', dataFormat: 'NHWC', filterShape: [5, 5, 1, 10] }) },
  { name: 'conv2 filter gradient (filter = dy, 81,920 floats)', ...asFilterGrad(x2, dy2), kernel: () => runKernel('Conv2DBackpropFilter', { x: x2, dy: dy2 }, { strides: 1, pad: 'valid', dataFormat: 'NHWC', filterShape: [5, 5, 10, 20] }) },
  { name: 'conv1 forward (filter = weights, 250 floats)', x: x1, filter: rand([5, 5, 1, 10]) as tf.Tensor4D },
  { name: 'conv2 forward (filter = weights, 5,000 floats)', x: x2, filter: rand([5, 5, 10, 20]) as tf.Tensor4D },
];

const stats = (v: number[]) => {
  const s = [...v].sort((a, b) => a - b);
  return `min ${s[0]!.toFixed(2)}, median ${s[s.length >> 1]!.toFixed(2)}`;
};
console.log(`wasm 1 thread, ${reps} calls each, alternating; Node ${process.version}; load ${loadavg()[0]!.toFixed(2)}`);
for (const c of cases) {
  const t = { cached: [] as number[], fresh: [] as number[], kernel: [] as number[] };
  for (let r = 0; r < reps + 3; r++) {
    let t0 = performance.now();
    tf.dispose(tf.conv2d(c.x, c.filter, 1, 'valid'));
    const cached = performance.now() - t0;
    const copy = tf.mul(c.filter, 1) as tf.Tensor4D; // a new tensor: a new operator
    t0 = performance.now();
    tf.dispose(tf.conv2d(c.x, copy, 1, 'valid'));
    const fresh = performance.now() - t0;
    copy.dispose();
    let kernel = 0;
    if (c.kernel) {
      t0 = performance.now();
      tf.dispose(c.kernel());
      kernel = performance.now() - t0;
    }
    if (r < 3) continue;
    t.cached.push(cached);
    t.fresh.push(fresh);
    t.kernel.push(kernel);
  }
  console.log(`${c.name}\n  operator cached: ${stats(t.cached)} ms; created per call: ${stats(t.fresh)} ms${c.kernel ? `; dlm's whole kernel: ${stats(t.kernel)} ms` : ''}`);
}

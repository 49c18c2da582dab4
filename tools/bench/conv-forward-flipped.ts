/**
 * The input gradient's XNNPACK path (conv-grad.ts `makeConv2DBackpropInput(…, 'never')`: for
 * 'same' stride-1 convs a forward Conv2D of dy with the flipped filter) with that Conv2D as dlm
 * registers it (the SIMD forward convolution where `convForwardSimdPays`, conv-forward-simd.ts)
 * against tfjs' XNNPACK Conv2D, switched in turn in one process, dense dy; per-call min / median
 * (ms) and their ratios. Wasm, 1 thread.
 *
 *   node --conditions=@dlm/source --import tsx tools/bench/conv-forward-flipped.ts
 */
import * as tf from '@tensorflow/tfjs-core';
import { loadavg } from 'node:os';
import { setupBackend, replacedKernel } from '@dlm/tfjs';
import { makeConv2DBackpropInput } from '../../packages/tfjs/src/kernels/conv-grad.js';
await setupBackend('wasm');
const xnn = makeConv2DBackpropInput('wasm', 'never');
const simdConv = tf.getKernel('Conv2D', 'wasm')!;
const orig = replacedKernel('Conv2D', 'wasm')!;
const use = (k: tf.KernelConfig) => { tf.unregisterKernel('Conv2D', 'wasm'); tf.registerKernel(k); };
console.log(`load ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
type S = [number, number, number, number];
for (const [x, f] of [[[32, 32, 32, 16], [3, 3, 16, 32]], [[16, 32, 32, 64], [3, 3, 64, 64]], [[8, 16, 16, 8], [3, 3, 8, 16]]] as [S, S][]) {
  const info = tf.backend_util.computeConv2DInfo(x, f, 1, 1, 'same');
  const dy = tf.randomNormal([x[0], info.outHeight, info.outWidth, f[3]], 0, 1, 'float32', 1);
  const filter = tf.randomNormal(f, 0, 0.1, 'float32', 2);
  const attrs = { strides: 1, pad: 'same', dataFormat: 'NHWC', inputShape: x } as unknown as tf.NamedAttrMap;
  const b = tf.backend() as tf.KernelBackend & { disposeData(id: object): void };
  const t: Record<string, number[]> = { simd: [], orig: [] };
  // Rounds alternate the order; the first 3 are warm-up.
  for (let r = 0; r < 23; r++) for (const [name, k] of (r % 2 ? [['simd', simdConv], ['orig', orig]] : [['orig', orig], ['simd', simdConv]]) as [string, tf.KernelConfig][]) {
    use(k);
    const t0 = performance.now();
    const out = xnn({ inputs: { dy, filter }, backend: b, attrs }) as tf.TensorInfo;
    const ms = performance.now() - t0;
    b.disposeData(out.dataId);
    if (r >= 3) t[name]!.push(ms);
  }
  const s = (v: number[]) => [...v].sort((a, c) => a - c);
  const [a, c] = [s(t['simd']!), s(t['orig']!)];
  console.log(`${x} ${f}: Conv2D SIMD min/med ${a[0]!.toFixed(2)}/${a[10]!.toFixed(2)}  XNNPACK ${c[0]!.toFixed(2)}/${c[10]!.toFixed(2)}  ratio ${(a[0]! / c[0]!).toFixed(2)}/${(a[10]! / c[10]!).toFixed(2)}`);
  use(simdConv);
}

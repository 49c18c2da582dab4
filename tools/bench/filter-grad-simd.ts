/**
 * The WebAssembly SIMD filter gradient (packages/tfjs/src/kernels/filter-grad-simd.ts) against the
 * forward-XNNPACK-convolution one it replaces (conv-grad.ts), on the MNIST CNN's two convolutions
 * (batch 64) and a few other shapes: wasm backend, 1 thread, both paths called alternately in one
 * process, per-call min and median (ms), their ratios, and the largest difference of the two results;
 * "copies" is what the SIMD path's copies of x and dy into its memory cost alone (the same
 * Float32Array.set calls into a preallocated buffer, min over the same calls; padded inputs copy row by row, a bit more).
 *
 *   node --conditions=@dlm/source --import tsx tools/bench/filter-grad-simd.ts [--reps 40]
 */
import * as tf from '@tensorflow/tfjs-core';
import { loadavg } from 'node:os';
import { setupBackend } from '@dlm/tfjs';
// The two paths by path (a benchmark, not a package: check-deps does not apply).
import { makeConv2DBackpropFilter } from '../../packages/tfjs/src/kernels/conv-grad.js';

const i = process.argv.indexOf('--reps');
const reps = i > 0 ? Number(process.argv[i + 1]) : 40;
await setupBackend('wasm');
const simd = makeConv2DBackpropFilter('wasm', true);
const conv = makeConv2DBackpropFilter('wasm', false);
type Shape = [number, number, number, number];
const shapes: { name: string; x: Shape; f: Shape; stride: number; pad: 'valid' | 'same' }[] = [
  { name: 'MNIST conv1 x[64,28,28,1] k5 M10', x: [64, 28, 28, 1], f: [5, 5, 1, 10], stride: 1, pad: 'valid' },
  { name: 'MNIST conv2 x[64,12,12,10] k5 M20', x: [64, 12, 12, 10], f: [5, 5, 10, 20], stride: 1, pad: 'valid' },
  { name: 'x[32,32,32,3] k3 M16 same', x: [32, 32, 32, 3], f: [3, 3, 3, 16], stride: 1, pad: 'same' },
  { name: 'x[32,16,16,16] k3 M32 same', x: [32, 16, 16, 16], f: [3, 3, 16, 32], stride: 1, pad: 'same' },
  { name: 'x[32,32,32,16] k3 M32 stride 2 same', x: [32, 32, 32, 16], f: [3, 3, 16, 32], stride: 2, pad: 'same' },
  { name: 'x[16,32,32,64] k3 M64 same', x: [16, 32, 32, 64], f: [3, 3, 64, 64], stride: 1, pad: 'same' },
  { name: 'x[8,64,64,32] k3 M64 same', x: [8, 64, 64, 32], f: [3, 3, 32, 64], stride: 1, pad: 'same' },
  { name: 'x[64,7,7,128] k1 M256 valid', x: [64, 7, 7, 128], f: [1, 1, 128, 256], stride: 1, pad: 'valid' },
];
const stats = (v: number[]) => [...v].sort((a, b) => a - b);
console.log(`wasm 1 thread, ${reps} calls each, alternating; Node ${process.version}; load ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
for (const s of shapes) {
  const info = tf.backend_util.computeConv2DInfo(s.x, s.f, s.stride, 1, s.pad);
  const x = tf.randomNormal(s.x, 0, 1, 'float32', 1);
  const dy = tf.randomNormal([s.x[0], info.outHeight, info.outWidth, s.f[3]], 0, 1, 'float32', 2);
  const attrs = { strides: s.stride, pad: s.pad, dataFormat: 'NHWC', filterShape: s.f } as unknown as tf.NamedAttrMap;
  const b = tf.backend() as tf.KernelBackend & { disposeData(id: object): void };
  const run = (k: tf.KernelFunc) => {
    const t0 = performance.now();
    const out = k({ inputs: { x, dy }, backend: b, attrs }) as tf.TensorInfo;
    const ms = performance.now() - t0;
    return { ms, out };
  };
  const a = run(simd);
  const c = run(conv);
  const va = b.readSync(a.out.dataId) as Float32Array;
  const vc = b.readSync(c.out.dataId) as Float32Array;
  let diff = 0;
  let scale = 0;
  va.forEach((v, k) => ((diff = Math.max(diff, Math.abs(v - vc[k]!))), (scale = Math.max(scale, Math.abs(vc[k]!)))));
  b.disposeData(a.out.dataId);
  b.disposeData(c.out.dataId);
  const xv = x.dataSync() as Float32Array;
  const dyv = dy.dataSync() as Float32Array;
  const buffer = new Float32Array(xv.length + dyv.length);
  const copyMs: number[] = [];
  const t = { simd: [] as number[], conv: [] as number[] };
  for (let r = 0; r < reps + 3; r++) {
    for (const [name, k] of (r % 2 ? [['simd', simd], ['conv', conv]] : [['conv', conv], ['simd', simd]]) as [keyof typeof t, tf.KernelFunc][]) {
      const { ms, out } = run(k);
      b.disposeData(out.dataId);
      if (r >= 3) t[name].push(ms);
    }
    const t0 = performance.now();
    buffer.set(dyv, 0);
    buffer.set(xv, dyv.length);
    copyMs.push(performance.now() - t0);
  }
  const ss = stats(t.simd);
  const sc = stats(t.conv);
  const med = (v: number[]) => v[v.length >> 1]!;
  console.log(`${s.name}: simd min ${ss[0]!.toFixed(2)} median ${med(ss).toFixed(2)} ms; XNNPACK conv min ${sc[0]!.toFixed(2)} median ${med(sc).toFixed(2)} ms; simd/conv median ${(med(ss) / med(sc)).toFixed(2)}, min ${(ss[0]! / sc[0]!).toFixed(2)}; copies ${Math.min(...copyMs).toFixed(2)} ms; max |diff| ${diff.toExponential(1)} of max |dW| ${scale.toExponential(1)}`);
  tf.dispose([x, dy]);
}

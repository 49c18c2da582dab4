/**
 * The WebAssembly SIMD forward convolution + bias (packages/tfjs/src/kernels/conv-forward-simd.ts)
 * against tfjs-backend-wasm's XNNPACK FusedConv2D, on the MNIST CNN's two convs (batch 64) and a
 * few 3×3 convs: wasm backend (XNNPACK on $DLM_WASM_THREADS threads, default 1; the SIMD kernel runs on one); the two called in turn in one process (the order swapped
 * every round), a new filter tensor before each call as after an optimizer step (XNNPACK then
 * re-creates its operator, as in training); per-call min and median (ms), their ratio, the
 * multiply-add rate, the largest difference of the results, and whether dlm picks the SIMD kernel
 * for the shape (`convForwardSimdPays`).
 *
 *   node --conditions=@dlm/source --import tsx tools/bench/conv-forward-simd.ts [--reps 40]
 *   DLM_WASM_THREADS=2 node --conditions=@dlm/source --import tsx tools/bench/conv-forward-simd.ts
 */
import * as tf from '@tensorflow/tfjs-core';
import { loadavg } from 'node:os';
import { setupBackend, replacedKernel } from '@dlm/tfjs';
// The kernel by path (a benchmark, not a package: check-deps does not apply).
import { convForwardSimdPays, makeWasmConvForward } from '../../packages/tfjs/src/kernels/conv-forward-simd.js';

const i = process.argv.indexOf('--reps');
const reps = i > 0 ? Number(process.argv[i + 1]) : 40;
const { threads } = await setupBackend('wasm');
const original = replacedKernel('FusedConv2D', 'wasm')!.kernelFunc;
const simd = makeWasmConvForward(original, 'always');
type Shape = [number, number, number, number];
const shapes: { name: string; x: Shape; f: Shape; stride: number; pad: 'valid' | 'same' }[] = [
  { name: 'MNIST conv1 x[64,28,28,1] k5 M10 valid', x: [64, 28, 28, 1], f: [5, 5, 1, 10], stride: 1, pad: 'valid' },
  { name: 'MNIST conv2 x[64,12,12,10] k5 M20 valid', x: [64, 12, 12, 10], f: [5, 5, 10, 20], stride: 1, pad: 'valid' },
  { name: 'x[32,32,32,3] k3 M16 same', x: [32, 32, 32, 3], f: [3, 3, 3, 16], stride: 1, pad: 'same' },
  { name: 'x[32,32,32,16] k3 M32 same', x: [32, 32, 32, 16], f: [3, 3, 16, 32], stride: 1, pad: 'same' },
  { name: 'x[32,32,32,16] k3 M32 stride 2 same', x: [32, 32, 32, 16], f: [3, 3, 16, 32], stride: 2, pad: 'same' },
  { name: 'x[16,32,32,32] k3 M64 same', x: [16, 32, 32, 32], f: [3, 3, 32, 64], stride: 1, pad: 'same' },
  { name: 'x[16,16,16,64] k3 M64 same', x: [16, 16, 16, 64], f: [3, 3, 64, 64], stride: 1, pad: 'same' },
];

const sorted = (v: number[]) => [...v].sort((a, b) => a - b);
const med = (v: number[]) => v[v.length >> 1]!;
console.log(`wasm, XNNPACK on ${threads} thread(s), ${reps} calls each, alternating; Node ${process.version}; load ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
console.log('shape | SIMD min/median ms | XNNPACK min/median ms | ratio min/median | SIMD GMAC/s (min) | XNNPACK GMAC/s | max |diff| / max |y| | dlm picks');
const b = tf.backend() as tf.KernelBackend & { disposeData(id: object): void };
for (const s of shapes) {
  const info = tf.backend_util.computeConv2DInfo(s.x, s.f, s.stride, 1, s.pad);
  const pads = info.padInfo;
  const attrs = { strides: [s.stride, s.stride], pad: [[0, 0], [pads.top, pads.bottom], [pads.left, pads.right], [0, 0]], dataFormat: 'NHWC', dilations: [1, 1], activation: 'linear' } as unknown as tf.NamedAttrMap;
  const x = tf.randomNormal(s.x, 0, 1, 'float32', 1);
  const bias = tf.randomNormal([s.f[3]], 0, 0.1, 'float32', 3);
  let seed = 10;
  const run = (k: tf.KernelFunc) => {
    const filter = tf.randomNormal(s.f, 0, 0.1, 'float32', seed++);
    const t0 = performance.now();
    const out = k({ inputs: { x, filter, bias }, backend: b, attrs }) as tf.TensorInfo;
    const ms = performance.now() - t0;
    filter.dispose();
    return { ms, out };
  };
  seed = 5;
  const a = run(simd);
  seed = 5;
  const c = run(original);
  const va = b.readSync(a.out.dataId) as Float32Array;
  const vc = b.readSync(c.out.dataId) as Float32Array;
  let diff = 0;
  let scale = 0;
  va.forEach((v, k) => ((diff = Math.max(diff, Math.abs(v - vc[k]!))), (scale = Math.max(scale, Math.abs(vc[k]!)))));
  b.disposeData(a.out.dataId);
  b.disposeData(c.out.dataId);
  const t: Record<'simd' | 'xnn', number[]> = { simd: [], xnn: [] };
  for (let r = 0; r < reps + 3; r++) {
    const order = r % 2 ? (['xnn', 'simd'] as const) : (['simd', 'xnn'] as const);
    for (const side of order) {
      const { ms, out } = run(side === 'simd' ? simd : original);
      b.disposeData(out.dataId);
      if (r >= 3) t[side].push(ms);
    }
  }
  const [ss, xs] = [sorted(t.simd), sorted(t.xnn)];
  const macs = s.x[0] * info.outHeight * info.outWidth * s.f[0] * s.f[1] * s.f[2] * s.f[3];
  const g = { n: s.x[0], h: s.x[1], w: s.x[2], c: s.x[3], oh: info.outHeight, ow: info.outWidth, kh: s.f[0], kw: s.f[1], m: s.f[3], sh: s.stride, sw: s.stride, top: pads.top, left: pads.left };
  console.log(
    `${s.name} | ${ss[0]!.toFixed(3)}/${med(ss).toFixed(3)} | ${xs[0]!.toFixed(3)}/${med(xs).toFixed(3)} | ${(ss[0]! / xs[0]!).toFixed(2)}/${(med(ss) / med(xs)).toFixed(2)} | ` +
      `${(macs / ss[0]! / 1e6).toFixed(1)} | ${(macs / xs[0]! / 1e6).toFixed(1)} | ${(diff / scale).toExponential(1)} | ${convForwardSimdPays(g, threads ?? 1) ? 'SIMD' : 'XNNPACK'}`,
  );
  tf.dispose([x, bias]);
}
console.log(`load after: ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);

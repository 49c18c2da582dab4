/**
 * MaxPoolGrad of max_pool(2) on the wasm backend: the WebAssembly SIMD kernel
 * (packages/tfjs/src/kernels/pool-grad-simd.ts) against the JS kernel it replaces (pool-grad.ts,
 * `windows2x2FromOutput`), on the MNIST CNN's two pools (batch 64) and a larger one; 1 thread,
 * both called alternately in one process; per-call min and median (ms), their ratios, and whether
 * the results are bit-identical.
 *
 *   node --conditions=@dlm/source --import tsx tools/bench/pool-grad-simd.ts [--reps 40]
 */
import * as tf from '@tensorflow/tfjs-core';
import { loadavg } from 'node:os';
import { setupBackend } from '@dlm/tfjs';
// The two kernels by path (a benchmark, not a package: check-deps does not apply).
import { makeMaxPoolGrad, maxPoolGrad } from '../../packages/tfjs/src/kernels/pool-grad.js';

const i = process.argv.indexOf('--reps');
const reps = i > 0 ? Number(process.argv[i + 1]) : 40;
await setupBackend('wasm');
const simd = makeMaxPoolGrad(true);
const shapes: [string, [number, number, number, number]][] = [
  ['MNIST pool 1 x[64,24,24,10]', [64, 24, 24, 10]],
  ['MNIST pool 2 x[64,8,8,20]', [64, 8, 8, 20]],
  ['x[32,32,32,32]', [32, 32, 32, 32]],
];
const sorted = (v: number[]) => [...v].sort((a, b) => a - b);
const med = (v: number[]) => v[v.length >> 1]!;
console.log(`wasm 1 thread, ${reps} calls each, alternating; Node ${process.version}; load ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
for (const [name, shape] of shapes) {
  const input = tf.randomNormal(shape, 0, 1, 'float32', 1);
  const output = tf.maxPool(input as tf.Tensor4D, 2, 2, 'valid');
  const dy = tf.randomNormal(output.shape, 0, 1, 'float32', 2);
  const attrs = { filterSize: 2, strides: 2, pad: 'valid' } as unknown as tf.NamedAttrMap;
  const b = tf.backend() as tf.KernelBackend & { disposeData(id: object): void };
  const run = (k: tf.KernelFunc) => {
    const t0 = performance.now();
    const out = k({ inputs: { dy, input, output }, backend: b, attrs }) as tf.TensorInfo;
    return { ms: performance.now() - t0, out };
  };
  const [a, c] = [run(simd), run(maxPoolGrad)];
  const [va, vc] = [b.readSync(a.out.dataId) as Float32Array, b.readSync(c.out.dataId) as Float32Array];
  const identical = va.length === vc.length && new Uint32Array(va.buffer, va.byteOffset, va.length).every((v, k) => v === new Uint32Array(vc.buffer, vc.byteOffset, vc.length)[k]);
  b.disposeData(a.out.dataId);
  b.disposeData(c.out.dataId);
  const t = { simd: [] as number[], js: [] as number[] };
  for (let r = 0; r < reps + 3; r++)
    for (const [side, k] of (r % 2 ? [['simd', simd], ['js', maxPoolGrad]] : [['js', maxPoolGrad], ['simd', simd]]) as [keyof typeof t, tf.KernelFunc][]) {
      const { ms, out } = run(k);
      b.disposeData(out.dataId);
      if (r >= 3) t[side].push(ms);
    }
  const [ss, sj] = [sorted(t.simd), sorted(t.js)];
  console.log(`${name}: simd min ${ss[0]!.toFixed(3)} median ${med(ss).toFixed(3)} ms; JS min ${sj[0]!.toFixed(3)} median ${med(sj).toFixed(3)} ms; simd/JS min ${(ss[0]! / sj[0]!).toFixed(2)}, median ${(med(ss) / med(sj)).toFixed(2)}; bit-identical: ${identical}`);
  tf.dispose([input, output, dy]);
}

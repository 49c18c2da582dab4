/**
 * Sum over all leading axes (bias gradients) on wasm: dlm's WebAssembly SIMD column sums
 * (packages/tfjs/src/kernels/column-sum-simd.ts) against tfjs-backend-wasm's own Sum (transpose,
 * then a scalar sum per output), on the MNIST CNN's conv bias gradients (batch 64) and a larger
 * one; 1 thread, both called alternately in one process; per-call min and median (ms), ratios,
 * and whether the results are bit-identical.
 *
 *   node --conditions=@dlm/source --import tsx tools/bench/column-sum-simd.ts [--reps 40]
 */
import * as tf from '@tensorflow/tfjs-core';
import { loadavg } from 'node:os';
import { replacedKernel, setupBackend } from '@dlm/tfjs';

const i = process.argv.indexOf('--reps');
const reps = i > 0 ? Number(process.argv[i + 1]) : 40;
await setupBackend('wasm');
const ours = tf.getKernel('Sum', 'wasm')!.kernelFunc;
const theirs = replacedKernel('Sum', 'wasm')!.kernelFunc;
const sorted = (v: number[]) => [...v].sort((a, b) => a - b);
const med = (v: number[]) => v[v.length >> 1]!;
console.log(`wasm 1 thread, ${reps} calls each, alternating; Node ${process.version}; load ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
for (const shape of [[64, 24, 24, 10], [64, 8, 8, 20], [32, 32, 32, 64]]) {
  const x = tf.randomNormal(shape, 0, 1, 'float32', 1);
  const attrs = { axis: shape.slice(0, -1).map((_, k) => k), keepDims: false } as unknown as tf.NamedAttrMap;
  const b = tf.backend() as tf.KernelBackend & { disposeData(id: object): void };
  const run = (k: tf.KernelFunc) => {
    const t0 = performance.now();
    const out = k({ inputs: { x }, backend: b, attrs }) as tf.TensorInfo;
    return { ms: performance.now() - t0, out };
  };
  const [a, c] = [run(ours), run(theirs)];
  const [va, vc] = [b.readSync(a.out.dataId) as Float32Array, b.readSync(c.out.dataId) as Float32Array];
  const identical = va.every((v, k) => Object.is(v, vc[k]));
  b.disposeData(a.out.dataId);
  b.disposeData(c.out.dataId);
  const t = { simd: [] as number[], tfjs: [] as number[] };
  for (let r = 0; r < reps + 3; r++)
    for (const [side, k] of (r % 2 ? [['simd', ours], ['tfjs', theirs]] : [['tfjs', theirs], ['simd', ours]]) as [keyof typeof t, tf.KernelFunc][]) {
      const { ms, out } = run(k);
      b.disposeData(out.dataId);
      if (r >= 3) t[side].push(ms);
    }
  const [ss, st] = [sorted(t.simd), sorted(t.tfjs)];
  console.log(`[${shape.join(',')}] → [${shape.at(-1)}]: simd min ${ss[0]!.toFixed(3)} median ${med(ss).toFixed(3)} ms; tfjs min ${st[0]!.toFixed(3)} median ${med(st).toFixed(3)} ms; simd/tfjs min ${(ss[0]! / st[0]!).toFixed(2)}, median ${(med(ss) / med(st)).toFixed(2)}; bit-identical: ${identical}`);
  x.dispose();
}

/**
 * The WebAssembly SIMD input gradient that skips dy's zeros (packages/tfjs/src/kernels/input-grad-simd.ts)
 * against the XNNPACK paths it replaces (conv-grad.ts: GEMM + col2im where the input is ≥ 1.5× dy,
 * else the flipped-filter forward conv), on the MNIST CNN's conv2 (batch 64) and a few other
 * shapes, each with dy dense, 50% and 75% zeros, and max-pool shaped (one nonzero per 2×2 window
 * and channel, half of those zeroed as by relu: ~12.5% nonzero, what conv2 gets in training):
 * wasm backend, 1 thread; the SIMD kernel, the XNNPACK path and dlm's choice between them (conv-grad.ts:
 * the SIMD kernel where the GEMM would run or dy is ≤ 50% nonzero, counted first) called in turn in
 * one process; per-call min and median (ms), their ratios, and the largest difference of the results.
 *
 *   node --conditions=@dlm/source --import tsx tools/bench/input-grad-simd.ts [--reps 40] [--dispatch]
 *
 * --dispatch: only what deciding costs on a dense dy, the two checks alone, alternating: copying dy
 * into the kernel and counting it (`stageInputGrad`, which then declines) against sampling it
 * (`sampledNonzeroShare`, which conv-grad.ts now asks first).
 */
import * as tf from '@tensorflow/tfjs-core';
import { loadavg } from 'node:os';
import { mulberry32 } from '@dlm/core';
import { setupBackend } from '@dlm/tfjs';
// The two paths by path (a benchmark, not a package: check-deps does not apply).
import { makeConv2DBackpropInput } from '../../packages/tfjs/src/kernels/conv-grad.js';
import { sampledNonzeroShare, stageInputGrad } from '../../packages/tfjs/src/kernels/input-grad-simd.js';

const i = process.argv.indexOf('--reps');
const reps = i > 0 ? Number(process.argv[i + 1]) : 40;
await setupBackend('wasm');
const simd = makeConv2DBackpropInput('wasm', 'always');
const xnn = makeConv2DBackpropInput('wasm', 'never');
const auto = makeConv2DBackpropInput('wasm', 'auto');
type Shape = [number, number, number, number];
const shapes: { name: string; x: Shape; f: Shape; stride: number; pad: 'valid' | 'same' }[] = [
  { name: 'MNIST conv2 dy[64,8,8,20] k5 C10 valid', x: [64, 12, 12, 10], f: [5, 5, 10, 20], stride: 1, pad: 'valid' },
  { name: 'x[32,32,32,16] k3 M32 same', x: [32, 32, 32, 16], f: [3, 3, 16, 32], stride: 1, pad: 'same' },
  { name: 'x[32,32,32,16] k3 M32 stride 2 same', x: [32, 32, 32, 16], f: [3, 3, 16, 32], stride: 2, pad: 'same' },
  { name: 'x[16,32,32,64] k3 M64 same', x: [16, 32, 32, 64], f: [3, 3, 64, 64], stride: 1, pad: 'same' },
  { name: 'x[64,7,7,128] k1 M256 valid', x: [64, 7, 7, 128], f: [1, 1, 128, 256], stride: 1, pad: 'valid' },
];

/** dy values for a density: 'pool' is max_pool(2) then relu shaped, a number the share of exact zeros. */
function dyValues(shape: Shape, kind: number | 'pool', seed: number): Float32Array {
  const [n, oh, ow, m] = shape;
  const next = mulberry32(seed);
  const v = new Float32Array(n * oh * ow * m);
  if (kind !== 'pool') return v.map(() => (next() < kind ? 0 : 2 * next() - 1));
  for (let b = 0; b < n; b++)
    for (let r = 0; r < oh; r += 2)
      for (let q = 0; q < ow; q += 2)
        for (let ch = 0; ch < m; ch++) {
          const [dr, dq] = [Math.floor(next() * 2), Math.floor(next() * 2)];
          if (r + dr < oh && q + dq < ow && next() < 0.5) v[((b * oh + r + dr) * ow + q + dq) * m + ch] = 2 * next() - 1;
        }
  return v;
}

const sorted = (v: number[]) => [...v].sort((a, b) => a - b);
const med = (v: number[]) => v[v.length >> 1]!;
if (process.argv.includes('--dispatch')) {
  await dispatchCost();
  process.exit(0);
}
console.log(`wasm 1 thread, ${reps} calls each, alternating; Node ${process.version}; load ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
for (const s of shapes) {
  const info = tf.backend_util.computeConv2DInfo(s.x, s.f, s.stride, 1, s.pad);
  const dyShape: Shape = [s.x[0], info.outHeight, info.outWidth, s.f[3]];
  const filter = tf.randomNormal(s.f, 0, 0.1, 'float32', 1);
  const attrs = { strides: s.stride, pad: s.pad, dataFormat: 'NHWC', inputShape: s.x } as unknown as tf.NamedAttrMap;
  const b = tf.backend() as tf.KernelBackend & { disposeData(id: object): void };
  for (const kind of [0, 0.5, 0.75, 'pool'] as const) {
    const dy = tf.tensor(dyValues(dyShape, kind, 2), dyShape);
    const nonzero = (dy.dataSync() as Float32Array).reduce((a, v) => a + (v !== 0 ? 1 : 0), 0) / dy.size;
    const run = (k: tf.KernelFunc) => {
      const t0 = performance.now();
      const out = k({ inputs: { dy, filter }, backend: b, attrs }) as tf.TensorInfo;
      return { ms: performance.now() - t0, out };
    };
    const a = run(simd);
    const c = run(xnn);
    const va = b.readSync(a.out.dataId) as Float32Array;
    const vc = b.readSync(c.out.dataId) as Float32Array;
    let diff = 0;
    let scale = 0;
    va.forEach((v, k) => ((diff = Math.max(diff, Math.abs(v - vc[k]!))), (scale = Math.max(scale, Math.abs(vc[k]!)))));
    b.disposeData(a.out.dataId);
    b.disposeData(c.out.dataId);
    const t: Record<'simd' | 'xnn' | 'auto', number[]> = { simd: [], xnn: [], auto: [] };
    const sides = [['simd', simd], ['xnn', xnn], ['auto', auto]] as const;
    for (let r = 0; r < reps + 3; r++) {
      // Rotate the order every round, so no side always runs after the same one.
      for (let q = 0; q < 3; q++) {
        const [name, k] = sides[(r + q) % 3]!;
        const { ms, out } = run(k);
        b.disposeData(out.dataId);
        if (r >= 3) t[name].push(ms);
      }
    }
    const [ss, sx, sa] = [sorted(t.simd), sorted(t.xnn), sorted(t.auto)];
    const fmt = (v: number[]) => `min ${v[0]!.toFixed(2)} median ${med(v).toFixed(2)}`;
    console.log(
      `${s.name}, dy ${(100 * nonzero).toFixed(1)}% nonzero${kind === 'pool' ? ' (max-pool shaped)' : ''}: simd ${fmt(ss)} ms; XNNPACK ${fmt(sx)} ms; dlm's choice ${fmt(sa)} ms; ` +
        `simd/XNNPACK min ${(ss[0]! / sx[0]!).toFixed(2)}, median ${(med(ss) / med(sx)).toFixed(2)}; choice/XNNPACK min ${(sa[0]! / sx[0]!).toFixed(2)}, median ${(med(sa) / med(sx)).toFixed(2)}; ` +
        `max |diff| ${diff.toExponential(1)} of max |dx| ${scale.toExponential(1)}`,
    );
    dy.dispose();
  }
  filter.dispose();
}

async function dispatchCost(): Promise<void> {
  console.log(`wasm, ${reps} calls each, alternating; Node ${process.version}; load ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  const cases: [n: number, oh: number, ow: number, m: number, c: number, k: number][] = [[64, 8, 8, 20, 10, 5], [32, 32, 32, 32, 16, 3], [16, 32, 32, 64, 64, 3], [64, 7, 7, 256, 128, 1]];
  for (const [n, oh, ow, m, c, k] of cases) {
    const dy = Float32Array.from({ length: n * oh * ow * m }, (_, j) => Math.sin(j) + 2); // dense, no zeros
    const pad = (k - 1) >> 1;
    const g = { n, h: oh + k - 1 - 2 * pad, w: ow + k - 1 - 2 * pad, c, oh, ow, kh: k, kw: k, m, sh: 1, sw: 1, top: pad, left: pad };
    const t = { stage: [] as number[], sample: [] as number[] };
    for (let r = 0; r < reps + 3; r++) {
      for (const side of r % 2 ? (['stage', 'sample'] as const) : (['sample', 'stage'] as const)) {
        const t0 = performance.now();
        if (side === 'stage') {
          if (stageInputGrad(dy, g, 0.5) !== undefined) throw new Error('a dense dy was staged');
        } else if (sampledNonzeroShare(dy) <= 0.6) throw new Error('a dense dy was sampled as sparse');
        if (r >= 3) t[side].push(performance.now() - t0);
      }
    }
    const [a, b] = [sorted(t.stage), sorted(t.sample)];
    console.log(`dy [${n},${oh},${ow},${m}] dense: copy + count min ${a[0]!.toFixed(3)} median ${med(a).toFixed(3)} ms; sample min ${b[0]!.toFixed(3)} median ${med(b).toFixed(3)} ms`);
  }
}

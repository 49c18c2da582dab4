/**
 * dlm's two WebAssembly SIMD filter-gradient kernels (packages/tfjs/src/kernels/filter-grad-simd.ts)
 * against each other: the dense one (4 taps × 8 channels in registers over every position) and the
 * sparse one (per channel, only the positions where dy ≠ 0), and the automatic choice between them,
 * on dy dense, 50%, 75% zeros and max-pool shaped (one nonzero per 2×2 window and channel, half of
 * those zeroed as by relu: ~12.5% nonzero, what conv2 gets in training). The kernels alone, on
 * typed arrays, called in turn in one process; per-call min and median (ms) and ratios.
 *
 *   node --conditions=@dlm/source --import tsx tools/bench/filter-grad-sparse.ts [--reps 40]
 */
import * as tf from '@tensorflow/tfjs-core';
import { loadavg } from 'node:os';
import { mulberry32 } from '@dlm/core';
// The kernel by path (a benchmark, not a package: check-deps does not apply).
import { filterGradSimd, type FilterGradGeometry } from '../../packages/tfjs/src/kernels/filter-grad-simd.js';
import { convGeometry } from '../../packages/tfjs/src/kernels/util.js';

const i = process.argv.indexOf('--reps');
const reps = i > 0 ? Number(process.argv[i + 1]) : 40;
type Shape = [number, number, number, number];
const shapes: { name: string; x: Shape; f: Shape; stride: number; pad: 'valid' | 'same' }[] = [
  { name: 'MNIST conv1 x[64,28,28,1] k5 M10', x: [64, 28, 28, 1], f: [5, 5, 1, 10], stride: 1, pad: 'valid' },
  { name: 'MNIST conv2 x[64,12,12,10] k5 M20', x: [64, 12, 12, 10], f: [5, 5, 10, 20], stride: 1, pad: 'valid' },
  { name: 'x[32,32,32,16] k3 M32 same', x: [32, 32, 32, 16], f: [3, 3, 16, 32], stride: 1, pad: 'same' },
  { name: 'x[32,32,32,16] k3 M32 stride 2 same', x: [32, 32, 32, 16], f: [3, 3, 16, 32], stride: 2, pad: 'same' },
];

function dyValues(n: number, oh: number, ow: number, m: number, kind: number | 'pool', seed: number): Float32Array {
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
console.log(`filter-gradient kernels alone, ${reps} calls each, in turn; Node ${process.version}; load ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
for (const s of shapes) {
  const info = tf.backend_util.computeConv2DInfo(s.x, s.f, s.stride, 1, s.pad);
  const [n, h, w, c] = s.x;
  const [kh, kw, , m] = s.f;
  const g: FilterGradGeometry = { ...convGeometry(info), dh: 1, dw: 1 };
  const next = mulberry32(1);
  const x = new Float32Array(n * h * w * c).map(() => 2 * next() - 1);
  for (const kind of [0, 0.5, 0.75, 'pool'] as const) {
    const dy = dyValues(n, g.oh, g.ow, m, kind, 2);
    const nonzero = dy.reduce((a, v) => a + (v !== 0 ? 1 : 0), 0) / dy.length;
    const outs = { dense: new Float32Array(kh * kw * c * m), sparse: new Float32Array(kh * kw * c * m), auto: new Float32Array(kh * kw * c * m) };
    const t: Record<keyof typeof outs, number[]> = { dense: [], sparse: [], auto: [] };
    const names = ['dense', 'sparse', 'auto'] as const;
    let chose = '';
    for (let r = 0; r < reps + 3; r++)
      for (let q = 0; q < 3; q++) {
        const name = names[(r + q) % 3]!;
        const t0 = performance.now();
        const ran = filterGradSimd(x, dy, g, outs[name], name);
        if (r >= 3) t[name].push(performance.now() - t0);
        if (name === 'auto') chose = ran;
      }
    let diff = 0;
    let scale = 0;
    outs.sparse.forEach((v, k) => ((diff = Math.max(diff, Math.abs(v - outs.dense[k]!))), (scale = Math.max(scale, Math.abs(outs.dense[k]!)))));
    const [sd, ss, sa] = [sorted(t.dense), sorted(t.sparse), sorted(t.auto)];
    const fmt = (v: number[]) => `min ${v[0]!.toFixed(2)} median ${med(v).toFixed(2)}`;
    console.log(
      `${s.name}, dy ${(100 * nonzero).toFixed(1)}% nonzero${kind === 'pool' ? ' (max-pool shaped)' : ''}: dense ${fmt(sd)} ms; sparse ${fmt(ss)} ms; auto (${chose}) ${fmt(sa)} ms; ` +
        `sparse/dense min ${(ss[0]! / sd[0]!).toFixed(2)}, median ${(med(ss) / med(sd)).toFixed(2)}; auto/dense min ${(sa[0]! / sd[0]!).toFixed(2)}; max |diff| ${diff.toExponential(1)} of max |dW| ${scale.toExponential(1)}`,
    );
  }
}

/**
 * The WebAssembly SIMD filter gradients, dense and sparse (src/kernels/filter-grad-simd.ts); every
 * committed wasm module (input-grad-wasm.ts too) is what its sources compile to, at most 4 KB;
 * results against a float64 reference over strides, dilations, pads, channel and batch counts (M
 * not a multiple of 4 included), dy dense and mostly zeros, non-finite values; through the wasm backend
 * against tfjs-backend-cpu's own Conv2DBackpropFilter; and the built package (dist) loads it.
 */
import * as tf from '@tensorflow/tfjs-core';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { beforeAll, describe, expect, test } from 'vitest';
import { replacedKernel, setupBackend } from '../src/index.js';
import { SIMD_MAX_BYTES } from '../src/kernels/wasm-simd.js';
import { filterGradSimd, filterGradSimdBytes, filterGradSimdSupported, type FilterGradGeometry } from '../src/kernels/filter-grad-simd.js';
import { convGeometry } from '../src/kernels/util.js';
import { maxPoolShaped, rand, withZeros } from './helpers.js';

const pkg = dirname(dirname(fileURLToPath(import.meta.url)));

interface Kernel { source: string; target: string; name: string }
test('the committed wasm modules are fresh builds of wasm/*.ts, each at most 4 KB', { timeout: 120_000 }, async () => {
  const script = (await import(pathToFileURL(join(pkg, 'scripts/build-wasm.mjs')).href)) as { WASM_KERNELS: Kernel[]; generate(k: Kernel): Promise<string> };
  for (const kernel of script.WASM_KERNELS) {
    const text = await script.generate(kernel);
    expect(readFileSync(join(pkg, kernel.target), 'utf8'), `${kernel.target} is stale: run node scripts/build-wasm.mjs in packages/tfjs`).toBe(text);
    // Browsers compile modules of up to 4 KB synchronously on the main thread (kernels are synchronous).
    const base64 = [...text.matchAll(/'([A-Za-z0-9+/=]+)'/g)].map((m) => m[1]).join('');
    expect(atob(base64).length, kernel.source).toBeLessThanOrEqual(4096);
  }
});

/** dW by the definition in float64, and Σ|products| per entry (the scale of its rounding error). */
function reference(x: Float32Array, dy: Float32Array, g: FilterGradGeometry): { dw: Float64Array; abs: Float64Array } {
  const { n, h, w, c, oh, ow, kh, kw, m, sh, sw, dh, dw: dwl, top, left } = g;
  const dw = new Float64Array(kh * kw * c * m);
  const abs = new Float64Array(dw.length);
  for (let b = 0; b < n; b++)
    for (let i = 0; i < oh; i++)
      for (let j = 0; j < ow; j++)
        for (let u = 0; u < kh; u++) {
          const hi = i * sh + u * dh - top;
          if (hi < 0 || hi >= h) continue;
          for (let v = 0; v < kw; v++) {
            const wi = j * sw + v * dwl - left;
            if (wi < 0 || wi >= w) continue;
            for (let ch = 0; ch < c; ch++) {
              const xv = x[((b * h + hi) * w + wi) * c + ch]!;
              const row = ((u * kw + v) * c + ch) * m;
              const d = ((b * oh + i) * ow + j) * m;
              for (let q = 0; q < m; q++) {
                const p = xv * dy[d + q]!;
                dw[row + q] += p;
                abs[row + q] += Math.abs(p);
              }
            }
          }
        }
  return { dw, abs };
}

function geometry(n: number, h: number, w: number, c: number, kh: number, kw: number, m: number, s: [number, number], d: [number, number], pad: unknown): FilterGradGeometry {
  const info = tf.backend_util.computeConv2DInfo([n, h, w, c], [kh, kw, c, m], s, d, pad as 'valid');
  return { ...convGeometry(info), dh: d[0], dw: d[1] };
}

const geometries: [string, FilterGradGeometry][] = [];
const pads: [string, unknown][] = [['valid', 'valid'], ['same', 'same'], ['explicit', [[0, 0], [2, 1], [0, 3], [0, 0]]]];
let seed = 0;
for (const [pn, pad] of pads)
  for (const c of [1, 3, 10])
    for (const [s, d] of [[[1, 1], [1, 1]], [[2, 1], [1, 1]], [[1, 3], [1, 1]], [[1, 1], [2, 1]], [[2, 2], [1, 2]]] as [number, number][][]) {
      const m = [1, 2, 3, 5, 7, 9, 13, 20, 33][seed++ % 9]!;
      const n = [1, 2, 5, 8][seed % 4]!;
      geometries.push([`${pn} C${c} M${m} N${n} stride ${s} dilation ${d}`, geometry(n, 11, 9, c, 3, 4, m, s!, d!, pad)]);
    }
geometries.push(['MNIST conv1 (batch 64)', geometry(64, 28, 28, 1, 5, 5, 10, [1, 1], [1, 1], 'valid')]);
geometries.push(['MNIST conv2 (batch 64)', geometry(64, 12, 12, 10, 5, 5, 20, [1, 1], [1, 1], 'valid')]);
geometries.push(['1×1 kernel, M 33', geometry(3, 5, 6, 4, 1, 1, 33, [1, 1], [1, 1], 'valid')]);
geometries.push(['kernel larger than the input (same)', geometry(2, 3, 4, 2, 5, 5, 6, [1, 1], [1, 1], 'same')]);

/**
 * Per entry, the error relative to the sum of |products| (what float32 rounding scales with).
 * A short sum's error is a few roundings of ~6e-8 each; for long sums the order matters:
 * per-image float32 sums keep MNIST conv1's 36,864 terms under 5e-8, where one running float32
 * sum over all of them reaches ~1.7e-7 (simulated with Math.fround). Both kernels sum per image.
 */
function expectClose(out: Float32Array, x: Float32Array, dy: Float32Array, g: FilterGradGeometry): void {
  const { dw, abs } = reference(x, dy, g);
  let worst = 0;
  out.forEach((v, k) => (worst = Math.max(worst, Math.abs(v - dw[k]!) / Math.max(abs[k]!, 1e-30))));
  expect(worst).toBeLessThan(g.n * g.oh * g.ow > 10_000 ? 5e-8 : 3e-7);
  // And relative to the largest entry (the 1e-5 of "same numbers everywhere").
  const scale = dw.reduce((a, v) => Math.max(a, Math.abs(v)), 0);
  let diff = 0;
  out.forEach((v, k) => (diff = Math.max(diff, Math.abs(v - dw[k]!))));
  expect(diff).toBeLessThanOrEqual(1e-5 * scale + 1e-7);
}

describe('filterGradSimd against a float64 reference', () => {
  test.each(geometries)('%s', (_name, g) => {
    const x = rand(g.n * g.h * g.w * g.c, 7 + g.m);
    const dyLength = g.n * g.oh * g.ow * g.m;
    const dense = rand(dyLength, 11 + g.c);
    const run = (dy: Float32Array, kernel: 'auto' | 'dense' | 'sparse', expected: 'dense' | 'sparse') => {
      const out = new Float32Array(g.kh * g.kw * g.c * g.m).fill(Number.NaN); // overwritten entirely
      expect(filterGradSimd(x, dy, g, out, kernel)).toBe(expected);
      expectClose(out, x, dy, g);
    };
    run(dense, 'auto', 'dense');
    // The sparse kernel (dilation 1 only): forced on a dense dy, chosen on sparse ones where a window's rows are ≥ 8 floats.
    const dilated = g.dh !== 1 || g.dw !== 1;
    const chosen = dilated || g.kw * g.c < 8 ? 'dense' : 'sparse';
    run(dense, 'sparse', dilated ? 'dense' : 'sparse');
    run(withZeros(dyLength, 13 + g.c, 0.8), 'auto', chosen);
    run(withZeros(dyLength, 13 + g.c, 0.8), 'sparse', dilated ? 'dense' : 'sparse');
    run(maxPoolShaped(g, 5 + g.m), 'auto', chosen);
    run(withZeros(dyLength, 13 + g.c, 0.5), 'auto', 'dense');
  });

  test('a non-finite x keeps the dense kernel: 0·∞ is NaN in every path', () => {
    const g = geometry(2, 7, 6, 3, 3, 2, 5, [1, 1], [1, 1], 'same');
    for (const bad of [Infinity, Number.NaN]) {
      const x = rand(g.n * g.h * g.w * g.c, 3);
      x[40] = bad;
      const dy = withZeros(g.n * g.oh * g.ow * g.m, 4, 0.75);
      const out = new Float32Array(g.kh * g.kw * g.c * g.m);
      expect(filterGradSimd(x, dy, g, out, 'sparse')).toBe('dense');
      const { dw } = reference(x, dy, g);
      out.forEach((v, k) => expect(Number.isNaN(v)).toBe(Number.isNaN(dw[k]!)));
      expect(out.some((v) => Number.isNaN(v))).toBe(true);
    }
  });

  test('an infinite dy in the sparse kernel spoils only its own taps', () => {
    // Rows of kw·C = 6 floats: each row's last vector reads 2 floats of the next cells, whose products are dropped.
    // 'valid': with pads, both kernels multiply dy by the zero padding (∞·0 = NaN) where the definition has no term.
    const g = geometry(2, 7, 6, 3, 3, 2, 5, [1, 1], [1, 1], 'valid');
    const x = rand(g.n * g.h * g.w * g.c, 5);
    const dy = withZeros(g.n * g.oh * g.ow * g.m, 6, 0.75);
    dy[21] = Infinity;
    const out = new Float32Array(g.kh * g.kw * g.c * g.m);
    expect(filterGradSimd(x, dy, g, out, 'sparse')).toBe('sparse');
    const { dw } = reference(x, dy, g);
    out.forEach((v, k) => {
      if (Number.isFinite(dw[k]!)) expect(Math.abs(v - dw[k]!)).toBeLessThan(1e-5);
      else expect(v).toBe(dw[k]!);
    });
    expect(out.some((v) => !Number.isFinite(v))).toBe(true);
  });

  test('a second call with smaller sizes reuses the grown memory and leaves nothing behind', () => {
    const big = geometries.find(([n]) => n.startsWith('MNIST conv2'))![1];
    filterGradSimd(rand(big.n * big.h * big.w * big.c, 1), rand(big.n * big.oh * big.ow * big.m, 2), big, new Float32Array(big.kh * big.kw * big.c * big.m));
    const g = geometry(1, 4, 4, 1, 2, 2, 1, [1, 1], [1, 1], 'same');
    const x = Float32Array.from({ length: 16 }, (_, i) => i + 1);
    const dy = new Float32Array(16).fill(1);
    const out = new Float32Array(4);
    filterGradSimd(x, dy, g, out);
    // Taps (u, v) sum x over rows u.., columns v.. (the 'same' pad is at the bottom/right): 136, 100, 102, 75.
    expect(Array.from(out)).toEqual(Array.from(reference(x, dy, g).dw));
  });

  test('after a call that grew the memory past what is kept, the next call runs on a fresh instance, right', () => {
    // 1 × 1100 × 1100 × 16 floats: ~77 MB copied in, more than the 64 MiB kept between calls.
    const big = geometry(1, 1100, 1100, 16, 1, 1, 1, [1, 1], [1, 1], 'valid');
    expect(filterGradSimdBytes(big)).toBeGreaterThan(64 << 20);
    const x = new Float32Array(big.n * big.h * big.w * big.c).fill(0.5);
    const dy = new Float32Array(big.n * big.oh * big.ow * big.m).fill(2);
    const out = new Float32Array(16);
    filterGradSimd(x, dy, big, out);
    expect(Array.from(out)).toEqual(new Array(16).fill(1100 * 1100));
    const g = geometries.find(([n]) => n.startsWith('MNIST conv1'))![1];
    const xs = rand(g.n * g.h * g.w * g.c, 3);
    const dys = rand(g.n * g.oh * g.ow * g.m, 4);
    const small = new Float32Array(g.kh * g.kw * g.c * g.m);
    filterGradSimd(xs, dys, g, small);
    const { dw } = reference(xs, dys, g);
    const scale = dw.reduce((a, v) => Math.max(a, Math.abs(v)), 0);
    small.forEach((v, k) => expect(Math.abs(v - dw[k]!)).toBeLessThanOrEqual(1e-5 * scale));
  });

  test('this engine has WebAssembly SIMD; the byte count bounds what the kernel takes on', () => {
    // Node 20's V8 runs SIMD; where it is missing the filter gradient keeps the forward conv (conv-grad.ts).
    expect(filterGradSimdSupported()).toBe(true);
    const conv1 = geometries.find(([n]) => n.startsWith('MNIST conv1'))![1];
    // x (200,704 B) + dy (1,474,560 B) + the sparse kernel's lists (2 × 10 × 576 words: 46,080 B)
    // + the taps' offsets and the padded output: ~1.72 MB.
    expect(filterGradSimdBytes(conv1)).toBeGreaterThan(200_704 + 1_474_560 + 46_080);
    expect(filterGradSimdBytes(conv1)).toBeLessThan(1_730_000);
    expect(filterGradSimdBytes(geometry(64, 2048, 2048, 64, 3, 3, 64, [1, 1], [1, 1], 'same'))).toBeGreaterThan(SIMD_MAX_BYTES);
  });
});

describe('Conv2DBackpropFilter on wasm (SIMD path) against tfjs-backend-cpu', { timeout: 120_000 }, () => {
  beforeAll(async () => {
    await setupBackend('cpu');
    await setupBackend('wasm');
  }, 120_000);
  const cases: [string, number[], number[], number, unknown][] = [
    ['MNIST conv1, batch 8', [8, 28, 28, 1], [5, 5, 1, 10], 1, 'valid'],
    ['MNIST conv2, batch 4', [4, 12, 12, 10], [5, 5, 10, 20], 1, 'valid'],
    ['C3 M7 stride 2 same', [3, 13, 10, 3], [3, 3, 3, 7], 2, 'same'],
    ['C10 M33 explicit pads', [2, 9, 9, 10], [4, 3, 10, 33], 1, [[0, 0], [1, 2], [2, 0], [0, 0]]],
    ['C1 M1 stride 3 valid', [5, 17, 16, 1], [2, 5, 1, 1], 3, 'valid'],
  ];
  test.each(cases)('%s', async (_name, xs, fs, stride, pad) => {
    const info = tf.backend_util.computeConv2DInfo(xs as [number, number, number, number], fs as [number, number, number, number], stride, 1, pad as 'valid');
    const dys = [xs[0]!, info.outHeight, info.outWidth, fs[3]!];
    const xv = rand(xs.reduce((a, b) => a * b), 3);
    const dyv = rand(dys.reduce((a, b) => a * b), 4);
    const attrs = { strides: stride, pad, dataFormat: 'NHWC', filterShape: fs } as unknown as tf.NamedAttrMap;
    await setupBackend('cpu');
    const original = replacedKernel('Conv2DBackpropFilter', 'cpu')!;
    const cb = tf.backend() as tf.KernelBackend & { disposeData(id: object): void };
    let [x, dy] = [tf.tensor(xv, xs), tf.tensor(dyv, dys)];
    const ref = original.kernelFunc({ inputs: { x, dy }, backend: cb, attrs }) as tf.TensorInfo;
    const expected = cb.readSync(ref.dataId) as Float32Array;
    cb.disposeData(ref.dataId);
    tf.dispose([x, dy]);
    await setupBackend('wasm');
    [x, dy] = [tf.tensor(xv, xs), tf.tensor(dyv, dys)];
    const out = tf.engine().runKernel('Conv2DBackpropFilter', { x, dy }, attrs) as tf.Tensor;
    const actual = (await out.data()) as Float32Array;
    tf.dispose([x, dy, out]);
    const scale = expected.reduce((a, v) => Math.max(a, Math.abs(v)), 0);
    expect(actual.length).toBe(expected.length);
    actual.forEach((v, k) => expect(Math.abs(v - expected[k]!)).toBeLessThanOrEqual(1e-5 * scale));
  });
});

const dist = join(pkg, 'dist/kernels/filter-grad-simd.js');
describe.skipIf(!existsSync(dist) && !process.env['CI'])('dist', () => {
  test('the built kernel loads its wasm and computes what the sources do', async () => {
    const built = (await import(pathToFileURL(dist).href)) as { filterGradSimd: typeof filterGradSimd };
    const g = geometry(2, 9, 8, 3, 3, 3, 6, [2, 1], [1, 1], 'same');
    const x = rand(g.n * g.h * g.w * g.c, 5);
    const dy = rand(g.n * g.oh * g.ow * g.m, 6);
    const [a, b] = [new Float32Array(162), new Float32Array(162)];
    built.filterGradSimd(x, dy, g, a);
    filterGradSimd(x, dy, g, b);
    expect(Array.from(a)).toEqual(Array.from(b));
  });
});

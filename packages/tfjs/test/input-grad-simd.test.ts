/**
 * The WebAssembly SIMD input gradient that skips dy's zeros (src/kernels/input-grad-simd.ts):
 * results against a float64 reference over strides, pads, channel and batch counts (C and M not
 * multiples of 4, runs of every length class) and dy from dense to all zeros, max-pool shaped
 * included; non-finite values; through the wasm backend against tfjs-backend-cpu's own
 * Conv2DBackpropInput. (The committed module's freshness is tested in filter-grad-simd.test.ts,
 * for every module scripts/build-wasm.mjs builds.)
 */
import * as tf from '@tensorflow/tfjs-core';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { beforeAll, describe, expect, test } from 'vitest';
import { setupBackend } from '../src/index.js';
import { SIMD_MAX_BYTES } from '../src/kernels/wasm-simd.js';
import { inputGradSimd, inputGradSimdBytes, inputGradSimdSupported, sampledNonzeroShare } from '../src/kernels/input-grad-simd.js';
import { convGeometry, type ConvGeometry } from '../src/kernels/util.js';
import { maxPoolShaped, rand, withZeros } from './helpers.js';

/** dx by the definition in float64, and Σ|products| per entry (the scale of its rounding error). */
function reference(dy: Float32Array, f: Float32Array, g: ConvGeometry): { dx: Float64Array; abs: Float64Array } {
  const { n, h, w, c, oh, ow, kh, kw, m, sh, sw, top, left } = g;
  const dx = new Float64Array(n * h * w * c);
  const abs = new Float64Array(dx.length);
  for (let b = 0; b < n; b++)
    for (let i = 0; i < oh; i++)
      for (let j = 0; j < ow; j++)
        for (let u = 0; u < kh; u++) {
          const hi = i * sh + u - top;
          if (hi < 0 || hi >= h) continue;
          for (let v = 0; v < kw; v++) {
            const wi = j * sw + v - left;
            if (wi < 0 || wi >= w) continue;
            for (let ch = 0; ch < c; ch++) {
              const at = ((b * h + hi) * w + wi) * c + ch;
              for (let q = 0; q < m; q++) {
                const p = dy[((b * oh + i) * ow + j) * m + q]! * f[((u * kw + v) * c + ch) * m + q]!;
                dx[at] += p;
                abs[at] += Math.abs(p);
              }
            }
          }
        }
  return { dx, abs };
}

function geometry(n: number, h: number, w: number, c: number, kh: number, kw: number, m: number, s: [number, number], pad: unknown): ConvGeometry {
  return convGeometry(tf.backend_util.computeConv2DInfo([n, h, w, c], [kh, kw, c, m], s, 1, pad as 'valid'));
}

const geometries: [string, ConvGeometry][] = [];
const pads: [string, unknown][] = [['valid', 'valid'], ['same', 'same'], ['explicit', [[0, 0], [2, 1], [0, 3], [0, 0]]]];
let seed = 0;
for (const [pn, pad] of pads)
  for (const c of [1, 3, 10])
    for (const s of [[1, 1], [2, 1], [1, 3], [2, 2]] as [number, number][]) {
      const m = [1, 2, 3, 5, 7, 9, 13, 20, 33][seed++ % 9]!;
      const n = [1, 2, 5, 8][seed % 4]!;
      geometries.push([`${pn} C${c} M${m} N${n} stride ${s}`, geometry(n, 11, 9, c, 3, 4, m, s, pad)]);
    }
geometries.push(['MNIST conv2 (batch 64)', geometry(64, 12, 12, 10, 5, 5, 20, [1, 1], 'valid')]);
// Runs (kw·C floats) of 32 (8 vectors), 48 (8 + 4), 64 + 3 (8 + 8 + tail), 4 and 1 floats.
geometries.push(['runs of 32 floats, M 6', geometry(3, 7, 8, 8, 2, 4, 6, [1, 1], 'same')]);
geometries.push(['runs of 48 floats, stride 2', geometry(2, 9, 9, 16, 3, 3, 5, [2, 2], 'valid')]);
geometries.push(['runs of 67 floats, M 4', geometry(2, 6, 5, 67, 2, 1, 4, [1, 1], 'same')]);
geometries.push(['1×1 kernel, C 4, M 33', geometry(3, 5, 6, 4, 1, 1, 33, [1, 1], 'valid')]);
geometries.push(['1×1 kernel, C 1, stride 2', geometry(2, 7, 7, 1, 1, 1, 3, [2, 2], 'valid')]);
geometries.push(['kernel larger than the input (same)', geometry(2, 3, 4, 2, 5, 5, 6, [1, 1], 'same')]);
geometries.push(['input rows past the last window (valid, stride 3)', geometry(2, 11, 10, 3, 3, 2, 5, [3, 3], 'valid')]);

/**
 * Checks `got` against the float64 reference. Each entry is at most kh·kw output positions' sums
 * of M float32 products, each sum added into dx: with float32 rounding u = 2⁻²⁴ per operation,
 * the error is within (M + kh·kw + 1)·u·Σ|products| (the standard bound of recursive summation),
 * whatever the order. A wrong tap, channel or skipped nonzero entry misses by a whole product.
 */
function expectClose(got: Float32Array, dy: Float32Array, f: Float32Array, g: ConvGeometry): void {
  const { dx, abs } = reference(dy, f, g);
  const bound = (g.m + g.kh * g.kw + 1) * 2 ** -24;
  let worst = 0;
  got.forEach((v, k) => (worst = Math.max(worst, Math.abs(v - dx[k]!) - bound * abs[k]!)));
  expect(worst).toBeLessThanOrEqual(0);
  // And within 1e-5 of the largest entry (the project's "same numbers" rule).
  const scale = dx.reduce((a, v) => Math.max(a, Math.abs(v)), 0);
  let diff = 0;
  got.forEach((v, k) => (diff = Math.max(diff, Math.abs(v - dx[k]!))));
  expect(diff).toBeLessThanOrEqual(1e-5 * scale);
}

describe('inputGradSimd against a float64 reference', () => {
  test.each(geometries)('%s', (_name, g) => {
    const f = rand(g.kh * g.kw * g.c * g.m, 7 + g.m);
    for (const zeros of [0, 0.25, 0.5, 0.75]) {
      const dy = withZeros(g.n * g.oh * g.ow * g.m, 11 + g.c, zeros);
      const out = new Float32Array(g.n * g.h * g.w * g.c).fill(Number.NaN); // overwritten entirely
      const summed = inputGradSimd(dy, f, g, out);
      expect(summed).toBe(dy.filter((v) => v !== 0).length);
      expectClose(out, dy, f, g);
    }
    const pooled = maxPoolShaped(g, 3 + g.m);
    const out = new Float32Array(g.n * g.h * g.w * g.c);
    inputGradSimd(pooled, f, g, out);
    expectClose(out, pooled, f, g);
  });

  test('an all-zero dy gives an all-zero dx, and nothing is summed', () => {
    const g = geometries.find(([n]) => n.startsWith('MNIST'))![1];
    const out = new Float32Array(g.n * g.h * g.w * g.c).fill(7);
    expect(inputGradSimd(new Float32Array(g.n * g.oh * g.ow * g.m), rand(g.kh * g.kw * g.c * g.m, 1), g, out)).toBe(0);
    expect(out.every((v) => v === 0)).toBe(true);
  });

  test('non-finite values: a filter with ∞ or NaN skips nothing (0·∞ is NaN), an infinite dy spoils no other cell', () => {
    // Runs of kw·C = 6 floats: the last vector of each run covers 2 cells of the next run or window.
    const g = geometry(2, 6, 7, 3, 3, 2, 5, [1, 1], 'same');
    const dyLen = g.n * g.oh * g.ow * g.m;
    for (const bad of [Infinity, -Infinity, Number.NaN]) {
      const f = rand(g.kh * g.kw * g.c * g.m, 2);
      f[17] = bad;
      const dy = withZeros(dyLen, 5, 0.75);
      const out = new Float32Array(g.n * g.h * g.w * g.c);
      expect(inputGradSimd(dy, f, g, out)).toBe(dyLen);
      const { dx } = reference(dy, f, g);
      out.forEach((v, k) => expect(Number.isNaN(v)).toBe(Number.isNaN(dx[k]!)));
      expect(out.some((v) => Number.isNaN(v))).toBe(true);
    }
    const f = rand(g.kh * g.kw * g.c * g.m, 3);
    const dy = withZeros(dyLen, 6, 0.5);
    dy[40] = Infinity;
    dy[41] = 0; // a zero next to it stays skipped
    const out = new Float32Array(g.n * g.h * g.w * g.c);
    inputGradSimd(dy, f, g, out);
    const { dx } = reference(dy, f, g);
    out.forEach((v, k) => {
      if (Number.isFinite(dx[k]!)) expect(Math.abs(v - dx[k]!)).toBeLessThan(1e-5);
      else expect(v).toBe(dx[k]!);
    });
    expect(out.some((v) => !Number.isFinite(v))).toBe(true);
  });

  test('calls of different sizes one after another (the memory is reused)', () => {
    const big = geometries.find(([n]) => n.startsWith('MNIST'))![1];
    inputGradSimd(rand(big.n * big.oh * big.ow * big.m, 1), rand(big.kh * big.kw * big.c * big.m, 2), big, new Float32Array(big.n * big.h * big.w * big.c));
    const g = geometry(1, 4, 4, 1, 2, 2, 1, [1, 1], 'same');
    const dy = new Float32Array(16).fill(1);
    const f = Float32Array.from([1, 2, 3, 4]);
    const out = new Float32Array(16);
    inputGradSimd(dy, f, g, out);
    // 'same' pads at the bottom/right: cell (r, q) gets tap (u, v) from position (r − u, q − v) where it exists.
    expect(Array.from(out)).toEqual([1, 3, 3, 3, 4, 10, 10, 10, 4, 10, 10, 10, 4, 10, 10, 10]);
  });

  test('this engine has WebAssembly SIMD; the byte count bounds what the kernel takes on', () => {
    expect(inputGradSimdSupported()).toBe(true);
    const mnist = geometries.find(([n]) => n.startsWith('MNIST'))![1];
    // dy (327,680 B) + dx (368,640 B) + Fᵀ (20 × 5 × 52 floats, 20,800 B) + the list and offsets.
    expect(inputGradSimdBytes(mnist)).toBeGreaterThan(327_680 + 368_640 + 20_800);
    expect(inputGradSimdBytes(mnist)).toBeLessThan(720_000);
    expect(inputGradSimdBytes(geometry(64, 2048, 2048, 64, 3, 3, 64, [1, 1], 'same'))).toBeGreaterThan(SIMD_MAX_BYTES);
  });
});

describe("the sampled nonzero share (the dispatch's look at dy before copying it)", () => {
  const exact = (v: Float32Array) => v.filter((x) => x !== 0).length / v.length;
  test('within 0.05 of the exact share for dense, 25/50/75% zeros and max-pool shaped dy, MNIST conv2 and ResNet-sized', () => {
    for (const g of [geometry(64, 12, 12, 10, 5, 5, 20, [1, 1], 'valid'), geometry(16, 32, 32, 16, 3, 3, 32, [1, 1], 'same'), geometry(8, 14, 14, 3, 3, 3, 4, [1, 1], 'same')]) {
      const size = g.n * g.oh * g.ow * g.m;
      for (const dy of [withZeros(size, 5, 0), withZeros(size, 6, 0.25), withZeros(size, 7, 0.5), withZeros(size, 8, 0.75), maxPoolShaped(g, 9)]) {
        expect(Math.abs(sampledNonzeroShare(dy) - exact(dy))).toBeLessThan(0.05);
      }
    }
  });
  test('exact for 1,024 entries or fewer; 0 for an empty dy; NaN and ±∞ count as nonzero, -0 as zero', () => {
    const small = Float32Array.from([0, -0, Number.NaN, Infinity, -Infinity, 1, 0]);
    expect(sampledNonzeroShare(small)).toBe(4 / 7);
    expect(sampledNonzeroShare(new Float32Array(0))).toBe(0);
    const v = withZeros(1024, 4, 0.6);
    expect(sampledNonzeroShare(v)).toBe(exact(v));
  });
  test('a structured dy does not alias with the samples: nonzeros in one channel of 16, or one cell of each 2×2 window', () => {
    const channel = Float32Array.from({ length: 64 * 16 * 16 * 16 }, (_, k) => (k % 16 === 3 ? 1 : 0));
    expect(Math.abs(sampledNonzeroShare(channel) - 1 / 16)).toBeLessThan(0.02);
    const corner = Float32Array.from({ length: 64 * 16 * 16 }, (_, k) => (Math.floor(k / 16) % 2 === 0 && Math.floor(k / 256) % 2 === 0 ? 1 : 0));
    expect(Math.abs(sampledNonzeroShare(corner) - 1 / 4)).toBeLessThan(0.02);
  });
});

describe('Conv2DBackpropInput on wasm against tfjs-backend-cpu', { timeout: 120_000 }, () => {
  beforeAll(async () => {
    await setupBackend('cpu');
    await setupBackend('wasm');
  }, 120_000);
  const cases: [string, number[], number[], number, unknown][] = [
    ['MNIST conv2, batch 4', [4, 12, 12, 10], [5, 5, 10, 20], 1, 'valid'],
    ['C3 M7 stride 2 same', [3, 13, 10, 3], [3, 3, 3, 7], 2, 'same'],
    ['C10 M33 explicit pads', [2, 9, 9, 10], [4, 3, 10, 33], 1, [[0, 0], [1, 2], [2, 0], [0, 0]]],
    ['C1 M1 stride 3 valid', [5, 17, 16, 1], [2, 5, 1, 1], 3, 'valid'],
    ['batch 1, C 5, M 6, same', [1, 8, 8, 5], [3, 3, 5, 6], 1, 'same'],
  ];
  test.each(cases)('%s', async (_name, xs, fs, stride, pad) => {
    const info = tf.backend_util.computeConv2DInfo(xs as [number, number, number, number], fs as [number, number, number, number], stride, 1, pad as 'valid');
    const dys = [xs[0]!, info.outHeight, info.outWidth, fs[3]!];
    const fv = rand(fs.reduce((a, b) => a * b), 3);
    for (const zeros of [0, 0.75]) {
      const dyv = withZeros(dys.reduce((a, b) => a * b), 4, zeros);
      const attrs = { strides: stride, pad, dataFormat: 'NHWC', inputShape: xs } as unknown as tf.NamedAttrMap;
      const run = async (backend: 'cpu' | 'wasm') => {
        await setupBackend(backend);
        const [dy, filter] = [tf.tensor(dyv, dys), tf.tensor(fv, fs)];
        const out = tf.engine().runKernel('Conv2DBackpropInput', { dy, filter }, attrs) as tf.Tensor;
        const values = (await out.data()) as Float32Array;
        tf.dispose([dy, filter, out]);
        return values;
      };
      const expected = await run('cpu');
      const actual = await run('wasm');
      const scale = expected.reduce((a, v) => Math.max(a, Math.abs(v)), 0);
      expect(actual.length).toBe(expected.length);
      actual.forEach((v, k) => expect(Math.abs(v - expected[k]!)).toBeLessThanOrEqual(1e-5 * scale));
    }
  });
});

const dist = join(dirname(dirname(fileURLToPath(import.meta.url))), 'dist/kernels/input-grad-simd.js');
describe.skipIf(!existsSync(dist) && !process.env['CI'])('dist', () => {
  test('the built kernel loads its wasm and computes what the sources do', async () => {
    const built = (await import(pathToFileURL(dist).href)) as { inputGradSimd: typeof inputGradSimd };
    const g = geometry(2, 9, 8, 3, 3, 3, 6, [2, 1], 'same');
    const dy = withZeros(g.n * g.oh * g.ow * g.m, 6, 0.5);
    const f = rand(g.kh * g.kw * g.c * g.m, 5);
    const [a, b] = [new Float32Array(432), new Float32Array(432)];
    built.inputGradSimd(dy, f, g, a);
    inputGradSimd(dy, f, g, b);
    expect(Array.from(a)).toEqual(Array.from(b));
  });
});

/**
 * The WebAssembly SIMD forward convolution + bias (src/kernels/conv-forward-simd.ts): results
 * against a float64 reference over strides, pads ('valid', 'same', explicit, windows larger than
 * the input), batch 1, C and M not multiples of 4 (every block layout: 4-lane, 8-lane, 8 + 4, …),
 * with and without bias, the MNIST CNN's shapes; non-finite inputs; FusedConv2D and Conv2D on wasm
 * against tfjs-backend-cpu's conv2d (+ add), and their gradients through the tape. (The committed module's
 * freshness is tested in filter-grad-simd.test.ts, for every module scripts/build-wasm.mjs builds.)
 */
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, test } from 'vitest';
import { setupBackend } from '../src/index.js';
import { conv2dWithBias } from '../src/fused-conv.js';
import { SIMD_MAX_BYTES } from '../src/kernels/wasm-simd.js';
import { convForwardSimd, convForwardSimdBytes, convForwardSimdPays, convForwardSimdSupported } from '../src/kernels/conv-forward-simd.js';
import { convGeometry, type ConvGeometry } from '../src/kernels/util.js';
import { rand } from './helpers.js';

/** y by the definition in float64 (taps outside x dropped), and Σ|terms| per entry (the scale of its rounding error). */
function reference(x: Float32Array, f: Float32Array, bias: Float32Array | undefined, g: ConvGeometry): { y: Float64Array; abs: Float64Array } {
  const { n, h, w, c, oh, ow, kh, kw, m, sh, sw, top, left } = g;
  const y = new Float64Array(n * oh * ow * m);
  const abs = new Float64Array(y.length);
  for (let b = 0; b < n; b++)
    for (let i = 0; i < oh; i++)
      for (let j = 0; j < ow; j++)
        for (let q = 0; q < m; q++) {
          const at = ((b * oh + i) * ow + j) * m + q;
          let sum = bias ? bias[q]! : 0;
          let mag = Math.abs(sum);
          for (let u = 0; u < kh; u++) {
            const hi = i * sh + u - top;
            if (hi < 0 || hi >= h) continue;
            for (let v = 0; v < kw; v++) {
              const wi = j * sw + v - left;
              if (wi < 0 || wi >= w) continue;
              for (let ch = 0; ch < c; ch++) {
                const p = x[((b * h + hi) * w + wi) * c + ch]! * f[((u * kw + v) * c + ch) * m + q]!;
                sum += p;
                mag += Math.abs(p);
              }
            }
          }
          y[at] = sum;
          abs[at] = mag;
        }
  return { y, abs };
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
      // M: 1–4 (one 4-lane block), 5–8 (one 8-lane block), 9–12 (8 + 4), 13–16, 17+ (several 8s + a tail), multiples of 8.
      const m = [1, 3, 4, 5, 7, 8, 9, 13, 16, 20, 33][seed++ % 11]!;
      const n = [1, 2, 5][seed % 3]!;
      geometries.push([`${pn} C${c} M${m} N${n} stride ${s}`, geometry(n, 11, 13, c, 3, 4, m, s, pad)]);
    }
geometries.push(['MNIST conv1 (batch 64)', geometry(64, 28, 28, 1, 5, 5, 10, [1, 1], 'valid')]);
geometries.push(['MNIST conv2 (batch 64)', geometry(64, 12, 12, 10, 5, 5, 20, [1, 1], 'valid')]);
geometries.push(['batch 1, 1×1 kernel, C 7, M 12', geometry(1, 5, 9, 7, 1, 1, 12, [1, 1], 'valid')]);
geometries.push(['kernel larger than the input (same)', geometry(2, 3, 4, 2, 5, 5, 6, [1, 1], 'same')]);
geometries.push(['input rows and columns past the last window (valid, stride 3)', geometry(2, 11, 10, 3, 3, 2, 5, [3, 3], 'valid')]);
geometries.push(['wide rows: groups of four and a remainder, stride 2', geometry(1, 6, 23, 2, 3, 3, 11, [2, 2], 'same')]);
geometries.push(['pads larger than the kernel (windows wholly outside the input)', geometry(1, 4, 4, 2, 2, 2, 3, [1, 1], [[0, 0], [3, 3], [3, 3], [0, 0]])]);

/**
 * Checks `got` against the float64 reference: each entry is the bias plus kh·kw·C float32
 * products summed in float32, within (kh·kw·C + 1)·u·Σ|terms| (u = 2⁻²⁴, the bound of recursive
 * summation) whatever the order. A wrong tap, channel, pad or bias misses by a whole term.
 */
function expectClose(got: Float32Array, x: Float32Array, f: Float32Array, bias: Float32Array | undefined, g: ConvGeometry): void {
  const { y, abs } = reference(x, f, bias, g);
  const bound = (g.kh * g.kw * g.c + 2) * 2 ** -24;
  let worst = 0;
  got.forEach((v, k) => (worst = Math.max(worst, Math.abs(v - y[k]!) - bound * abs[k]!)));
  expect(worst).toBeLessThanOrEqual(0);
  const scale = y.reduce((a, v) => Math.max(a, Math.abs(v)), 0);
  let diff = 0;
  got.forEach((v, k) => (diff = Math.max(diff, Math.abs(v - y[k]!))));
  expect(diff).toBeLessThanOrEqual(1e-5 * scale);
}

describe('convForwardSimd against a float64 reference', () => {
  test.each(geometries)('%s', (_name, g) => {
    const x = rand(g.n * g.h * g.w * g.c, 3 + g.c);
    const f = rand(g.kh * g.kw * g.c * g.m, 7 + g.m);
    const bias = rand(g.m, 11 + g.m);
    for (const b of [bias, undefined]) {
      const out = new Float32Array(g.n * g.oh * g.ow * g.m).fill(Number.NaN); // overwritten entirely
      convForwardSimd(x, f, b, g, out);
      expectClose(out, x, f, b, g);
    }
  });

  test('non-finite values give what the definition gives (dropped pad taps are not 0·∞)', () => {
    const g = geometry(2, 6, 7, 3, 3, 2, 5, [1, 1], 'same');
    for (const bad of [Infinity, -Infinity, Number.NaN]) {
      for (const where of ['x', 'filter', 'bias'] as const) {
        const x = rand(g.n * g.h * g.w * g.c, 2);
        const f = rand(g.kh * g.kw * g.c * g.m, 3);
        const bias = rand(g.m, 4);
        ({ x, filter: f, bias })[where][where === 'bias' ? 2 : 17] = bad;
        const out = new Float32Array(g.n * g.oh * g.ow * g.m);
        convForwardSimd(x, f, bias, g, out);
        const { y } = reference(x, f, bias, g);
        out.forEach((v, k) => {
          if (Number.isFinite(y[k]!)) expect(Math.abs(v - y[k]!)).toBeLessThan(1e-5);
          else expect(v).toBe(y[k]!);
        });
        expect(out.some((v) => !Number.isFinite(v))).toBe(true);
        // Some outputs stay finite: the bad value reaches only its own taps, lanes and channel.
        expect(out.some((v) => Number.isFinite(v))).toBe(true);
      }
    }
  });

  test('calls of different sizes one after another (the memory is reused); a hand-computed case', () => {
    const big = geometries.find(([n]) => n.startsWith('MNIST conv2'))![1];
    convForwardSimd(rand(big.n * big.h * big.w * big.c, 1), rand(big.kh * big.kw * big.c * big.m, 2), undefined, big, new Float32Array(big.n * big.oh * big.ow * big.m));
    const g = geometry(1, 3, 3, 1, 2, 2, 1, [1, 1], 'same');
    const x = Float32Array.from([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    const out = new Float32Array(9);
    convForwardSimd(x, Float32Array.from([1, 10, 100, 1000]), Float32Array.from([0.5]), g, out);
    // 'same' pads at the bottom/right: y[i, j] = x[i, j] + 10·x[i, j+1] + 100·x[i+1, j] + 1000·x[i+1, j+1] + 0.5.
    expect(Array.from(out)).toEqual([5421.5, 6532.5, 603.5, 8754.5, 9865.5, 906.5, 87.5, 98.5, 9.5]);
  });

  test('this engine has WebAssembly SIMD; the byte count bounds what the kernel takes on; the shape rule', () => {
    expect(convForwardSimdSupported()).toBe(true);
    const mnist = geometries.find(([n]) => n.startsWith('MNIST conv1'))![1];
    // x (200,704 B) + y (1,474,560 B) + the filter (25 taps × 12 lanes) and bias.
    expect(convForwardSimdBytes(mnist)).toBeGreaterThan(200_704 + 1_474_560 + 1_200);
    expect(convForwardSimdBytes(mnist)).toBeLessThan(1_680_000);
    expect(convForwardSimdBytes(geometry(64, 2048, 2048, 64, 3, 3, 64, [1, 1], 'same'))).toBeGreaterThan(SIMD_MAX_BYTES);
    expect(convForwardSimdPays(mnist, 1) && convForwardSimdPays(mnist, 2)).toBe(true);
    expect(convForwardSimdPays(geometry(16, 16, 16, 64, 3, 3, 64, [1, 1], 'same'), 2)).toBe(false);
  });
});

async function profiled(f: () => tf.Tensor4D): Promise<{ result: tf.Tensor4D; kernelNames: string[] }> {
  let result: tf.Tensor4D | undefined;
  const info = await tf.profile(() => {
    result = f();
    return result;
  });
  return { result: result!, kernelNames: info.kernelNames };
}

type Pads = [[number, number], [number, number], [number, number], [number, number]];

describe('FusedConv2D on wasm against tfjs-backend-cpu', { timeout: 120_000 }, () => {
  beforeAll(async () => {
    await setupBackend('cpu');
    await setupBackend('wasm');
  }, 120_000);
  const cases: [string, number[], number[], [number, number], Pads][] = [
    ['MNIST conv1, batch 4', [4, 28, 28, 1], [5, 5, 1, 10], [1, 1], [[0, 0], [0, 0], [0, 0], [0, 0]]],
    ['MNIST conv2, batch 4', [4, 12, 12, 10], [5, 5, 10, 20], [1, 1], [[0, 0], [0, 0], [0, 0], [0, 0]]],
    ['C3 M7 stride 2, pads', [3, 13, 10, 3], [3, 3, 3, 7], [2, 2], [[0, 0], [1, 1], [0, 1], [0, 0]]],
    ['batch 1, C 5, M 6, stride (1, 2)', [1, 8, 9, 5], [3, 3, 5, 6], [1, 2], [[0, 0], [1, 1], [1, 1], [0, 0]]],
  ];
  test.each(cases)('%s: values and gradients', async (_name, xs, fs, strides, pad) => {
    const xv = rand(xs.reduce((a, b) => a * b), 2);
    const fv = rand(fs.reduce((a, b) => a * b), 3);
    const bv = rand(fs[3]!, 4);
    const run = async (backend: 'cpu' | 'wasm') => {
      await setupBackend(backend);
      const [x, filter, bias] = [tf.tensor4d(xv, xs as [number, number, number, number]), tf.tensor4d(fv, fs as [number, number, number, number]), tf.tensor1d(bv)];
      // On wasm conv2dWithBias runs FusedConv2D (the SIMD kernel for these shapes); on cpu conv2d + add.
      const weights = tf.randomUniform(xs.slice(0, 3).concat([fs[3]!]).map((d, k) => (k === 0 ? d : d)), -1, 1, 'float32', 5);
      const loss = (a: tf.Tensor4D, b: tf.Tensor4D, c: tf.Tensor1D) => {
        const y = conv2dWithBias(a, b, strides, pad, c);
        return tf.sum(tf.mul(y, tf.slice(weights, [0, 0, 0, 0], y.shape)));
      };
      const { result: y, kernelNames } = await profiled(() => conv2dWithBias(x, filter, strides, pad, bias));
      if (backend === 'wasm') {
        // The fused kernel ran, and in the SIMD kernel: its result is the direct call's, bit for bit.
        expect(kernelNames).toContain('FusedConv2D');
        const info = tf.backend_util.computeConv2DInfo(xs as [number, number, number, number], fs as [number, number, number, number], strides, 1, pad as unknown as 'valid');
        const g: ConvGeometry = { n: xs[0]!, h: xs[1]!, w: xs[2]!, c: xs[3]!, oh: info.outHeight, ow: info.outWidth, kh: fs[0]!, kw: fs[1]!, m: fs[3]!, sh: strides[0], sw: strides[1], top: pad[1][0], left: pad[2][0] };
        const direct = new Float32Array(y.size);
        convForwardSimd(xv, fv, bv, g, direct);
        expect(Array.from((await y.data()) as Float32Array)).toEqual(Array.from(direct));
      }
      const grads = tf.grads((a, b, c) => loss(a as tf.Tensor4D, b as tf.Tensor4D, c as tf.Tensor1D))([x, filter, bias]);
      const values = [(await y.data()) as Float32Array, ...(await Promise.all(grads.map((g) => g.data() as Promise<Float32Array>)))];
      tf.dispose([x, filter, bias, y, weights, ...grads]);
      return values;
    };
    const expected = await run('cpu');
    const actual = await run('wasm');
    expected.forEach((e, k) => {
      const scale = e.reduce((a, v) => Math.max(a, Math.abs(v)), 0);
      expect(actual[k]!.length).toBe(e.length);
      actual[k]!.forEach((v, t) => expect(Math.abs(v - e[t]!)).toBeLessThanOrEqual(1e-5 * scale));
    });
  });

  test('an infinite filter value: pad taps are dropped as on cpu (XNNPACK multiplies its zero padding: 0·∞ = NaN)', async () => {
    const [xs, fs] = [[1, 5, 6, 2], [3, 3, 2, 3]] as [[number, number, number, number], [number, number, number, number]];
    const xv = rand(xs.reduce((a, b) => a * b), 8);
    const fv = rand(fs.reduce((a, b) => a * b), 9);
    fv[0] = Infinity; // tap (0, 0), channel 0, output channel 0: on the pad for the first row and column
    const pad: Pads = [[0, 0], [1, 1], [1, 1], [0, 0]];
    const run = async (backend: 'cpu' | 'wasm') => {
      await setupBackend(backend);
      const [x, filter, bias] = [tf.tensor4d(xv, xs), tf.tensor4d(fv, fs), tf.tensor1d([0.5, -1, 2])];
      const y = conv2dWithBias(x, filter, [1, 1], pad, bias); // FusedConv2D on wasm
      const z = tf.conv2d(x, filter, 1, pad as unknown as 'same'); // Conv2D
      const values = [(await y.data()) as Float32Array, (await z.data()) as Float32Array];
      tf.dispose([x, filter, bias, y, z]);
      return values;
    };
    const expected = await run('cpu');
    const actual = await run('wasm');
    expected.forEach((e, k) => {
      expect(e.some((v) => Number.isFinite(v)) && e.some((v) => v === Infinity || v === -Infinity)).toBe(true);
      actual[k]!.forEach((v, t) => {
        if (Number.isFinite(e[t]!)) expect(Math.abs(v - e[t]!)).toBeLessThan(1e-5);
        else expect(v).toBe(e[t]!);
      });
    });
  });

  test('Conv2D (no bias) runs the kernel too, and its gradients', async () => {
    const [xs, fs] = [[2, 9, 11, 3], [3, 3, 3, 5]] as [[number, number, number, number], [number, number, number, number]];
    const xv = rand(xs.reduce((a, b) => a * b), 6);
    const fv = rand(fs.reduce((a, b) => a * b), 7);
    const run = async (backend: 'cpu' | 'wasm') => {
      await setupBackend(backend);
      const [x, filter] = [tf.tensor4d(xv, xs), tf.tensor4d(fv, fs)];
      const y = tf.conv2d(x, filter, [2, 1], 'same');
      const grads = tf.grads((a, b) => tf.sum(tf.square(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, [2, 1], 'same'))))([x, filter]);
      const values = [(await y.data()) as Float32Array, ...(await Promise.all(grads.map((g) => g.data() as Promise<Float32Array>)))];
      tf.dispose([x, filter, y, ...grads]);
      return values;
    };
    const expected = await run('cpu');
    const actual = await run('wasm');
    const info = tf.backend_util.computeConv2DInfo(xs, fs, [2, 1], 1, 'same');
    const g: ConvGeometry = { n: 2, h: 9, w: 11, c: 3, oh: info.outHeight, ow: info.outWidth, kh: 3, kw: 3, m: 5, sh: 2, sw: 1, top: info.padInfo.top, left: info.padInfo.left };
    const direct = new Float32Array(actual[0]!.length);
    convForwardSimd(xv, fv, undefined, g, direct);
    expect(Array.from(actual[0]!)).toEqual(Array.from(direct));
    expected.forEach((e, k) => {
      const scale = e.reduce((a, v) => Math.max(a, Math.abs(v)), 0);
      actual[k]!.forEach((v, t) => expect(Math.abs(v - e[t]!)).toBeLessThanOrEqual(1e-5 * scale));
    });
  });
});

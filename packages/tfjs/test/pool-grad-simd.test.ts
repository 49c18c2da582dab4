/**
 * The WebAssembly SIMD MaxPoolGrad for 2×2 disjoint windows (src/kernels/pool-grad-simd.ts):
 * bit for bit the JS kernel's rule (the first cell of the window, in row-major order, equal to the
 * forward's maximum gets the gradient) over channel counts around the vector width, odd input
 * sizes (cells no window covers), batch 1, ties, NaN windows, ±0 and non-finite gradients; and
 * through the wasm backend against the JS kernel on the MNIST CNN's shapes.
 */
import * as tf from '@tensorflow/tfjs-core';
import { mulberry32 } from '@dlm/core';
import { beforeAll, describe, expect, test } from 'vitest';
import { setupBackend } from '../src/index.js';
import { makeMaxPoolGrad, maxPoolGrad } from '../src/kernels/pool-grad.js';
import { maxPoolGrad2x2Simd, poolGradSimdSupported } from '../src/kernels/pool-grad-simd.js';
import { rand } from './helpers.js';

/** The rule, written plainly: y is each window's maximum, the first equal cell gets g (NaN equals nothing). */
function reference(x: Float32Array, y: Float32Array, g: Float32Array, n: number, h: number, w: number, c: number, oh: number, ow: number): Float32Array {
  const dx = new Float32Array(n * h * w * c);
  for (let b = 0; b < n; b++)
    for (let i = 0; i < oh; i++)
      for (let j = 0; j < ow; j++)
        for (let ch = 0; ch < c; ch++) {
          const o = ((b * oh + i) * ow + j) * c + ch;
          for (const [u, v] of [[0, 0], [0, 1], [1, 0], [1, 1]] as const) {
            const at = ((b * h + 2 * i + u) * w + 2 * j + v) * c + ch;
            if (x[at] === y[o]) {
              dx[at] = g[o]!;
              break;
            }
          }
        }
  return dx;
}

/** Each window's maximum (NaN where the window holds one), as tf.maxPool gives it. */
function windowMax(x: Float32Array, n: number, h: number, w: number, c: number, oh: number, ow: number): Float32Array {
  const y = new Float32Array(n * oh * ow * c);
  for (let b = 0; b < n; b++)
    for (let i = 0; i < oh; i++)
      for (let j = 0; j < ow; j++)
        for (let ch = 0; ch < c; ch++) {
          let m = -Infinity;
          for (const [u, v] of [[0, 0], [0, 1], [1, 0], [1, 1]] as const) {
            const val = x[((b * h + 2 * i + u) * w + 2 * j + v) * c + ch]!;
            m = Number.isNaN(val) || Number.isNaN(m) ? Number.NaN : Math.max(m, val);
          }
          y[((b * oh + i) * ow + j) * c + ch] = m;
        }
  return y;
}

const sameBits = (a: Float32Array, b: Float32Array) => expect(Array.from(new Uint32Array(a.buffer))).toEqual(Array.from(new Uint32Array(b.buffer)));

describe('maxPoolGrad2x2Simd against the rule', () => {
  test('this engine has WebAssembly SIMD', () => expect(poolGradSimdSupported()).toBe(true));
  const shapes: [number, number, number, number][] = [];
  for (const c of [1, 2, 3, 4, 5, 7, 8, 9, 10, 13, 20]) shapes.push([c % 3 === 0 ? 1 : 3, 6 + (c % 2), 8 + (c % 3), c]);
  shapes.push([64, 24, 24, 10], [64, 8, 8, 20]); // the MNIST CNN's two pools
  test.each(shapes)('N%i H%i W%i C%i', (n, h, w, c) => {
    const [oh, ow] = [h >> 1, w >> 1];
    const next = mulberry32(n * 1000 + h * 100 + w * 10 + c);
    // Values on a coarse grid: many ties inside windows; a few NaN windows.
    const x = new Float32Array(n * h * w * c).map(() => Math.round(next() * 6) / 2 - 1.5);
    for (let k = 0; k < x.length; k += 97) x[k] = Number.NaN;
    const y = windowMax(x, n, h, w, c, oh, ow);
    const g = rand(y.length, c + 1);
    g[0] = -0;
    g[1] = Infinity;
    g[2] = Number.NaN;
    const dx = new Float32Array(x.length).fill(5); // overwritten entirely
    maxPoolGrad2x2Simd(x, y, g, dx, n, h, w, c, oh, ow);
    sameBits(dx, reference(x, y, g, n, h, w, c, oh, ow));
  });
});

describe('MaxPoolGrad on wasm: the SIMD kernel against the JS one', { timeout: 60_000 }, () => {
  beforeAll(async () => {
    await setupBackend('wasm');
  }, 120_000);
  test.each([[64, 24, 24, 10], [64, 8, 8, 20], [1, 5, 7, 3]] as const)('N%i H%i W%i C%i', async (n, h, w, c) => {
    await setupBackend('wasm');
    const input = tf.tensor(rand(n * h * w * c, 9), [n, h, w, c]);
    const output = tf.maxPool(input as tf.Tensor4D, 2, 2, 'valid');
    const dy = tf.tensor(rand(output.size, 10), output.shape);
    const attrs = { filterSize: 2, strides: 2, pad: 'valid' } as unknown as tf.NamedAttrMap;
    const run = (k: tf.KernelFunc) => {
      const info = k({ inputs: { dy, input, output }, backend: tf.backend(), attrs }) as tf.TensorInfo;
      const t = tf.engine().makeTensorFromTensorInfo(info);
      const v = t.dataSync() as Float32Array;
      t.dispose();
      return v;
    };
    sameBits(run(makeMaxPoolGrad(true)), run(maxPoolGrad));
    tf.dispose([input, output, dy]);
  });
});

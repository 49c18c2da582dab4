/**
 * dlm's WebAssembly SIMD kernels where their memory cannot grow (src/kernels/wasm-simd.ts,
 * `SimdKernel.tryReserve`): a huge call, or a browser at its memory limit, makes
 * `WebAssembly.Memory.grow` throw a RangeError. Each kernel must then leave the call to the path
 * it replaces (XNNPACK, tfjs' own, the JS kernel) instead of failing the training step with an
 * out-of-memory error. The grow is forced to fail here; a conv + bias, max_pool(2) step runs all
 * five kernels' ops (FusedConv2D, Conv2DBackpropInput, Conv2DBackpropFilter, MaxPoolGrad, Sum)
 * and must give tfjs-backend-cpu's values and gradients.
 */
import * as tf from '@tensorflow/tfjs-core';
import { afterEach, beforeAll, describe, expect, test, vi } from 'vitest';
import { setupBackend } from '../src/index.js';
import { conv2dWithBias } from '../src/fused-conv.js';
import { rand } from './helpers.js';

interface MemoryApi {
  prototype: { grow(pages: number): number };
}
const Memory = (globalThis as unknown as { WebAssembly: { Memory: MemoryApi } }).WebAssembly.Memory;

/** The MNIST CNN's conv2 at batch 16 (x 92 KB: more than a fresh kernel module's memory), then max_pool(2). */
const [xs, fs] = [[16, 12, 12, 10], [5, 5, 10, 20]] as [[number, number, number, number], [number, number, number, number]];
const xv = rand(xs.reduce((a, b) => a * b), 21);
const fv = rand(fs.reduce((a, b) => a * b), 22);
const bv = rand(fs[3], 23);
const VALID: [[number, number], [number, number], [number, number], [number, number]] = [[0, 0], [0, 0], [0, 0], [0, 0]];

async function step(backend: 'cpu' | 'wasm'): Promise<Float32Array[]> {
  await setupBackend(backend);
  const [x, filter, bias] = [tf.tensor4d(xv, xs), tf.tensor4d(fv, fs), tf.tensor1d(bv)];
  const f = (a: tf.Tensor, b: tf.Tensor, c: tf.Tensor) =>
    tf.sum(tf.square(tf.maxPool(conv2dWithBias(a as tf.Tensor4D, b as tf.Tensor4D, [1, 1], VALID, c as tf.Tensor1D), 2, 2, 'valid')));
  const { value, grads } = tf.valueAndGrads(f)([x, filter, bias]);
  const values = await Promise.all([value, ...grads].map((t) => t.data() as Promise<Float32Array>));
  tf.dispose([x, filter, bias, value, ...grads]);
  return values;
}

describe('SIMD kernels whose memory cannot grow fall back', { timeout: 120_000 }, () => {
  beforeAll(async () => {
    await setupBackend('cpu');
    await setupBackend('wasm');
    // tfjs-backend-wasm's own heap grows through the same API: grow it now, so that only dlm's kernel memories are refused below.
    tf.tidy(() => tf.zeros([16 << 20]).dataSync());
  }, 120_000);
  afterEach(() => vi.restoreAllMocks());

  test('a conv + bias, max_pool step on wasm gives cpu\'s value and gradients, every kernel having tried to grow', async () => {
    const expected = await step('cpu');
    const grow = vi.spyOn(Memory.prototype, 'grow').mockImplementation(() => {
      throw new RangeError('WebAssembly.Memory.grow(): Maximum memory size exceeded');
    });
    const actual = await step('wasm');
    // One refused grow per kernel (forward conv, input and filter gradients, MaxPoolGrad, the bias gradient's Sum):
    // fewer would mean a kernel did not try, and this test would not test its fallback.
    expect(grow.mock.calls.length).toBeGreaterThanOrEqual(5);
    expected.forEach((e, k) => {
      const scale = e.reduce((a, v) => Math.max(a, Math.abs(v)), 0);
      expect(actual[k]!.length).toBe(e.length);
      actual[k]!.forEach((v, t) => expect(Math.abs(v - e[t]!)).toBeLessThanOrEqual(1e-5 * scale));
    });
  });
});

/**
 * Sum on wasm over all leading axes in the WebAssembly SIMD kernel (src/kernels/column-sum-simd.ts):
 * bit-identical to tfjs-backend-wasm's own Sum (the kernel dlm wrapped) over column counts around
 * the vector width and its 4-vector blocks, keepDims, ±0 and non-finite entries; the other
 * reductions (other axes, int32, small tensors) still reach tfjs' kernel and agree too.
 */
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, test } from 'vitest';
import { replacedKernel, setupBackend } from '../src/index.js';
import { columnSumsSimd } from '../src/kernels/column-sum-simd.js';
import { rand } from './helpers.js';

const bits = (v: Float32Array | Int32Array) => Array.from(new Uint32Array(v.buffer, v.byteOffset, v.length));

describe('Sum on wasm against tfjs-backend-wasm\'s own', { timeout: 60_000 }, () => {
  beforeAll(async () => {
    await setupBackend('wasm');
  }, 120_000);
  const cases: [string, number[], number | number[], boolean, 'float32' | 'int32'][] = [
    ['MNIST conv1 bias gradient', [64, 24, 24, 10], [0, 1, 2], false, 'float32'],
    ['MNIST conv2 bias gradient, keepDims', [64, 8, 8, 20], [0, 1, 2], true, 'float32'],
    ['1 column', [20000, 1], 0, false, 'float32'],
    ['3 columns, negative axes', [50, 41, 3], [-3, -2], false, 'float32'],
    ['16 columns (one block)', [2, 1100, 16], [0, 1], false, 'float32'],
    ['leading axes listed out of order (tfjs: its order differs)', [2, 1100, 16], [1, 0], false, 'float32'],
    ['29 columns (a block and 4 vectors)', [700, 29], [0], true, 'float32'],
    ['50 columns', [400, 50], [0], false, 'float32'],
    ['not the leading axes (tfjs)', [64, 24, 24, 10], [1, 2], false, 'float32'],
    ['the last axis (tfjs)', [2000, 10], [1], false, 'float32'],
    ['small (tfjs)', [64, 10], [0], false, 'float32'],
    ['int32 (tfjs)', [3000, 7], [0], false, 'int32'],
  ];
  test.each(cases)('%s', async (_name, shape, axis, keepDims, dtype) => {
    await setupBackend('wasm');
    const size = shape.reduce((a, b) => a * b, 1);
    const values = rand(size, size % 97, 3);
    values[0] = -0;
    if (size > 100) [values[5], values[17], values[40]] = [Infinity, -Infinity, Number.NaN];
    const x = dtype === 'int32' ? tf.tensor(Int32Array.from(values, (v) => (Number.isFinite(v) ? Math.round(v * 10) : 3)), shape, 'int32') : tf.tensor(values, shape);
    const attrs = { axis, keepDims } as unknown as tf.NamedAttrMap;
    const ours = tf.engine().runKernel('Sum', { x }, attrs) as tf.Tensor;
    const original = replacedKernel('Sum', 'wasm')!;
    const info = original.kernelFunc({ inputs: { x }, backend: tf.backend(), attrs }) as tf.TensorInfo;
    const theirs = tf.engine().makeTensorFromTensorInfo(info);
    expect(ours.shape).toEqual(theirs.shape);
    expect(bits(ours.dataSync() as Float32Array)).toEqual(bits(theirs.dataSync() as Float32Array));
    tf.dispose([x, ours, theirs]);
  });

  test('column sums are sums (a direct check, not against tfjs)', () => {
    const out = new Float32Array(6);
    columnSumsSimd(Float32Array.from({ length: 18 }, (_, i) => i), 3, 6, out);
    expect(Array.from(out)).toEqual([18, 21, 24, 27, 30, 33]);
  });
});

/**
 * MatMul with batch dims that broadcast (NumPy/PyTorch matmul), forward and gradient, against a
 * plain loop. tf.matMul pairs flattened batch o with o mod size, right only when the smaller batch
 * shape is a trailing block; [2, 2] with [2, 1] paired the wrong matrices, by up to 1.5 on random
 * inputs (found by the differential fuzzer: x @ (x[:, :1] |> transpose)); where tf.matMul's forward
 * was right, its gradient of the broadcast operand kept the broadcast shape and threw.
 */
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { setupBackend } from '../src/index.js';
import { numpyMatMul } from '../src/lowering/gemm.js';
import { mulberry32 } from '@dlm/core';

const numel = (s: number[]) => s.reduce((p, q) => p * q, 1);

/** NumPy matmul by loops, with d(sum(y))/d(b) as the gradient. */
function reference(aShape: number[], a: Float32Array, bShape: number[], b: Float32Array) {
  const [m, k] = aShape.slice(-2) as [number, number];
  const n = bShape[bShape.length - 1]!;
  const rank = Math.max(aShape.length, bShape.length) - 2;
  const pad = (s: number[]) => [...new Array<number>(rank - (s.length - 2)).fill(1), ...s.slice(0, -2)];
  const [ba, bb] = [pad(aShape), pad(bShape)];
  const batch = ba.map((d, i) => Math.max(d, bb[i]!));
  const y = new Float32Array(numel(batch) * m * n);
  const gradB = new Float32Array(b.length);
  const flat = (dims: number[], idx: number[]) => idx.reduce((acc, v, i) => acc * dims[i]! + (dims[i] === 1 ? 0 : v), 0);
  for (let o = 0; o < numel(batch); o++) {
    const idx = batch.map((_, i) => Math.floor(o / numel(batch.slice(i + 1))) % batch[i]!);
    const ai = flat(ba, idx);
    const bi = flat(bb, idx);
    for (let r = 0; r < m; r++)
      for (let c = 0; c < n; c++) {
        let s = 0;
        for (let j = 0; j < k; j++) s += a[ai * m * k + r * k + j]! * b[bi * k * n + j * n + c]!;
        y[o * m * n + r * n + c] = s;
      }
    for (let j = 0; j < k; j++) for (let c = 0; c < n; c++) for (let r = 0; r < m; r++) gradB[bi * k * n + j * n + c] += a[ai * m * k + r * k + j]!;
  }
  return { y, shape: [...batch, m, n], gradB };
}

const CASES: [number[], number[]][] = [
  [[2, 2, 4, 2], [2, 1, 2, 4]], // the fuzzer's case
  [[2, 1, 3, 2], [1, 3, 2, 5]],
  [[3, 1, 2, 2], [2, 2, 3]],
  [[1, 4, 2], [3, 1, 2, 2]],
  [[2, 3, 2, 2], [3, 2, 2]], // a trailing block: tf.matMul's forward was right, its gradient threw
];

describe.each(['cpu', 'wasm'] as const)('MatMul with broadcast batch dims on %s', (backend) => {
  it.each(CASES)('%j @ %j: forward and the gradient of B match NumPy semantics', async (aShape, bShape) => {
    await setupBackend(backend);
    const r = mulberry32(numel(aShape) + numel(bShape));
    const a = Float32Array.from({ length: numel(aShape) }, () => r() * 2 - 1);
    const b = Float32Array.from({ length: numel(bShape) }, () => r() * 2 - 1);
    const want = reference(aShape, a, bShape, b);
    const at = tf.tensor(a, aShape);
    const bt = tf.tensor(b, bShape);
    const y = numpyMatMul(at, bt);
    expect(y.shape).toEqual(want.shape);
    const got = y.dataSync();
    for (let i = 0; i < got.length; i++) expect(Math.abs(got[i]! - want.y[i]!)).toBeLessThanOrEqual(1e-5);
    const g = tf.grad((x: tf.Tensor) => tf.sum(numpyMatMul(at, x)))(bt);
    expect(g.shape).toEqual(bShape);
    const gd = g.dataSync();
    for (let i = 0; i < gd.length; i++) expect(Math.abs(gd[i]! - want.gradB[i]!)).toBeLessThanOrEqual(1e-5);
    tf.dispose([at, bt, y, g]);
  });
});

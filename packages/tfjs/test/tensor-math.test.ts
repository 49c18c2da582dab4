import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { beforeAll, describe, expect, it } from 'vitest';
import { createTfjsMath, tfjsMath as m } from '../src/tensor-math.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const v = (t: tf.Tensor) => [...t.dataSync()];

describe('tfjsMath', () => {
  it('elementwise ops with tensors and numbers, broadcasting', () => {
    tf.tidy(() => {
      const a = tf.tensor2d([[1, -2], [3, 4]]);
      expect(v(m.add(a, 1))).toEqual([2, -1, 4, 5]);
      expect(v(m.sub(a, tf.tensor1d([1, 2])))).toEqual([0, -4, 2, 2]);
      expect(v(m.mul(a, 2))).toEqual([2, -4, 6, 8]);
      expect(v(m.div(a, 2))).toEqual([0.5, -1, 1.5, 2]);
      expect(v(m.div(tf.tensor1d([3], 'int32'), 2))).toEqual([1.5]); // true division, even on ints
      expect(v(m.neg(a))).toEqual([-1, 2, -3, -4]);
      expect(v(m.abs(a))).toEqual([1, 2, 3, 4]);
      expect(v(m.sign(a))).toEqual([1, -1, 1, 1]);
      expect(v(m.square(a))).toEqual([1, 4, 9, 16]);
      expect(v(m.pow(a, 3))).toEqual([1, -8, 27, 64]);
      expect(v(m.maximum(a, 2))).toEqual([2, 2, 3, 4]);
      expect(v(m.minimum(a, 2))).toEqual([1, -2, 2, 2]);
      expect(v(m.clip(a, -1, 3))).toEqual([1, -1, 3, 3]);
      expect(v(m.greater(a, 1))).toEqual([0, 0, 1, 1]);
      expect(v(m.equal(a, tf.tensor2d([[1, 0], [3, 0]])))).toEqual([1, 0, 1, 0]);
      expect(v(m.where(tf.tensor2d([[1, 0], [0, 1]]), a, m.zerosLike(a)))).toEqual([1, 0, 0, 4]);
      expect(m.shape(m.reshape(a, [4, 1]))).toEqual([4, 1]);
      expect(m.cast(a, 'i32').dtype).toBe('int32');
    });
  });

  it('reductions, argMax, oneHot, softmax on any axis', () => {
    tf.tidy(() => {
      const a = tf.tensor2d([[1, 5, 2], [7, 0, 3]]);
      expect(v(m.sum(a))).toEqual([18]);
      expect(v(m.sum(a, [0]))).toEqual([8, 5, 5]);
      expect(m.shape(m.mean(a, [1], true))).toEqual([2, 1]);
      expect(v(m.argMax(a, -1))).toEqual([1, 0]);
      expect(v(m.oneHot(tf.tensor1d([2, 0], 'int32'), 3))).toEqual([0, 0, 1, 1, 0, 0]);
      const s0 = m.softmax(a, 0);
      const col = v(s0);
      expect(col[0]! + col[3]!).toBeCloseTo(1, 6);
      expect(col[0]).toBeCloseTo(Math.exp(1) / (Math.exp(1) + Math.exp(7)), 6);
      expect(v(m.exp(m.logSoftmax(a, -1)))[1]).toBeCloseTo(Math.exp(5) / (Math.exp(1) + Math.exp(5) + Math.exp(2)), 6);
      expect(v(m.reverse(tf.tensor1d([1, 2, 3]), [0]))).toEqual([3, 2, 1]);
      expect(v(m.pad(tf.tensor1d([1]), [[1, 2]]))).toEqual([0, 1, 0, 0]);
      expect(v(m.slice(tf.tensor1d([1, 2, 3, 4]), [1], [2]))).toEqual([2, 3]);
      expect(v(m.concat([tf.tensor1d([1]), tf.tensor1d([2])], 0))).toEqual([1, 2]);
    });
  });

  it('random ops are reproducible from the saved rng state', () => {
    const a = createTfjsMath(42);
    const first = v(a.randomUniform([5]));
    const state = a.rngState();
    const second = v(a.randomNormal([5], 1, 2));
    expect(first).not.toEqual(v(a.randomUniform([5]))); // the counter advances
    const b = createTfjsMath(0);
    b.setRngState(state);
    expect(v(b.randomNormal([5], 1, 2))).toEqual(second);
    expect(v(createTfjsMath(42).randomUniform([5]))).toEqual(first);
    expect(v(createTfjsMath(43).randomUniform([5]))).not.toEqual(first);
    expect(first.every((x) => x >= 0 && x < 1)).toBe(true);
  });

  it('read returns the values', async () => {
    const t = tf.tensor1d([1, 2], 'int32');
    expect([...(await m.read(t))]).toEqual([1, 2]);
    t.dispose();
  });
});

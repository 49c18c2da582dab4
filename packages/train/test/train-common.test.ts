import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { beforeAll, describe, expect, it } from 'vitest';
import { optimizers } from '@dlm/plugin-std';
import type { Batch, DatasetSplit, Graph } from '@dlm/core';
import { createTfjsMath, tfjsRuntime } from '@dlm/tfjs';
import { ParamStore, SplitView, optimizerStep, permutation } from '../src/common.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const graph: Graph = {
  name: 'G',
  inputs: [],
  outputs: [],
  nodes: [],
  values: [],
  layers: [],
  params: [{ name: 'w', type: { dtype: 'f32', shape: [2] }, init: { kind: 'zeros', args: {} }, trainable: true, regularizers: [], scope: [] }],
};

describe('optimizerStep', () => {
  it('clips the global gradient norm like torch.nn.utils.clip_grad_norm_', () => {
    const sgd = optimizers.find((o) => o.name === 'sgd')!;
    const args = { lr: 1, momentum: 0, dampening: 0, nesterov: false, weight_decay: 0 };
    const math = createTfjsMath(0);
    const store = new ParamStore(tfjsRuntime('cpu'), graph, new Map([['w', Float32Array.from([1, 1])]]));
    store.initSlots(sgd, args, math);
    const before = tf.memory().numTensors;
    // |g| = 5 > 1: g · 1/(5 + 1e-6)
    optimizerStep(store, { w: tf.tensor1d([3, 4]) }, sgd, args, math, 1, 1, 1);
    const w = (store.vars.get('w') as tf.Tensor).dataSync();
    expect(w[0]).toBeCloseTo(1 - 3 / (5 + 1e-6), 6);
    expect(w[1]).toBeCloseTo(1 - 4 / (5 + 1e-6), 6);
    // |g| = 0.5 < 1: unchanged gradient
    optimizerStep(store, { w: tf.tensor1d([0.3, 0.4]) }, sgd, args, math, 1, 2, 1);
    expect((store.vars.get('w') as tf.Tensor).dataSync()[1]).toBeCloseTo(1 - 4 / (5 + 1e-6) - 0.4, 6);
    expect(tf.memory().numTensors).toBe(before); // gradients consumed, nothing left over
    store.dispose();
  });

  it('keeps a slot that is the gradient itself (sgd momentum, step 1) alive', () => {
    const sgd = optimizers.find((o) => o.name === 'sgd')!;
    const args = { lr: 0.1, momentum: 0.9, dampening: 0, nesterov: false, weight_decay: 0 };
    const math = createTfjsMath(0);
    const store = new ParamStore(tfjsRuntime('cpu'), graph, new Map([['w', Float32Array.from([0, 0])]]));
    store.initSlots(sgd, args, math);
    optimizerStep(store, { w: tf.tensor1d([1, 2]) }, sgd, args, math, 0.1, 1);
    expect([...(store.slots.get('w')!['momentum_buffer'] as tf.Tensor).dataSync()]).toEqual([1, 2]);
    optimizerStep(store, { w: tf.tensor1d([1, 2]) }, sgd, args, math, 0.1, 2);
    // buf = 0.9·[1,2] + [1,2]; w = -0.1·[1,2] - 0.1·buf
    const w = (store.vars.get('w') as tf.Tensor).dataSync();
    expect(w[0]).toBeCloseTo(-0.1 - 0.19, 6);
    expect(w[1]).toBeCloseTo(-0.2 - 0.38, 6);
    store.dispose();
  });
});

describe('data order', () => {
  const split: DatasetSplit = {
    info: { inputShape: [1], inputDType: 'f32', targetShape: [] },
    size: 10,
    slice: (start, count): Batch => ({
      x: Float32Array.from({ length: count }, (_, i) => start + i),
      xShape: [count, 1],
      y: Int32Array.from({ length: count }, (_, i) => start + i),
      yShape: [count],
    }),
  };
  it('permutations are a pure function of (seed, key)', () => {
    const p = permutation(10, 7, 'epoch-1');
    expect([...p].sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(permutation(10, 7, 'epoch-1')).toEqual(p);
    expect(permutation(10, 7, 'epoch-2')).not.toEqual(p);
  });
  it('a validation carve-out is disjoint from the training part and covers the split', () => {
    const { train, val } = SplitView.all(split).carve(0.3, 1);
    expect(val.size).toBe(3);
    expect(train.size).toBe(7);
    expect(new Set([...train.indices, ...val.indices]).size).toBe(10);
  });
  it('batches follow the given order, and contiguous runs use one slice', () => {
    const view = SplitView.all(split, 6);
    const order = Int32Array.from([5, 4, 3, 2, 1, 0]);
    expect([...view.batch(order, 1, 3).x]).toEqual([4, 3, 2]);
    expect([...view.batch(undefined, 2, 3).y]).toEqual([2, 3, 4]);
  });
});

/** The Keras-style summary of standard-layer models (golden text; UPDATE=1 rewrites). */
import { describe, expect, it } from 'vitest';
import { formatSummary, summarize } from '@dlm/core';
import { expectGolden as compareGolden } from '@dlm/test-utils';
import { chain } from './helpers.js';

const expectGolden = (name: string, actual: string) => compareGolden(new URL(`./golden/${name}`, import.meta.url), actual);

const mnist = () =>
  chain({ dtype: 'f32', shape: ['batch', 1, 28, 28] }, [
    { layer: 'conv2d', args: { filters: 10, kernel: 5 } },
    { layer: 'max_pool', args: { kernel: 2 } },
    { layer: 'relu' },
    { layer: 'conv2d', args: { filters: 20, kernel: 5 } },
    { layer: 'max_pool', args: { kernel: 2 } },
    { layer: 'relu' },
    { layer: 'flatten' },
    { layer: 'dropout', args: { rate: 0.2 } },
    { layer: 'dense', args: { units: 50 } },
    { layer: 'relu' },
    { layer: 'dropout', args: { rate: 0.5 } },
    { layer: 'dense', args: { units: 10 } },
    { layer: 'log_softmax' },
  ]);

describe('summary of standard-layer models', () => {
  it('MNIST CNN: 21,840 params and per-layer FLOPs', () => {
    const s = summarize(mnist().graph);
    expect(s.totalParams).toBe(21840);
    expect(s.trainableParams).toBe(21840);
    expect(s.bufferElements).toBe(0);
    // conv1: 2·1·25·(24·24)·10 + bias 5760; conv2: 2·10·25·(8·8)·20 + 1280; dense: 2·320·50 + 50, 2·50·10 + 10
    expect(s.rows.find((r) => r.name === 'conv2d_1')!.flops).toBe(2 * 25 * 576 * 10 + 5760);
    expect(s.rows.find((r) => r.name === 'conv2d_2')!.flops).toBe(2 * 10 * 25 * 64 * 20 + 1280);
    expect(s.rows.find((r) => r.name === 'dense_1')!.flops).toBe(2 * 320 * 50 + 50);
    expectGolden('summary-mnist.txt', formatSummary(s));
  });
  it('batch norm buffers count as non-trainable parameters (Keras), the layer row included', () => {
    const r = chain({ dtype: 'f32', shape: ['batch', 3, 32, 32] }, [
      { layer: 'conv2d', args: { filters: 16, kernel: 3, padding: 'same', bias: false } },
      { layer: 'batch_norm' },
      { layer: 'relu' },
      { layer: 'global_avg_pool' },
      { layer: 'flatten' },
      { layer: 'dense', args: { units: 10 } },
    ]);
    const s = summarize(r.graph);
    expect([s.totalParams, s.trainableParams, s.nonTrainableParams, s.bufferElements]).toEqual([432 + 64 + 170, 432 + 32 + 170, 32, 32]);
    const bn = s.rows.find((x) => x.kind === 'batch_norm')!;
    expect([bn.params, bn.trainableParams]).toEqual([64, 32]);
    expectGolden('summary-bn.txt', formatSummary(s));
  });
});

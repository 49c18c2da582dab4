/**
 * Data-parallel training: a batch split over the main thread and a worker thread gives the same
 * update as the whole batch on one thread (up to float summation order), and the MNIST CNN learns
 * with two threads.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { setupBackend } from '@dlm/tfjs';
import { combineShards } from '../src/supervised.js';
import { loadCheckpoint } from '../src/node/index.js';
import { train } from './helpers/tfjs.js';
import { compile, makeRegistry, removeTempRunDirs, tempRunDir } from './helpers/train-fixtures.js';

afterAll(removeTempRunDirs);
beforeAll(async () => {
  await setupBackend('wasm');
}, 60_000);

const pluginModules = [new URL('../../plugin-std/src/index.ts', import.meta.url).href, new URL('./helpers/train-fixtures.ts', import.meta.url).href];

const MLP = `model Mlp {
  input point: f32[batch, 2]
  output prob: f32[batch, 1]
  prob = point |> dense(16) |> relu |> dense(1) |> sigmoid
}
train Mlp {
  data xor_points(batch: 32, n: 128)
  loss bce
  optimizer sgd(lr: 0.1, momentum: 0.9)
  regularize l2(1e-3)
  epochs 2
  metrics accuracy
  seed 5
}`;

describe('data-parallel training', () => {
  it('two threads make the same updates as one (MLP, SGD with momentum, l2)', async () => {
    const registry = makeRegistry();
    const program = compile(MLP, registry);
    const training = program.trainings[0]!;
    const one = await train({ program, training, registry, runDir: tempRunDir() });
    const logs: string[] = [];
    const two = await train({ program, training, registry, runDir: tempRunDir(), workers: 2, pluginModules, log: (m) => logs.push(m) });
    expect(logs.join('\n')).toContain('each batch split over 2 threads');
    expect(two.diagnostics).toEqual([]);
    const h1 = one.result!.history;
    const h2 = two.result!.history;
    for (let e = 0; e < 2; e++) {
      expect(h2[e]!.loss).toBeCloseTo(h1[e]!.loss, 5);
      expect(h2[e]!.metrics['accuracy']).toBeCloseTo(h1[e]!.metrics['accuracy']!, 6);
    }
    const graph = program.models[0]!;
    const w1 = (await loadCheckpoint(one.result!.checkpoint!, graph)).result!.weights;
    const w2 = (await loadCheckpoint(two.result!.checkpoint!, graph)).result!.weights;
    for (const [name, t] of w1) {
      const a = t.data as Float32Array;
      const b = w2.get(name)!.data as Float32Array;
      let max = 0;
      for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i]! - b[i]!));
      expect(max, name).toBeLessThan(1e-5);
    }
  }, 120_000);

  it('a loss plugin that throws is the same DLM5060 with two threads as with one, not an uncaught exception', async () => {
    const registry = makeRegistry();
    const failing = (loss: string) => compile(MLP.replace('loss bce', `loss ${loss}`), registry);
    const everywhere = failing('throwing_loss');
    const one = await train({ program: everywhere, training: everywhere.trainings[0]!, registry, runDir: tempRunDir() });
    const two = await train({ program: everywhere, training: everywhere.trainings[0]!, registry, runDir: tempRunDir(), workers: 2, pluginModules });
    expect(one.diagnostics.map((d) => d.code)).toEqual(['DLM5060']);
    expect(one.diagnostics[0]!.message).toContain('boom in throwing_loss');
    expect(two.diagnostics.map((d) => [d.code, d.message])).toEqual(one.diagnostics.map((d) => [d.code, d.message]));
    // Thrown only inside the worker thread: the diagnostic travels back whole.
    const inWorker = failing('worker_throwing_loss');
    const w = await train({ program: inWorker, training: inWorker.trainings[0]!, registry, runDir: tempRunDir(), workers: 2, pluginModules });
    expect(w.diagnostics.map((d) => d.code)).toEqual(['DLM5060']);
    expect(w.diagnostics[0]!.message).toContain("loss 'worker_throwing_loss' failed while training: boom in worker_throwing_loss");
  }, 120_000);

  it('the MNIST CNN learns with two threads', async () => {
    const registry = makeRegistry();
    const program = compile(readFileSync(new URL('../../../examples/mnist/mnist_cnn.dlm', import.meta.url), 'utf8'), registry);
    const training = program.trainings[0]!;
    const data = { name: 'mnist', args: { ...training.data.args, sample: true } };
    const r = await train({ program, training, registry, runDir: tempRunDir(), epochs: 2, data, limit: { trainSamples: 1280, testSamples: 256 }, workers: 2, pluginModules });
    expect(r.diagnostics).toEqual([]);
    const h = r.result!.history;
    expect(h[1]!.loss).toBeLessThan(h[0]!.loss);
    expect(h[1]!.val!.metrics['accuracy']).toBeGreaterThan(0.5);
  }, 120_000);

  it('without plugin modules it says so and trains on one thread', async () => {
    const registry = makeRegistry();
    const program = compile(MLP, registry);
    const logs: string[] = [];
    const r = await train({ program, training: program.trainings[0]!, registry, runDir: tempRunDir(), workers: 2, log: (m) => logs.push(m) });
    expect(r.diagnostics).toEqual([]);
    expect(logs.join('\n')).toMatch(/data-parallel training off: the caller did not say which plugin modules/);
  }, 60_000);

  it('the shards\' gradients combine in JS exactly as mul/add tensor ops would (bit for bit, 2 and 3 shards, a missing local gradient)', async () => {
    const rnd = (n: number, seed: number) => Float32Array.from({ length: n }, (_, i) => Math.sin(seed * 1000 + i * 12.9898) * (i % 5 === 0 ? 1e-6 : 3));
    for (const [weights, local] of [[[21 / 64, 22 / 64, 21 / 64], true], [[0.5, 0.5], true], [[33 / 65, 32 / 65], false]] as [number[], boolean][]) {
      const n = 1000;
      const g0 = local ? rnd(n, 1) : undefined;
      const remote = weights.slice(1).map((_, k) => rnd(n, k + 2));
      const expected = tf.tidy(() => {
        let g = tf.mul(g0 ? tf.tensor(g0) : tf.zeros([n]), tf.scalar(weights[0]!));
        remote.forEach((r, k) => (g = tf.add(g, tf.mul(tf.tensor(r), tf.scalar(weights[k + 1]!)))));
        return g.dataSync() as Float32Array;
      });
      const actual = combineShards(g0, remote, weights);
      expect(actual.findIndex((x, i) => !Object.is(x, expected[i]))).toBe(-1);
    }
  });
});

/**
 * The seed network examples/mnist/mnist_cnn.dlm, trained for one epoch on a small slice of the
 * embedded MNIST sample (no download): the real dataset, nll on log_softmax, dropout, l2 and recall
 * together, then evaluate and predict from the checkpoint, on the WASM backend. (Learning itself is
 * shown by the smaller CNN in train.test.ts.)
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TrainEvent } from '../src/index.js';
import { evaluate, predict, train } from './helpers/tfjs.js';
import { setupBackend } from '@dlm/tfjs';
import { compile, makeRegistry, tempRunDir, removeTempRunDirs } from './helpers/train-fixtures.js';

afterAll(removeTempRunDirs);

// WASM: tfjs' pure-JS CPU backend needs ~20 s per batch of this network's conv gradients.
beforeAll(async () => {
  await setupBackend('wasm');
}, 60_000);

describe('MNIST CNN seed network', () => {
  it('trains two epochs on 640 embedded digits and learns, then evaluate and predict use the checkpoint', async () => {
    const registry = makeRegistry();
    const program = compile(readFileSync(new URL('../../../examples/mnist/mnist_cnn.dlm', import.meta.url), 'utf8'), registry);
    const training = program.trainings[0]!;
    const runDir = tempRunDir();
    const events: TrainEvent[] = [];
    const data = { name: 'mnist', args: { ...training.data.args, sample: true, batch: 32 } };
    const r = await train({ program, training, registry, runDir, epochs: 2, data, limit: { trainSamples: 640, testSamples: 256 }, progress: (e) => events.push(e) });
    expect(r.diagnostics).toEqual([]);
    const h = r.result!.history;
    expect(h).toHaveLength(2);
    expect(h[1]!.loss).toBeLessThan(h[0]!.loss);
    expect(Object.keys(h[1]!.val!.metrics)).toEqual(['accuracy', 'recall']);
    // 40 Adam steps with dropout: far above chance (0.1), not yet converged.
    expect(h[1]!.val!.metrics['accuracy']).toBeGreaterThan(0.35);
    expect(r.result!.confusion!.classNames).toHaveLength(10);
    expect(r.result!.confusion!.matrix.flat().reduce((a, b) => a + b, 0)).toBe(256);
    expect(events.filter((e) => e.kind === 'batch')).toHaveLength(40);

    const ev = await evaluate({ program, training, registry, checkpoint: runDir, data, limit: 256 });
    expect(ev.diagnostics).toEqual([]);
    expect(ev.result!.metrics['accuracy']).toBeCloseTo(h[1]!.val!.metrics['accuracy']!, 5);
    expect(ev.result!.loss).toBeCloseTo(h[1]!.val!.loss, 4);

    const graph = program.models[0]!;
    const p = await predict({ graph, checkpoint: runDir, inputs: { image: { data: new Float32Array(2 * 784), shape: [2, 1, 28, 28] } } });
    expect(p.diagnostics).toEqual([]);
    const out = Object.values(p.result!)[0]!;
    expect(out.shape).toEqual([2, 10]);
    // log_softmax output: probabilities sum to 1
    expect([...out.data.subarray(0, 10)].reduce((a, b) => a + Math.exp(b), 0)).toBeCloseTo(1, 4);
  }, 90_000);
});

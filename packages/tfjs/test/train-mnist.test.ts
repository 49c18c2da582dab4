/**
 * The seed network examples/mnist/mnist_cnn.dlm, trained for one epoch on a small slice of the
 * embedded MNIST sample (no download): the real dataset, nll on log_softmax, dropout, l2 and recall
 * together, then evaluate and predict from the checkpoint. (Learning itself is shown by the
 * smaller CNN in train.test.ts: tfjs' CPU conv gradients are too slow for more here.)
 */
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { evaluate, predict, train, type TrainEvent } from '../src/index.js';
import { setupBackend } from '../src/backend.js';
import { compile, makeRegistry, tempRunDir } from './helpers/train-fixtures.js';

beforeAll(async () => {
  await setupBackend('cpu');
}, 60_000);

describe('MNIST CNN seed network', () => {
  it('trains one epoch on 32 embedded digits, then evaluate and predict use the checkpoint', async () => {
    const registry = makeRegistry();
    const program = compile(readFileSync(new URL('../../../examples/mnist/mnist_cnn.dlm', import.meta.url), 'utf8'), registry);
    const training = program.trainings[0]!;
    const runDir = tempRunDir();
    const events: TrainEvent[] = [];
    const data = { name: 'mnist', args: { ...training.data.args, sample: true, batch: 32 } };
    const r = await train({ program, training, registry, runDir, epochs: 1, data, limit: { trainSamples: 32, testSamples: 32 }, progress: (e) => events.push(e) });
    expect(r.diagnostics).toEqual([]);
    const h = r.result!.history;
    expect(h).toHaveLength(1);
    expect(Number.isFinite(h[0]!.loss)).toBe(true);
    expect(Object.keys(h[0]!.val!.metrics)).toEqual(['accuracy', 'recall']);
    expect(r.result!.confusion!.classNames).toHaveLength(10);
    expect(r.result!.confusion!.matrix.flat().reduce((a, b) => a + b, 0)).toBe(32);
    expect(events.filter((e) => e.kind === 'batch')).toHaveLength(1);

    const ev = await evaluate({ program, training, registry, checkpoint: runDir, data, limit: 32 });
    expect(ev.diagnostics).toEqual([]);
    expect(ev.result!.metrics['accuracy']).toBeCloseTo(h[0]!.val!.metrics['accuracy']!, 5);
    expect(ev.result!.loss).toBeCloseTo(h[0]!.val!.loss, 4);

    const graph = program.models[0]!;
    const p = await predict({ graph, checkpoint: runDir, inputs: { image: { data: new Float32Array(2 * 784), shape: [2, 1, 28, 28] } } });
    expect(p.diagnostics).toEqual([]);
    const out = Object.values(p.result!)[0]!;
    expect(out.shape).toEqual([2, 10]);
    // log_softmax output: probabilities sum to 1
    expect([...out.data.subarray(0, 10)].reduce((a, b) => a + Math.exp(b), 0)).toBeCloseTo(1, 4);
  }, 90_000);
});

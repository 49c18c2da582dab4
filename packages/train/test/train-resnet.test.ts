/**
 * The seed network examples/resnet/resnet_cifar.dlm with its own train block (sgd, cosine schedule,
 * random_flip, random_shift, l2, accuracy + confusion_matrix) on CIFAR-shaped synthetic data:
 * everything together, batch-norm buffers included, on the WASM backend.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { train } from './helpers/tfjs.js';
import { setupBackend } from '@dlm/tfjs';
import { loadCheckpoint } from '../src/node/checkpoint.js';
import { compile, makeRegistry, tempRunDir, removeTempRunDirs } from './helpers/train-fixtures.js';

afterAll(removeTempRunDirs);
beforeAll(async () => {
  await setupBackend('wasm');
}, 60_000);

describe('ResNet seed network', () => {
  it('trains one epoch with its augmentations, schedule and penalties; batch-norm statistics move', async () => {
    const registry = makeRegistry();
    const program = compile(readFileSync(new URL('../../../examples/resnet/resnet_cifar.dlm', import.meta.url), 'utf8'), registry);
    const training = program.trainings[0]!;
    const r = await train({ program, training, registry, runDir: tempRunDir(), epochs: 1, data: { name: 'fake_cifar', args: { batch: 16, shuffle: true, n: 32, classes: 10 } } });
    expect(r.diagnostics).toEqual([]);
    const h = r.result!.history[0]!;
    expect(Number.isFinite(h.loss)).toBe(true);
    expect(Object.keys(h.val!.metrics)).toEqual(['accuracy', 'confusion_matrix']);
    expect(h.val!.metrics['confusion_matrix']).toBeCloseTo(h.val!.metrics['accuracy']!, 6);
    // cosine(epochs: 30), 2 steps per epoch: the lr of the last step (index 1 of 60) is 0.1·(1 + cos(π/60))/2
    expect(h.lr).toBeCloseTo((0.1 * (1 + Math.cos((Math.PI * 1) / 60))) / 2, 6);
    const graph = program.models[0]!;
    const ck = (await loadCheckpoint(r.result!.checkpoint!, graph)).result!;
    const runningVar = graph.params.find((p) => p.buffer && p.init.kind === 'ones')!;
    expect([...ck.weights.get(runningVar.name)!.data].some((v) => v !== 1)).toBe(true);
  }, 60_000);
});

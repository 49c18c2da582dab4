import * as tf from '@tensorflow/tfjs-core';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TrainEvent } from '../src/index.js';
import { train } from './helpers/tfjs.js';
import { setupBackend } from '@dlm/tfjs';
import { loadCheckpoint } from '../src/node/checkpoint.js';
import { compile, makeRegistry, poison, tempRunDir, removeTempRunDirs } from './helpers/train-fixtures.js';

afterAll(removeTempRunDirs);

beforeAll(async () => {
  await setupBackend('cpu');
}, 60_000);

const MLP = (train: string) => `
model Mlp {
  input point: f32[batch, 2]
  output prob: f32[batch, 1]
  prob = point |> dense(16) |> relu |> dense(16) |> relu |> dense(1) |> sigmoid
}
train Mlp {
${train}
}`;

const mlpTrain = (extra = '', epochs = 4) => `  data xor_points(batch: 16, n: 128)
  loss bce
  optimizer adam(lr: 0.02)
  epochs ${epochs}
  metrics accuracy
  seed 3
${extra}`;

async function run(src: string, opts: Partial<Parameters<typeof train>[0]> = {}) {
  const registry = makeRegistry();
  const program = compile(src, registry);
  const events: TrainEvent[] = [];
  const runDir = opts.runDir ?? tempRunDir();
  const r = await train({ program, training: program.trainings[0]!, registry, runDir, progress: (e) => events.push(e), ...opts });
  return { ...r, events, runDir, program };
}

describe('supervised training', () => {
  it('an MLP learns XOR-like data: loss falls, accuracy rises, no tensor leaks', async () => {
    const before = tf.memory().numTensors;
    const counts: number[] = [];
    const { result, diagnostics, events } = await run(MLP(mlpTrain('', 12)), {
      progress: (e) => {
        if (e.kind === 'epoch') counts.push(tf.memory().numTensors);
      },
    });
    expect(diagnostics).toEqual([]);
    const h = result!.history;
    expect(h).toHaveLength(12);
    expect(h[11]!.loss).toBeLessThan(h[0]!.loss * 0.7);
    expect(h[11]!.val!.metrics['accuracy']).toBeGreaterThan(0.8);
    expect(new Set(counts).size).toBe(1); // same number of live tensors after every epoch
    expect(tf.memory().numTensors).toBe(before); // and nothing left after training
    expect(result!.confusion!.matrix.flat().reduce((a, b) => a + b, 0)).toBe(128);
    void events;
  }, 30_000);

  it('a small CNN learns bars on images', async () => {
    const { result, diagnostics } = await run(`
model Cnn {
  input image: f32[batch, 1, 8, 8]
  output logits: f32[batch, 3]
  logits = image |> conv2d(4, kernel: 3) |> relu |> max_pool(2) |> flatten |> dense(3)
}
train Cnn {
  data bars(batch: 16, n: 96)
  loss cross_entropy
  optimizer sgd(lr: 0.1, momentum: 0.9)
  epochs 5
  metrics accuracy, f1
  seed 1
  clip 1.0
}`);
    expect(diagnostics).toEqual([]);
    const h = result!.history;
    expect(h[4]!.loss).toBeLessThan(h[0]!.loss * 0.6);
    expect(h[4]!.val!.metrics['accuracy']).toBeGreaterThan(0.6);
  }, 30_000);

  it('resume after a simulated kill ends with the same weights as an uninterrupted run', async () => {
    const src = MLP(mlpTrain('  regularize l2(1e-4), gaussian_noise(0.05)\n', 3));
    const full = await run(src);
    expect(full.diagnostics).toEqual([]);
    // Killed in the middle of epoch 2: the progress callback throws, like a SIGKILL mid-epoch.
    const runDir = tempRunDir();
    await expect(
      run(src, {
        runDir,
        progress: (e) => {
          if (e.kind === 'batch' && e.epoch === 2 && e.batch === 3) throw new Error('killed');
        },
      }),
    ).rejects.toThrow('killed');
    expect(readFileSync(path.join(runDir, 'last'), 'utf8').trim()).toBe('epoch-1');
    const resumed = await run(src, { runDir, resume: true });
    expect(resumed.diagnostics).toEqual([]);
    expect(resumed.result!.history.map((r) => r.loss)).toEqual(full.result!.history.map((r) => r.loss));
    const graph = full.program.models[0]!;
    const a = (await loadCheckpoint(full.result!.checkpoint!, graph)).result!;
    const b = (await loadCheckpoint(resumed.result!.checkpoint!, graph)).result!;
    for (const [k, t] of a.weights) expect([...b.weights.get(k)!.data]).toEqual([...t.data]);
    expect(b.state.step).toBe(a.state.step);
    expect(b.state.rng).toEqual(a.state.rng);
  }, 30_000);

  it('a non-finite loss stops training with DLM5052 and keeps the last good checkpoint', async () => {
    const src = MLP(mlpTrain('', 3));
    const runDir = tempRunDir();
    const first = await run(src, { runDir, epochs: 1 });
    expect(first.diagnostics).toEqual([]);
    const before = readFileSync(path.join(runDir, 'epoch-1', 'weights.safetensors'));
    poison.on = true;
    try {
      const r = await run(src, { runDir, resume: true });
      expect(r.result!.stopped).toBe('non_finite_loss');
      expect(r.diagnostics.map((d) => d.code)).toEqual(['DLM5052']);
      expect(r.diagnostics[0]!.message).toContain('epoch 2, batch 1');
      expect(r.diagnostics[0]!.message).toContain(path.join(runDir, 'epoch-1'));
    } finally {
      poison.on = false;
    }
    expect(readFileSync(path.join(runDir, 'last'), 'utf8').trim()).toBe('epoch-1');
    expect(readFileSync(path.join(runDir, 'epoch-1', 'weights.safetensors')).equals(before)).toBe(true);
  }, 30_000);

  it('refuses labels and inputs that do not fit the model before training', async () => {
    const labels = await run(MLP(mlpTrain().replace('xor_points(batch: 16, n: 128)', 'xor_points(batch: 16, n: 128, classes: 5)')));
    // xor_points only produces 0/1, so declaring 5 classes is fine unless a label really is ≥ 2 —
    // the scan finds none and training proceeds.
    expect(labels.diagnostics).toEqual([]);
    const cnn = await run(`
model Cnn {
  input image: f32[batch, 1, 8, 8]
  output logits: f32[batch, 2]
  logits = image |> flatten |> dense(2)
}
train Cnn {
  data bars(batch: 16, n: 30)
  loss cross_entropy
  optimizer sgd(lr: 0.1)
  epochs 1
}`);
    expect(cnn.diagnostics.map((d) => d.code)).toEqual(['DLM5053']);
    expect(cnn.diagnostics[0]!.message).toMatch(/^Row \d+ of the training split of 'bars' has the label 2, but output 'logits' of model 'Cnn' has 2 classes: labels must be whole numbers 0\.\.1\.$/);
    // A label of 3 where a sigmoid unit gives 2 classes; and a bce target outside [0, 1] where the
    // dataset declares no classes at all (regression-style targets): both named by row, before any step.
    const three = await run(MLP(mlpTrain().replace('xor_points(batch: 16, n: 128)', 'xor_points(batch: 16, n: 128, label_offset: 2)')));
    expect(three.diagnostics.map((d) => d.code)).toEqual(['DLM5053']);
    expect(three.diagnostics[0]!.message).toMatch(/^Row \d+ of the training split of 'xor_points' has the label [23], but output 'prob' of model 'Mlp' has 2 \(one sigmoid unit\) classes/);
    const bce = await run(MLP(mlpTrain().replace('xor_points(batch: 16, n: 128)', 'xor_points(batch: 16, n: 128, classes: 0, label_offset: 3)')));
    expect(bce.diagnostics.map((d) => d.code)).toEqual(['DLM5075']);
    expect(bce.diagnostics[0]!.message).toMatch(/^Row \d+ of the training split of 'xor_points' has the target [34], but loss 'bce' takes targets between 0 and 1/);
    expect(bce.result).toBeUndefined();
    const slice = await run(MLP(mlpTrain().replace('xor_points(batch: 16, n: 128)', 'xor_points(batch: 16, n: 128, slice_throws: true)')));
    expect(slice.diagnostics.map((d) => d.code)).toEqual(['DLM5060']);
    expect(slice.diagnostics[0]!.message).toMatch(/^dataset 'xor_points' failed while training: boom in slice \(in slice\(0, \d+\) of the train split\)$/);
    const shape = await run(MLP(mlpTrain()).replace('data xor_points', 'data bars').replace('loss bce', 'loss bce'));
    expect(shape.diagnostics.map((d) => d.code)).toEqual(['DLM5054']);
    expect(shape.diagnostics[0]!.message).toContain("gives samples of shape [1, 8, 8], but model 'Mlp' input 'point' expects [batch, 2]");
  }, 30_000);

  it('warns when the loss does not fit the output activation, and stops early', async () => {
    const src = MLP(mlpTrain("  regularize early_stopping(patience: 1, monitor: \"loss\", min_delta: 10)\n", 6)).replace('loss bce', 'loss bce_with_logits');
    const { result, diagnostics } = await run(src);
    // The compiler's rule (core's lossFitsOutput), located at the loss call.
    expect(diagnostics.map((d) => d.code)).toEqual(['DLM4016']);
    expect(diagnostics[0]!.message).toContain("Loss 'bce_with_logits' expects logits");
    expect(result!.stopped).toBe('early_stopping');
    expect(result!.history).toHaveLength(2);
  }, 30_000);

  it('validation_split evaluates on held-out training samples; a warmup schedule sets the lr per step', async () => {
    const { result, diagnostics, events } = await run(MLP(mlpTrain('  validation_split 0.25\n  schedule warmup(steps: 4)\n', 2)));
    expect(diagnostics).toEqual([]);
    const start = events.find((e) => e.kind === 'start')!;
    expect(start).toMatchObject({ evalSplit: 'validation', trainSamples: 96, evalSamples: 32 });
    // 6 steps per epoch: warm-up is over by the end of epoch 1, so lr is the base 0.02.
    expect(result!.history.map((r) => r.lr)).toEqual([0.02, 0.02]);
    expect(result!.confusion!.matrix.flat().reduce((a, b) => a + b, 0)).toBe(32);
  }, 30_000);
});

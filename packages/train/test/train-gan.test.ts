import * as tf from '@tensorflow/tfjs-core';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TrainEvent } from '../src/index.js';
import { train } from './helpers/tfjs.js';
import { setupBackend } from '@dlm/tfjs';
import { loadCheckpoint } from '../src/node/checkpoint.js';
import { compile, makeRegistry, tempRunDir, removeTempRunDirs } from './helpers/train-fixtures.js';

afterAll(removeTempRunDirs);

beforeAll(async () => {
  await setupBackend('cpu');
}, 60_000);

const GAN = `
model Gen {
  input noise: f32[batch, 8]
  output image: f32[batch, 1, 8, 8]
  image = noise |> dense(64) |> reshape([batch, 4, 4, 4]) |> batch_norm |> relu
    |> conv2d_transpose(1, kernel: 4, stride: 2, padding: 1) |> tanh
}
model Disc {
  input image: f32[batch, 1, 8, 8]
  output real: f32[batch, 1]
  real = image |> flatten |> dense(16) |> leaky_relu(0.2) |> dense(1) |> sigmoid
}
train Gan {
  generator Gen
  discriminator Disc
  data bars(batch: 16, n: 48)
  loss bce
  optimizer adam(lr: 2e-4)
  epochs 2
  seed 5
}`;

describe('GAN training', () => {
  it('runs 2 epochs: finite losses, a sample grid per epoch, both models checkpointed, no leaks', async () => {
    const registry = makeRegistry();
    const program = compile(GAN, registry);
    const runDir = tempRunDir();
    const counts: number[] = [];
    const events: TrainEvent[] = [];
    const { result, diagnostics } = await train({
      program,
      training: program.trainings[0]!,
      registry,
      runDir,
      progress: (e) => {
        events.push(e);
        if (e.kind === 'epoch') counts.push(tf.memory().numTensors);
      },
    });
    expect(diagnostics).toEqual([]);
    expect(result!.history).toHaveLength(2);
    for (const r of result!.history) {
      expect(Number.isFinite(r.extra!['d_loss'])).toBe(true);
      expect(Number.isFinite(r.extra!['g_loss'])).toBe(true);
      expect(r.extra!['d_loss']).toBeGreaterThan(0);
    }
    expect(new Set(counts).size).toBe(1);
    for (const e of [1, 2]) {
      const png = readFileSync(path.join(runDir, 'samples', `epoch-${e}.png`));
      expect([...png.subarray(1, 4)].map((c) => String.fromCharCode(c)).join('')).toBe('PNG');
    }
    const [gen, disc] = program.models;
    const ck = await loadCheckpoint(result!.checkpoint!, [gen!, disc!], { sameGraph: true });
    expect(ck.diagnostics).toEqual([]);
    // Both models are in the checkpoint, and G's batch-norm running mean moved away from its initial zeros.
    expect([...ck.result!.weights.keys()].filter((k) => k.startsWith('Disc/'))).toHaveLength(disc!.params.length);
    const buffers = gen!.params.filter((p) => p.buffer);
    expect(buffers.length).toBeGreaterThan(0);
    const mean = buffers.find((p) => p.init.kind === 'zeros')!;
    expect([...ck.result!.weights.get(`Gen/${mean.name}`)!.data].some((v) => v !== 0)).toBe(true);
    expect(ck.result!.state.step).toBe(6);
    expect(existsSync(path.join(runDir, 'last'))).toBe(true);
    // The GAN's run folder has the logs other tools read too (run-logs.test.ts reads them back).
    const csv = readFileSync(path.join(runDir, 'metrics.csv'), 'utf8').trim().split('\n');
    expect(csv[0]!.split(',')).toEqual(expect.arrayContaining(['epoch', 'loss', 'd_loss', 'g_loss']));
    expect(csv).toHaveLength(3);
    expect(readdirSync(runDir).filter((n) => n.startsWith('events.out.tfevents.'))).toHaveLength(1);
  }, 30_000);

  it('warns when the real images are outside the range of the generator output', async () => {
    const registry = makeRegistry();
    const program = compile(GAN.replace('bars(batch: 16, n: 48)', 'bars(batch: 16, n: 16, scale: 3)').replace('epochs 2', 'epochs 1'), registry);
    const { result, diagnostics } = await train({ program, training: program.trainings[0]!, registry, runDir: tempRunDir() });
    expect(result!.history).toHaveLength(1);
    expect(diagnostics.map((d) => d.code)).toEqual(['DLM5065']);
    expect(diagnostics[0]!.message).toContain("range over [0.00, 3.00], but generator 'Gen' ends with tanh (outputs in [-1, 1])");
    expect(diagnostics[0]!.message).toContain('normalize: tanh');
  }, 30_000);

  it('resumes exactly: a run killed in epoch 2 and resumed ends with the same weights', async () => {
    const registry = makeRegistry();
    const program = compile(GAN.replace('n: 48', 'n: 32'), registry);
    const training = program.trainings[0]!;
    const full = await train({ program, training, registry, runDir: tempRunDir() });
    const runDir = tempRunDir();
    await expect(
      train({
        program,
        training,
        registry,
        runDir,
        progress: (e) => {
          if (e.kind === 'batch' && e.epoch === 2) throw new Error('killed');
        },
      }),
    ).rejects.toThrow('killed');
    const resumed = await train({ program, training, registry, runDir, resume: true });
    expect(resumed.diagnostics).toEqual([]);
    const graphs = program.models;
    const a = (await loadCheckpoint(full.result!.checkpoint!, graphs)).result!;
    const b = (await loadCheckpoint(resumed.result!.checkpoint!, graphs)).result!;
    for (const [k, t] of a.weights) expect([...b.weights.get(k)!.data]).toEqual([...t.data]);
    expect(resumed.result!.history).toEqual(full.result!.history.map((r, i) => ({ ...r, seconds: resumed.result!.history[i]!.seconds })));
  }, 30_000);
});

/**
 * Training smoke test for the attention layers: a tiny transformer-encoder classifier (each point
 * of xor_points read as a 2-step sequence) trains on cpu through the core ops' gradients, and its
 * loss falls over a few epochs.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setupBackend } from '@dlm/tfjs';
import { train } from './helpers/tfjs.js';
import { compile, makeRegistry, removeTempRunDirs, tempRunDir } from './helpers/train-fixtures.js';

afterAll(removeTempRunDirs);
beforeAll(async () => {
  await setupBackend('cpu');
}, 60_000);

const SRC = `
model TinyEncoder {
  input point: f32[batch, 2]
  output prob: f32[batch, 1]
  seq = point |> reshape([batch, 2, 1]) |> dense(8)
  prob = seq |> transformer_encoder_layer(heads: 2, dim: 8, ff: 16, dropout: 0) |> mean(axis: 1) |> dense(1) |> sigmoid
}
train TinyEncoder {
  data xor_points(batch: 16, n: 128)
  loss bce
  optimizer adam(lr: 0.02)
  epochs 6
  seed 3
}`;

describe('a tiny transformer-encoder classifier', () => {
  it('trains on cpu: the loss falls', { timeout: 120_000 }, async () => {
    const registry = makeRegistry();
    const program = compile(SRC, registry);
    const { result, diagnostics } = await train({ program, training: program.trainings[0]!, registry, runDir: tempRunDir() });
    expect(diagnostics).toEqual([]);
    const h = result!.history;
    expect(h).toHaveLength(6);
    expect(h[5]!.loss).toBeLessThan(h[0]!.loss * 0.9);
  });
});

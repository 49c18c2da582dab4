/**
 * The seed examples train and improve with their own train blocks, on the data they name (the
 * MLP's two-moons CSV beside it, the embedded review sentences, the embedded MNIST digits), on
 * small slices so the suite stays short. The MNIST CNN has its own test (train-mnist.test.ts).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatDiagnostics, hasErrors, type Program } from '@dlm/core';
import { compileFile } from '@dlm/language';
import { train } from './helpers/tfjs.js';
import { setupBackend } from '@dlm/tfjs';
import { makeRegistry, removeTempRunDirs, tempRunDir } from './helpers/train-fixtures.js';

const EXAMPLES = new URL('../../../examples/', import.meta.url).pathname;
afterAll(removeTempRunDirs);
beforeAll(async () => {
  await setupBackend('wasm');
}, 60_000);

function load(rel: string): Program {
  const out = compileFile(join(EXAMPLES, rel), { registry: makeRegistry() });
  expect(formatDiagnostics(out.diagnostics.filter((d) => d.severity === 'error'))).toBe('');
  return out.program;
}

describe('seed examples train and improve', () => {
  it('the MLP (binary classifier, sigmoid, bce, sgd) on its two-moons CSV', async () => {
    const program = load('mlp/mlp.dlm');
    const training = program.trainings[0]!;
    const r = await train({ program, training, registry: makeRegistry(), runDir: tempRunDir(), epochs: 8 });
    expect(formatDiagnostics(r.diagnostics)).toBe('');
    const h = r.result!.history;
    expect(h[h.length - 1]!.loss).toBeLessThan(h[0]!.loss * 0.9);
    expect(h[h.length - 1]!.val!.metrics['accuracy']).toBeGreaterThan(0.75);
  }, 60_000);

  it('the LSTM text classifier on the embedded review sentences', async () => {
    const program = load('text/lstm_classifier.dlm');
    const training = program.trainings[0]!;
    // Shorter sequences keep the test quick; the vocabulary and model are the example's own.
    const data = { name: training.data.name, args: { ...training.data.args, max_len: 24 } };
    const r = await train({ program, training, registry: makeRegistry(), runDir: tempRunDir(), epochs: 6, data });
    expect(formatDiagnostics(r.diagnostics)).toBe('');
    const h = r.result!.history;
    expect(hasErrors(r.diagnostics)).toBe(false);
    expect(h[h.length - 1]!.loss).toBeLessThan(h[0]!.loss);
    expect(Object.keys(h[0]!.val!.metrics)).toEqual(['accuracy', 'precision', 'recall', 'f1']);
  }, 120_000);

  it('the transformer text classifier (lengths → key-padding mask) on the embedded review sentences', async () => {
    const program = load('text/transformer_classifier.dlm');
    const training = program.trainings[0]!;
    const data = { name: training.data.name, args: { ...training.data.args, max_len: 24 } };
    const r = await train({ program, training, registry: makeRegistry(), runDir: tempRunDir(), epochs: 4, data });
    expect(formatDiagnostics(r.diagnostics)).toBe('');
    const h = r.result!.history;
    expect(h[h.length - 1]!.loss).toBeLessThan(h[0]!.loss);
    expect(Object.keys(h[0]!.val!.metrics)).toEqual(['accuracy', 'precision', 'recall', 'f1']);
  }, 120_000);

  it('the char GPT (causal attention, next character at every position) on its Coriolanus text', async () => {
    const program = load('transformer/char_gpt.dlm');
    const training = program.trainings[0]!;
    // A shorter context and a slice of the windows keep the test quick; the model is the example's own
    // (the call keeps its span: the text's path is relative to the .dlm file).
    const data = { ...training.data, args: { ...training.data.args, context: 16, stride: 16, batch: 16 } };
    const r = await train({ program, training, registry: makeRegistry(), runDir: tempRunDir(), epochs: 3, data, limit: { trainSamples: 128, testSamples: 32 } });
    expect(formatDiagnostics(r.diagnostics)).toBe('');
    const h = r.result!.history;
    // From chance (ln 58 ≈ 4.06 nats per character) towards the text's character frequencies.
    expect(h[0]!.loss).toBeLessThan(Math.log(58) + 0.5);
    expect(h[h.length - 1]!.loss).toBeLessThan(h[0]!.loss * 0.9);
  }, 180_000);

  it('the ViT on embedded MNIST digits', async () => {
    const program = load('vit/vit_mnist.dlm');
    const training = program.trainings[0]!;
    const data = { name: 'mnist', args: { ...training.data.args, sample: true, batch: 32 } };
    const r = await train({ program, training, registry: makeRegistry(), runDir: tempRunDir(), epochs: 3, data, limit: { trainSamples: 256, testSamples: 64 } });
    expect(formatDiagnostics(r.diagnostics)).toBe('');
    const h = r.result!.history;
    expect(h[h.length - 1]!.loss).toBeLessThan(h[0]!.loss);
    expect(h[h.length - 1]!.val!.metrics['accuracy']).toBeGreaterThan(0.1);
  }, 180_000);

  it('the DCGAN (generator and discriminator, adversarially) on embedded MNIST digits', async () => {
    const program = load('gan/dcgan.dlm');
    const training = program.trainings[0]!;
    expect(training.kind).toBe('gan');
    const runDir = tempRunDir();
    const data = { name: 'mnist', args: { ...training.data.args, sample: true, batch: 32 } };
    const r = await train({ program, training, registry: makeRegistry(), runDir, epochs: 2, data, limit: { trainSamples: 256 } });
    expect(formatDiagnostics(r.diagnostics.filter((d) => d.severity === 'error'))).toBe('');
    const h = r.result!.history;
    expect(h).toHaveLength(2);
    for (const e of h) for (const v of Object.values(e.extra ?? {})) expect(Number.isFinite(v)).toBe(true);
    // The discriminator learns to tell real from generated digits: its loss falls below chance (2·ln 2).
    const dLoss = h[h.length - 1]!.extra!['d_loss']!;
    expect(dLoss).toBeLessThan(2 * Math.log(2));
    expect(existsSync(join(runDir, 'samples', 'epoch-2.png'))).toBe(true);
  }, 180_000);
});

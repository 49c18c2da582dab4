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

/**
 * Training on WebGPU for real. Without a GPU this runs through Dawn on Mesa's llvmpipe (see
 * docs/backends.md); on CI that path must work, so there the test fails instead of skipping.
 * Asserts that tfjs really runs on 'webgpu' (tfjs would otherwise fall back silently).
 */
import { readFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, describe, expect, it } from 'vitest';
import { probeWebGpu, setupBackend } from '@dlm/tfjs';
import { train } from './helpers/tfjs.js';
import { compile, makeRegistry, removeTempRunDirs, tempRunDir } from './helpers/train-fixtures.js';

afterAll(removeTempRunDirs);
const probe = await probeWebGpu().catch((e: Error) => ({ available: false, why: e.message }));
const required = Boolean(process.env['CI']);

describe('training on WebGPU', () => {
  it.skipIf(!probe.available && !required)(`the MNIST CNN learns on webgpu${probe.available ? '' : ` (skipped: ${'why' in probe ? probe.why : ''})`}`, async () => {
    const info = await setupBackend('webgpu');
    expect(info.backend).toBe('webgpu');
    expect(tf.getBackend()).toBe('webgpu');
    const registry = makeRegistry();
    const program = compile(readFileSync(new URL('../../../examples/mnist/mnist_cnn.dlm', import.meta.url), 'utf8'), registry);
    const training = program.trainings[0]!;
    const data = { name: 'mnist', args: { ...training.data.args, sample: true, batch: 32 } };
    const r = await train({ program, training, registry, runDir: tempRunDir(), epochs: 2, data, limit: { trainSamples: 256, testSamples: 64 } });
    expect(r.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    expect(r.result!.backend).toBe('webgpu');
    expect(tf.getBackend()).toBe('webgpu');
    const h = r.result!.history;
    expect(h[1]!.loss).toBeLessThan(h[0]!.loss);
  }, 180_000);
});

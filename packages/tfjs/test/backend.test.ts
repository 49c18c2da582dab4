import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, test } from 'vitest';
import { DlmExecutionError, mayHaveGpu, probeWebGpu, setupBackend } from '../src/index.js';

const probe = await probeWebGpu().catch((e: Error) => ({ available: false, software: false, why: e.message, adapter: undefined }));

describe('setupBackend', { timeout: 120_000 }, () => {
  test('explicit cpu', async () => {
    const info = await setupBackend('cpu');
    expect(info).toMatchObject({ backend: 'cpu', reason: 'requested explicitly' });
    expect(tf.getBackend()).toBe('cpu');
    expect(tf.getGradient('Conv2D')).toBeDefined(); // gradients are registered by setupBackend
  });

  test('explicit wasm, with its threads and dlm kernels', async () => {
    const info = await setupBackend('wasm');
    expect(info.backend).toBe('wasm');
    expect(tf.getBackend()).toBe('wasm');
    expect(info.threads).toBeGreaterThanOrEqual(1);
    expect(tf.getKernel('Conv2DBackpropFilter', 'wasm')).toBeDefined();
    const y = tf.matMul(tf.tensor2d([[1, 2]]), tf.tensor2d([[3], [4]]));
    expect(Array.from(await y.data())).toEqual([11]);
  });

  test.skipIf(!probe.available)(`explicit webgpu${probe.available ? ` on ${probe.adapter}` : ` (skipped: ${probe.why})`}`, async () => {
    const info = await setupBackend('webgpu');
    expect(info.backend).toBe('webgpu');
    expect(tf.getBackend()).toBe('webgpu');
    const y = tf.matMul(tf.tensor2d([[1, 2]]), tf.tensor2d([[3], [4]]));
    expect(Array.from(await y.data())).toEqual([11]);
  });

  test('auto picks WebGPU only on a hardware adapter, else WASM, and says why', async () => {
    const info = await setupBackend('auto');
    const expected = probe.available && !probe.software ? 'webgpu' : 'wasm';
    expect(info.backend).toBe(expected);
    expect(tf.getBackend()).toBe(expected);
    if (expected === 'wasm') expect(info.reason).toMatch(!mayHaveGpu() ? /no GPU device/ : probe.available ? /software renderer/ : /no WebGPU/);
  });

  test('an unknown backend is a coded error, not a silent fallback', async () => {
    await expect(setupBackend('tpu' as 'cpu')).rejects.toThrow(DlmExecutionError);
    await expect(setupBackend('tpu' as 'cpu')).rejects.toMatchObject({ code: 'DLM5012' });
  });
});

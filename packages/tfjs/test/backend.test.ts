import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, test } from 'vitest';
import { autoPick } from '../src/backend.js';
import { DlmExecutionError, probeWebGpu, setupBackend } from '../src/index.js';

const probe = await probeWebGpu().catch((e: Error) => ({ available: false, software: false, why: e.message, adapter: undefined }));

describe('setupBackend', { timeout: 120_000 }, () => {
  test('explicit cpu', async () => {
    const info = await setupBackend('cpu');
    expect(info).toMatchObject({ backend: 'cpu', reason: 'requested explicitly' });
    expect(tf.getBackend()).toBe('cpu');
    // Gradients are registered by setupBackend: d/dx sum(conv2d(x, ones 2×2)) on a 3×3 image counts
    // the windows each pixel is in.
    const x = tf.zeros([1, 3, 3, 1]) as tf.Tensor4D;
    const w = tf.ones([2, 2, 1, 1]) as tf.Tensor4D;
    const dx = tf.grad((v: tf.Tensor) => tf.sum(tf.conv2d(v as tf.Tensor4D, w, 1, 'valid')))(x);
    expect(Array.from(await dx.data())).toEqual([1, 2, 1, 2, 4, 2, 1, 2, 1]);
  });

  test('the gradient registrations are where ensureGradients imports them (pins the deep import)', () => {
    // tools/check-deps.mjs allows this deep import into tfjs-core's build output because this test names it.
    const file = createRequire(import.meta.url).resolve('@tensorflow/tfjs-core/dist/register_all_gradients.js');
    expect(existsSync(file)).toBe(true);
  });

  test('explicit wasm, with its threads and dlm kernels', async () => {
    const info = await setupBackend('wasm');
    expect(info.backend).toBe('wasm');
    expect(tf.getBackend()).toBe('wasm');
    expect(info.threads).toBeGreaterThanOrEqual(1);
    expect(tf.getKernel('Conv2DBackpropFilter', 'wasm')?.backendName).toBe('wasm');
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

  test('auto picks WebGPU only on a hardware adapter (or a software one when allowed), else WASM, and says why', () => {
    const hardware = { available: true, software: false, adapter: 'NVIDIA H200' };
    const software = { available: true, software: true, adapter: 'llvmpipe' };
    const none = { available: false, software: false, why: 'no GPU device' };
    expect(autoPick(hardware, false)).toEqual({ backend: 'webgpu', why: 'WebGPU adapter NVIDIA H200' });
    expect(autoPick(software, false)).toEqual({ backend: 'wasm', why: 'the WebGPU adapter is a software renderer (llvmpipe), slower than WASM' });
    expect(autoPick(software, true)).toEqual({ backend: 'webgpu', why: 'WebGPU adapter llvmpipe' });
    expect(autoPick(none, true)).toEqual({ backend: 'wasm', why: 'no WebGPU (no GPU device)' });
  });

  test('auto starts the backend it names and gives its reason', async () => {
    const info = await setupBackend('auto');
    expect(tf.getBackend()).toBe(info.backend);
    if (info.backend === 'webgpu') expect(info.reason).toMatch(/^WebGPU adapter /);
    else expect(info.reason).toMatch(/^(no WebGPU|the WebGPU adapter is a software renderer).*; WASM \(XNNPACK, (single-threaded|\d+ threads)\) is the fastest CPU path$/);
    const y = tf.matMul(tf.tensor2d([[1, 2]]), tf.tensor2d([[3], [4]]));
    expect(Array.from(await y.data())).toEqual([11]);
  });

  test('an unknown backend is a coded error, not a silent fallback', async () => {
    await expect(setupBackend('tpu' as 'cpu')).rejects.toThrow(DlmExecutionError);
    await expect(setupBackend('tpu' as 'cpu')).rejects.toMatchObject({ code: 'DLM5012' });
  });
});

/**
 * Backend choice in the browser: WebGPU through the browser's own `navigator.gpu` (the Node
 * setup in @dlm/tfjs starts Dawn instead, which does not apply here), else WebGL, else the CPU
 * backend. `?backend=cpu|webgl|webgpu` in the URL forces one. The page shows which one runs and why.
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { registerCpuKernels } from '@dlm/tfjs';

export interface BrowserBackend {
  name: string;
  reason: string;
}

async function tryBackend(name: 'webgpu' | 'webgl'): Promise<boolean> {
  try {
    if (name === 'webgpu') await import('@tensorflow/tfjs-backend-webgpu');
    else await import('@tensorflow/tfjs-backend-webgl');
    return await tf.setBackend(name);
  } catch {
    return false;
  }
}

export async function pickBackend(forced: string | null): Promise<BrowserBackend> {
  const gpu = (navigator as Navigator & { gpu?: { requestAdapter(): Promise<unknown> } }).gpu;
  const tried: string[] = [];
  if (!forced || forced === 'webgpu') {
    const adapter = gpu ? await gpu.requestAdapter().catch(() => null) : null;
    if (adapter && (await tryBackend('webgpu'))) return { name: 'webgpu', reason: 'WebGPU adapter found' };
    tried.push(gpu ? 'WebGPU: no adapter' : 'WebGPU: not in this browser');
  }
  if (!forced || forced === 'webgl') {
    if (await tryBackend('webgl')) return { name: 'webgl', reason: tried.length ? `${tried.join('; ')}; using WebGL` : 'forced' };
    tried.push('WebGL: unavailable');
  }
  await tf.setBackend('cpu');
  registerCpuKernels();
  return { name: 'cpu', reason: forced === 'cpu' ? 'forced' : `${tried.join('; ')}; using the CPU` };
}

/**
 * Backend selection. `setupBackend` never falls back silently: an explicit choice that cannot
 * start throws a `DlmExecutionError` (DLM5010/DLM5011), and 'auto' states in `reason` why it chose
 * what it chose.
 *
 * - webgpu: tfjs-backend-webgpu on the `webgpu` npm package (Dawn for Node). 'auto' takes it only
 *   on a real GPU; a software adapter (llvmpipe, SwiftShader) is slower than WASM.
 * - wasm: tfjs-backend-wasm (XNNPACK, SIMD), plus dlm's gradient kernels that tfjs lacks for
 *   wasm (see kernels/), so that models train there. Single-threaded in Node (see docs/backends.md).
 * - cpu: the pure-JS reference backend, plus faster conv gradient kernels (kernels/).
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { createRequire } from 'node:module';
import path from 'node:path';
import { ensureGradients } from './backend-gradients.js';
import { DlmExecutionError } from './backend-errors.js';
import { registerCpuKernels, registerWasmKernels } from './kernels/index.js';
import { probeWebGpu, startWebGpu, type WebGpuProbe } from './backend-webgpu.js';

export type BackendChoice = 'auto' | 'webgpu' | 'wasm' | 'cpu';
export type BackendName = 'webgpu' | 'wasm' | 'cpu';

export interface BackendOptions {
  /** Let 'auto' pick WebGPU on a software adapter too (llvmpipe, SwiftShader). Default false. */
  allowSoftwareGpu?: boolean;
}

export interface BackendInfo {
  backend: BackendName;
  /** Why this backend: the user's choice, or what 'auto' found. */
  reason: string;
  /** WebGPU adapter description, when WebGPU was probed. */
  adapter?: string;
}

const require = createRequire(import.meta.url);

let wasmPathsSet = false;

async function startWasm(): Promise<void> {
  const wasm = await import('@tensorflow/tfjs-backend-wasm');
  if (!wasmPathsSet) {
    // Node cannot fetch relative URLs: point the loader at the package's dist/ folder.
    const dir = path.join(path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist') + path.sep;
    wasm.setWasmPaths(dir);
    wasmPathsSet = true;
  }
  registerWasmKernels();
  if (!(await tf.setBackend('wasm'))) throw new Error('tf.setBackend("wasm") returned false');
}

async function startCpu(): Promise<void> {
  registerCpuKernels();
  if (!(await tf.setBackend('cpu'))) throw new Error('tf.setBackend("cpu") returned false');
}

async function start(name: BackendName): Promise<void> {
  try {
    if (name === 'cpu') await startCpu();
    else if (name === 'wasm') await startWasm();
    else await startWebGpu();
  } catch (e) {
    if (e instanceof DlmExecutionError) throw e;
    throw new DlmExecutionError('DLM5010', [name, e instanceof Error ? e.message : String(e)]);
  }
  await tf.ready();
  const actual = tf.getBackend();
  if (actual !== name) throw new DlmExecutionError('DLM5011', [name, actual]);
}

/** Starts a tfjs backend and registers gradients; see the module comment for the rules. */
export async function setupBackend(choice: BackendChoice, opts: BackendOptions = {}): Promise<BackendInfo> {
  await ensureGradients();
  if (choice === 'cpu' || choice === 'wasm' || choice === 'webgpu') {
    await start(choice);
    return { backend: choice, reason: `requested explicitly` };
  }
  if (choice !== 'auto') throw new DlmExecutionError('DLM5012', [String(choice)]);
  let probe: WebGpuProbe;
  try {
    probe = await probeWebGpu();
  } catch (e) {
    probe = { available: false, software: false, why: e instanceof Error ? e.message : String(e) };
  }
  if (probe.available && (!probe.software || opts.allowSoftwareGpu)) {
    try {
      await start('webgpu');
      return { backend: 'webgpu', reason: `WebGPU adapter ${probe.adapter ?? '?'}`, ...(probe.adapter ? { adapter: probe.adapter } : {}) };
    } catch (e) {
      probe = { ...probe, available: false, why: e instanceof Error ? e.message : String(e) };
    }
  }
  const noGpu = probe.available
    ? `the WebGPU adapter is a software renderer (${probe.adapter ?? 'unknown'}), slower than WASM`
    : `no WebGPU (${probe.why ?? 'unavailable'})`;
  try {
    await start('wasm');
    return { backend: 'wasm', reason: `${noGpu}; WASM (XNNPACK) is the fastest CPU path`, ...(probe.adapter ? { adapter: probe.adapter } : {}) };
  } catch (e) {
    await start('cpu');
    return { backend: 'cpu', reason: `${noGpu}; WASM failed to start (${e instanceof Error ? e.message : String(e)})` };
  }
}

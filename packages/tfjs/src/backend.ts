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
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { ensureGradients } from './backend-gradients.js';
import { DlmExecutionError } from './backend-errors.js';
import { registerCpuKernels, registerWasmKernels } from './kernels/index.js';
import { mayHaveGpu, probeWebGpu, startWebGpu, type WebGpuProbe } from './backend-webgpu.js';

export type BackendChoice = 'auto' | 'webgpu' | 'wasm' | 'cpu';
export type BackendName = 'webgpu' | 'wasm' | 'cpu';

export interface BackendOptions {
  /** Let 'auto' pick WebGPU on a software adapter too (llvmpipe, SwiftShader). Default false. */
  allowSoftwareGpu?: boolean;
  /**
   * WASM threads (XNNPACK's pthreadpool over Node worker_threads). Default: $DLM_WASM_THREADS,
   * else 1 (the single-threaded SIMD binary): the pool's threads spin while waiting, and on an
   * oversubscribed machine (parallel test workers, shared CI) 2 threads measured 2–3× slower than 1
   * (docs/backends.md). Fixed once the wasm backend has started in this process.
   */
  wasmThreads?: number;
}

export interface BackendInfo {
  backend: BackendName;
  /** Why this backend: the user's choice, or what 'auto' found. */
  reason: string;
  /** WebGPU adapter description, when WebGPU was probed. */
  adapter?: string;
  /** WASM: threads XNNPACK uses. */
  threads?: number;
}

const require = createRequire(import.meta.url);

let wasmStarted: { threads: number } | undefined;

async function startWasm(threads: number): Promise<number> {
  const wasm = await import('@tensorflow/tfjs-backend-wasm');
  if (!wasmStarted) {
    // Node cannot fetch relative URLs: point the loader at the package's dist/ folder.
    const dir = path.join(path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist') + path.sep;
    wasm.setWasmPaths(dir);
    registerWasmKernels();
    let restore: (() => void) | undefined;
    if (threads > 1) {
      restore = enableWasmThreadsInNode();
      wasm.setThreadsCount(threads);
    }
    try {
      if (!(await tf.setBackend('wasm'))) throw new Error('tf.setBackend("wasm") returned false');
    } finally {
      restore?.();
    }
    // XNNPACK's pool threads are Node workers that would keep the process alive forever.
    const pt = (tf.backend() as unknown as { wasm?: { PThread?: { unusedWorkers: { unref?(): void }[]; runningWorkers: { unref?(): void }[] } } }).wasm?.PThread;
    if (pt) for (const w of [...pt.unusedWorkers, ...pt.runningWorkers]) w.unref?.();
    wasmStarted = { threads: wasm.getThreadsCount() };
  } else if (!(await tf.setBackend('wasm'))) throw new Error('tf.setBackend("wasm") returned false');
  return wasmStarted.threads;
}

/**
 * tfjs-backend-wasm believes Node has no threads (WASM_HAS_MULTITHREAD_SUPPORT is false there),
 * and its threaded build starts pthread workers from blob: URLs, which Node's Worker rejects. The
 * Emscripten worker script itself supports Node, so: write it to a temporary .cjs file with a
 * one-line prelude, hand its path out while the backend starts (URL.createObjectURL), and let the
 * prelude map the worker's own blob: URL for the main script to the package's threaded-simd.js.
 * Returns the function that restores URL.createObjectURL.
 */
function enableWasmThreadsInNode(): () => void {
  const pkg = path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json'));
  const mainJs = path.join(pkg, 'wasm-out', 'tfjs-backend-wasm-threaded-simd.js');
  const { wasmWorkerContents } = require(path.join(pkg, 'wasm-out', 'tfjs-backend-wasm-threaded-simd.worker.js')) as { wasmWorkerContents: string };
  const version = (require(path.join(pkg, 'package.json')) as { version: string }).version;
  const file = path.join(os.tmpdir(), `dlm-tfjs-wasm-${version}-worker.cjs`);
  const prelude = `URL.createObjectURL = () => ${JSON.stringify(mainJs)}; URL.revokeObjectURL = () => {};\n`;
  // As tfjs does for its Blob: the template literal turned the script's \\n escapes into newlines.
  const text = prelude + wasmWorkerContents.replace(/\n/g, '\\n');
  if (!fs.existsSync(file) || fs.readFileSync(file, 'utf8') !== text) {
    const tmp = `${file}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, text);
    fs.renameSync(tmp, file);
  }
  tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', true);
  const original = URL.createObjectURL;
  URL.createObjectURL = (obj: Blob) => (obj instanceof Blob && /javascript/.test(obj.type) ? file : original(obj as Blob));
  // tfjs' C++ caps the thread pool at emscripten_num_logical_cores() / 2 ("2 hyper-threads per
  // core"), which Emscripten reads from os.cpus() in Node: on a 2-core machine that is 1 thread.
  // Report twice the cores while the module initializes; the requested count still applies.
  const cpus = os.cpus;
  os.cpus = () => [...cpus(), ...cpus()];
  return () => {
    URL.createObjectURL = original;
    os.cpus = cpus;
  };
}

async function startCpu(): Promise<void> {
  registerCpuKernels();
  if (!(await tf.setBackend('cpu'))) throw new Error('tf.setBackend("cpu") returned false');
  // tfjs-backend-cpu prints "install tfjs-node" on its first write in Node; dlm chose WASM and
  // CPU deliberately (tfjs-node needs a native download), so the advice would only mislead.
  (tf.backend() as unknown as { firstUse?: boolean }).firstUse = false;
}

async function start(name: BackendName, opts: BackendOptions): Promise<number | undefined> {
  let threads: number | undefined;
  try {
    if (name === 'cpu') await startCpu();
    else if (name === 'wasm') threads = await startWasm(Math.max(1, opts.wasmThreads ?? (Number(process.env['DLM_WASM_THREADS']) || 1)));
    else await startWebGpu();
  } catch (e) {
    if (e instanceof DlmExecutionError) throw e;
    throw new DlmExecutionError('DLM5010', [name, e instanceof Error ? e.message : String(e)]);
  }
  await tf.ready();
  const actual = tf.getBackend();
  if (actual !== name) throw new DlmExecutionError('DLM5011', [name, actual]);
  return threads;
}

/**
 * What 'auto' picks from what the probe found, and why: WebGPU only on a hardware adapter (or a
 * software one when allowed), else WASM. Pure, so its table is tested without a GPU.
 */
export function autoPick(probe: WebGpuProbe, allowSoftwareGpu: boolean): { backend: 'webgpu' | 'wasm'; why: string } {
  if (probe.available && (!probe.software || allowSoftwareGpu)) return { backend: 'webgpu', why: `WebGPU adapter ${probe.adapter ?? '?'}` };
  return {
    backend: 'wasm',
    why: probe.available ? `the WebGPU adapter is a software renderer (${probe.adapter ?? 'unknown'}), slower than WASM` : `no WebGPU (${probe.why ?? 'unavailable'})`,
  };
}

/** Starts a tfjs backend and registers gradients; see the module comment for the rules. */
export async function setupBackend(choice: BackendChoice, opts: BackendOptions = {}): Promise<BackendInfo> {
  await ensureGradients();
  if (choice === 'cpu' || choice === 'wasm' || choice === 'webgpu') {
    const threads = await start(choice, opts);
    return { backend: choice, reason: 'requested explicitly', ...(threads ? { threads } : {}) };
  }
  if (choice !== 'auto') throw new DlmExecutionError('DLM5012', [String(choice)]);
  let probe: WebGpuProbe;
  if (!mayHaveGpu() && !opts.allowSoftwareGpu) {
    probe = { available: false, software: false, why: 'no GPU device (/dev/dri/renderD*, /dev/nvidia0, /dev/dxg)' };
  } else {
    try {
      probe = await probeWebGpu();
    } catch (e) {
      probe = { available: false, software: false, why: e instanceof Error ? e.message : String(e) };
    }
  }
  let pick = autoPick(probe, opts.allowSoftwareGpu ?? false);
  if (pick.backend === 'webgpu') {
    try {
      await start('webgpu', opts);
      return { backend: 'webgpu', reason: pick.why, ...(probe.adapter ? { adapter: probe.adapter } : {}) };
    } catch (e) {
      pick = autoPick({ ...probe, available: false, why: e instanceof Error ? e.message : String(e) }, false);
    }
  }
  const noGpu = pick.why;
  try {
    const threads = await start('wasm', opts);
    return {
      backend: 'wasm',
      // Worded as the data-parallel line is ("… each running single-threaded WASM"), so the two agree.
      reason: `${noGpu}; WASM (XNNPACK, ${threads === 1 ? 'single-threaded' : `${threads} threads`}) is the fastest CPU path`,
      ...(threads ? { threads } : {}),
      ...(probe.adapter ? { adapter: probe.adapter } : {}),
    };
  } catch (e) {
    await start('cpu', opts);
    return { backend: 'cpu', reason: `${noGpu}; WASM failed to start (${e instanceof Error ? e.message : String(e)})` };
  }
}

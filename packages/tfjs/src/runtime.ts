/**
 * The tfjs implementation of the `Runtime` that @dlm/train's loop runs on (the interface is in
 * @dlm/core, so this backend implements it without importing @dlm/train). Tensors are tfjs
 * tensors, variables tf.Variables, gradients come from tf.variableGrads, the math is
 * `createTfjsMath`, and graphs run on the `GraphExecutor`.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Graph, PhaseResult, Runtime } from '@dlm/core';
import { setupBackend, type BackendChoice } from './backend.js';
import { DlmExecutionError } from './backend-errors.js';
import { GraphExecutor } from './executor.js';
import { createTfjsMath, type TfjsMath } from './tensor-math.js';

type T = tf.Tensor;

/** Core's `Runtime` over tfjs tensors, with the concrete math and runner types (checkpoints read the math's RNG state). */
export interface TfjsRuntime extends Runtime<tf.Tensor> {
  createMath(seed: number): TfjsMath;
  createRunner(graph: Graph): PhaseResult<GraphExecutor | undefined>;
}

let uid = 0;

/** A runtime over the tfjs backend already set up as `name` (hosts that start their own backend, such as the playground). */
export function tfjsRuntime(name: string): TfjsRuntime {
  return {
    name,
    createMath: (seed) => createTfjsMath(seed),
    createRunner: (graph) => {
      const { result, diagnostics } = GraphExecutor.create(graph);
      return { result, diagnostics };
    },
    tensor: (data, shape) => tf.tensor(data, shape as number[], data instanceof Int32Array ? 'int32' : 'float32'),
    variable(data, shape, dtype, trainable) {
      const tfDtype = dtype === 'f32' ? 'float32' : 'int32';
      const t = tf.tensor(data, shape as number[], tfDtype);
      const v = tf.variable(t, trainable, `dlm/${uid++}`, tfDtype);
      t.dispose(); // the variable holds its own reference to the data
      return v;
    },
    assign: (v, value) => (v as tf.Variable).assign(value),
    // tf.tidy's types accept only tensor containers; the loop returns records and arrays of tensors.
    tidy: <R>(f: () => R): R => tf.tidy(f as () => tf.TensorContainer) as R,
    keep: (t) => tf.keep(t),
    dispose: (t) => tf.dispose(t as T | T[]),
    isDisposed: (t) => t.isDisposed,
    gradients(f, vars) {
      const { value, grads } = tf.variableGrads(f as () => tf.Scalar, vars as tf.Variable[]);
      return { value, grads: vars.map((v) => grads[(v as tf.Variable).name]) };
    },
    read: async (t) => (await t.data()) as Float32Array | Int32Array,
    shape: (t) => [...t.shape],
    dtype: (t) => (t.dtype === 'int32' ? 'i32' : 'f32'),
    diagnose: (e) => (e instanceof DlmExecutionError ? e.diagnostic : undefined),
    numTensors: () => tf.memory().numTensors,
    worker: {
      module: WORKER_MODULE,
      describe: 'each running single-threaded WASM',
      ...(name === 'webgpu' ? { unavailable: 'it applies to the CPU backends (wasm, cpu), not webgpu' } : {}),
    },
  };
}

/** This module: data-parallel workers import it and call `createWorkerRuntime`. */
const WORKER_MODULE = import.meta.url;

/**
 * Starts the chosen backend (setupBackend) and returns the runtime over it. Without a choice it
 * keeps the backend already running, or starts 'cpu' when there is none.
 */
export async function createTfjsRuntime(choice?: BackendChoice): Promise<TfjsRuntime> {
  if (choice) return tfjsRuntime((await setupBackend(choice)).backend);
  const current = (tf.engine() as unknown as { backendName?: string | null }).backendName;
  if (current) {
    const { ensureGradients } = await import('./backend-gradients.js');
    await ensureGradients();
    return tfjsRuntime(current);
  }
  return tfjsRuntime((await setupBackend('cpu')).backend);
}

/** The runtime of a data-parallel worker thread: a single-threaded WASM backend. */
export async function createWorkerRuntime(): Promise<TfjsRuntime> {
  return tfjsRuntime((await setupBackend('wasm', { wasmThreads: 1 })).backend);
}

/**
 * One-shot inference from plain arrays: used by the ONNX parity tests and by the CLI's `predict`.
 * Runs in inference mode (dropout off, batch norm on running statistics) and frees every tensor.
 */
import * as tf from '@tensorflow/tfjs-core';
import { formatDiagnostic, type Graph } from '@dlm/core';
import { GraphExecutor } from './executor.js';
import { setupBackend, type BackendChoice } from './backend.js';

export interface InferenceOptions {
  /** Backend to start first; default: keep the current one (or start 'cpu' when none is set). */
  backend?: BackendChoice;
}

export interface ArrayTensor {
  data: Float32Array | Int32Array;
  shape: number[];
}

export async function runInference(
  graph: Graph,
  weights: Map<string, Float32Array>,
  inputs: Record<string, ArrayTensor>,
  opts: InferenceOptions = {},
): Promise<Record<string, { data: Float32Array; shape: number[] }>> {
  if (opts.backend) await setupBackend(opts.backend);
  else if (!(tf.engine() as unknown as { backendName?: string | null }).backendName) await setupBackend('cpu');
  const { result: exec, diagnostics } = GraphExecutor.create(graph);
  if (!exec) throw new Error(diagnostics.map((d) => formatDiagnostic(d)).join('\n'));
  for (const [name, v] of Object.entries(inputs)) exec.checkIds(name, v.data);
  const out = tf.tidy(() => {
    const params = new Map<string, tf.Tensor>();
    for (const p of graph.params) {
      const w = weights.get(p.name);
      if (!w) continue; // the executor reports the missing parameter with its code
      params.set(p.name, tf.tensor(w, p.type.shape as number[], p.type.dtype === 'f32' ? 'float32' : 'int32'));
    }
    const ins: Record<string, tf.Tensor> = {};
    for (const [name, v] of Object.entries(inputs)) ins[name] = tf.tensor(v.data, v.shape, v.data instanceof Int32Array ? 'int32' : 'float32');
    return exec.run(params, ins, { training: false }).outputs;
  });
  const result: Record<string, { data: Float32Array; shape: number[] }> = {};
  try {
    for (const [name, t] of Object.entries(out)) {
      const data = await t.data();
      result[name] = { data: data instanceof Float32Array ? data : Float32Array.from(data as ArrayLike<number>), shape: [...t.shape] };
    }
  } finally {
    tf.dispose(Object.values(out));
  }
  return result;
}

/**
 * The reference forward pass for parity tests: @dlm/tfjs's runInference once it exists (the
 * execution engineer's package), otherwise the naive executor in ./reference.ts.
 */
import type { Graph } from '@dlm/core';
import { naiveInference } from './reference.js';
import type { HostTensor } from './run.js';

interface ArrayTensor {
  data: Float32Array | Int32Array;
  shape: number[];
}
type RunInference = (g: Graph, w: Map<string, Float32Array>, inputs: Record<string, ArrayTensor>) => Promise<Record<string, ArrayTensor>>;

let tfjsRun: RunInference | null | undefined;

async function loadTfjs(): Promise<RunInference | null> {
  if (tfjsRun !== undefined) return tfjsRun;
  try {
    const mod = (await import('@dlm/tfjs')) as Record<string, unknown>;
    tfjsRun = typeof mod['runInference'] === 'function' ? (mod['runInference'] as RunInference) : null;
  } catch {
    tfjsRun = null;
  }
  return tfjsRun;
}

export async function reference(graph: Graph, weights: ReadonlyMap<string, Float32Array>, inputs: Record<string, HostTensor>): Promise<{ outputs: Record<string, HostTensor>; by: string }> {
  const run = process.env['DLM_ONNX_NAIVE_REFERENCE'] ? null : await loadTfjs();
  if (run) {
    const ins: Record<string, ArrayTensor> = {};
    for (const [k, v] of Object.entries(inputs)) {
      ins[k] = { shape: v.dims, data: v.data instanceof BigInt64Array ? Int32Array.from(v.data, Number) : v.data };
    }
    const res = await run(graph, new Map(weights), ins);
    const outputs: Record<string, HostTensor> = {};
    for (const [k, v] of Object.entries(res)) outputs[k] = { dims: v.shape, data: v.data };
    return { outputs, by: '@dlm/tfjs runInference' };
  }
  return { outputs: naiveInference(graph, weights, inputs), by: 'naive JS reference' };
}

/**
 * The reference forward pass for parity tests: @dlm/tfjs's runInference once it exists (the
 * execution engineer's package), otherwise the naive executor in ./reference.ts.
 */
import type { Graph } from '@dlm/core';
import { naiveInference } from './reference.js';
import type { HostTensor } from './run.js';

type RunInference = (g: Graph, w: ReadonlyMap<string, Float32Array>, inputs: Record<string, HostTensor>) => Promise<Record<string, HostTensor>> | Record<string, HostTensor>;

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
  if (run) return { outputs: await run(graph, weights, inputs), by: '@dlm/tfjs runInference' };
  return { outputs: naiveInference(graph, weights, inputs), by: 'naive JS reference' };
}

/**
 * The trained model's preprocessing in front of the exported graph: with `inputScaling`, the
 * ONNX model run on raw inputs gives what the plain export gives on inputs scaled by hand
 * ((x − sub) / div), in onnxruntime, for per-feature and per-channel (NCHW) statistics.
 */
import { describe, expect, it } from 'vitest';
import type { Graph } from '@dlm/core';
import { exportOnnx, onnx } from '../src/index.js';
import { mlp, mnistCnn } from './helpers/models.js';
import { maxAbsDiff, randomInputs, randomWeights, runOrt, type HostTensor } from './helpers/run.js';

function scaledByHand(x: HostTensor, sub: number[], div: number[], at: (i: number) => number): HostTensor {
  const data = Float32Array.from(x.data as Float32Array, (v, i) => (v - sub[at(i)]!) / div[at(i)]!);
  return { data, dims: x.dims };
}

async function compare(graph: Graph, sub: number[], div: number[], dims: number[], at: (i: number) => number, rawScale: number): Promise<void> {
  const weights = randomWeights(graph, 3);
  const input = graph.inputs[0]!.name;
  const raw = randomInputs(graph, { batch: 3 }, 11)[input]!;
  raw.data = Float32Array.from(raw.data as Float32Array, (v) => v * rawScale + rawScale);
  const withScaling = exportOnnx(graph, weights, { inputScaling: { input, sub, div, dims } });
  const plain = exportOnnx(graph, weights);
  expect(withScaling.diagnostics).toEqual([]);
  const model = onnx.ModelProto.decode(withScaling.result!);
  expect(model.graph!.node!.slice(0, 2).map((n) => n.opType)).toEqual(['Sub', 'Div']);
  expect(model.graph!.input!.map((v) => v.name)).toEqual([input]);
  const a = await runOrt(withScaling.result!, { [input]: raw });
  const b = await runOrt(plain.result!, { [input]: scaledByHand(raw, sub, div, at) });
  const out = graph.outputs[0]!.name;
  expect(maxAbsDiff(a[out]!.data as Float32Array, b[out]!.data as Float32Array)).toBeLessThan(1e-4);
  // And the scaling matters: the raw input through the plain export differs.
  const c = await runOrt(plain.result!, { [input]: raw });
  expect(maxAbsDiff(a[out]!.data as Float32Array, c[out]!.data as Float32Array)).toBeGreaterThan(1e-3);
}

describe('exportOnnx inputScaling', () => {
  it('per-feature standardization of an MLP', async () => {
    const sub = Array.from({ length: 784 }, (_, f) => 100 + (f % 7));
    const div = Array.from({ length: 784 }, (_, f) => 20 + (f % 5));
    await compare(mlp(), sub, div, [784], (i) => i % 784, 100);
  });

  it('per-channel pixel scaling of a CNN ([C, 1, 1] broadcasts over H and W)', async () => {
    const g = mnistCnn();
    const [, c, h, w] = g.inputs[0]!.type.shape as number[];
    const sub = Array.from({ length: c! }, (_, k) => 255 * (0.1307 + k / 10));
    const div = Array.from({ length: c! }, (_, k) => 255 * (0.3081 + k / 10));
    await compare(g, sub, div, [c!, 1, 1], (i) => Math.floor(i / (h! * w!)) % c!, 127);
  });
});

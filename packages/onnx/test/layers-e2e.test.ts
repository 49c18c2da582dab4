/**
 * A .dlm model that uses every layer added for transformers (reductions, math, comparisons,
 * where, cast, matmul, axis shuffles, expand, arange/ones/zeros/tril with symbolic sizes),
 * compiled by @dlm/language: it exports at every opset that has Trilu (14–17), passes
 * onnx.checker, and matches @dlm/tfjs in onnxruntime for two sequence lengths from one file,
 * which fails if a symbolic size were baked in.
 */
import { describe, expect, it } from 'vitest';
import { formatDiagnostics, hasErrors, PluginRegistry } from '@dlm/core';
import { compileSource } from '@dlm/language';
import { stdPlugin } from '@dlm/plugin-std';
import { exportOnnx, SUPPORTED_OPSETS } from '../src/index.js';
import { reference } from './helpers/reference-switch.js';
import { maxAbsDiff, opHistogram, randomInputs, randomWeights, runChecker, runOrt } from './helpers/run.js';

const NEW_LAYERS_DLM = `
// Every layer added for transformers, once.
model NewLayers {
  input x: f32[batch, time, 8]
  input ids: i64[batch, time]
  output y: f32[batch, time, 8]
  output stats: f32[batch, 1, 8]
  output picked: f32[batch, time]

  pos1 = arange(x, size: time) |> unsqueeze(0)
  pos = (pos1, ids) |> expand([batch, time])
  p = (ids, pos) |> greater_equal |> cast(to: f32)
  s = x |> abs |> clip(min: 0.1, max: 4.0) |> sqrt |> log |> exp |> erf |> pow(2)
  e = ids |> embedding(10, 8)
  xt = e |> transpose(1, 2)
  scores = matmul(x, xt)
  mask = tril(x, shape: [time, time]) |> equal(value: 0)
  att = where(mask, scores, other: -1e9) |> softmax
  causal = ones(x, shape: [time, time]) |> tril(k: -1)
  masked = (att, causal) |> add
  sp = s |> permute([0, 1, 2])
  y = matmul(masked, sp)
  mx = x |> max(axis: [1], keepdims: true)
  stats = x |> mean(axis: 1, keepdims: true) |> add(mx)
  z = zeros(x, shape: [batch, time, 1]) |> squeeze(-1)
  picked = (x |> sum(axis: -1), z) |> add |> add(p)
}
`;

const registry = new PluginRegistry();
registry.register(stdPlugin);
const out = compileSource(NEW_LAYERS_DLM, 'new_layers.dlm', { registry });

describe('a .dlm using every new layer', () => {
  it('compiles without diagnostics', () => {
    expect(hasErrors(out.diagnostics), formatDiagnostics(out.diagnostics, { sources: out.sources })).toBe(false);
  });

  const graph = out.program.models[0]!;
  const weights = randomWeights(graph, 5);
  const files: Record<string, Uint8Array> = {};

  it('is refused at opset 13 only because of Trilu', () => {
    const r = exportOnnx(graph, weights, { opset: 13 });
    expect(new Set(r.diagnostics.map((d) => `${d.code} ${d.message.split(' (')[0]}`))).toEqual(new Set(["DLM6003 Op 'Trilu'"]));
  });

  it.each(SUPPORTED_OPSETS.filter((o) => o >= 14))('opset %i: matches onnxruntime for time 4 and time 11 from one file', async (opset) => {
    const { result, diagnostics } = exportOnnx(graph, weights, { opset });
    expect(diagnostics).toEqual([]);
    files[`new_layers_opset${opset}`] = result!;
    if (opset === 17) expect(opHistogram(result!)['Shape']).toBeGreaterThanOrEqual(4);
    for (const time of [4, 11]) {
      const inputs = randomInputs(graph, { batch: 2, time }, 20 + time);
      const ours = await reference(graph, weights, inputs);
      const theirs = await runOrt(result!, inputs);
      for (const o of graph.outputs) {
        expect(theirs[o.name]!.dims, `${o.name} at time ${time}`).toEqual(ours.outputs[o.name]!.dims);
        expect(maxAbsDiff(theirs[o.name]!.data as Float32Array, ours.outputs[o.name]!.data as Float32Array), `${o.name} at time ${time}`).toBeLessThanOrEqual(1e-4);
      }
    }
  });

  it('every export passes onnx.checker', () => {
    const r = runChecker(files);
    expect(r.status, r.output).toBe(0);
    expect(r.output.match(/^ok:/gm)?.length).toBe(Object.keys(files).length);
  });
});

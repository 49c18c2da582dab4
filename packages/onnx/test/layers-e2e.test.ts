/**
 * A .dlm model that uses every layer added for transformers (reductions, math, comparisons,
 * where, cast, matmul, axis shuffles, expand, arange/ones/zeros/tril with symbolic sizes),
 * compiled by @dlm/language: it exports at every opset that has Trilu (14–17), passes
 * onnx.checker, and matches @dlm/tfjs in onnxruntime for two sequence lengths from one file,
 * which fails if a symbolic size were baked in.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatDiagnostics, hasErrors, PluginRegistry } from '@dlm/core';
import { compileSource } from '@dlm/language';
import { stdPlugin } from '@dlm/plugin-std';
import { exportOnnx, SUPPORTED_OPSETS } from '../src/index.js';
import { reference } from './helpers/reference-switch.js';
import { maxAbsDiff, opHistogram, randomInputs, randomWeights, REPO_ROOT, runChecker, runOrt } from './helpers/run.js';

// Shared with @dlm/tfjs's PyTorch twin test (packages/tfjs/test/torch-twin-layers.test.ts).
const NEW_LAYERS_DLM = readFileSync(join(REPO_ROOT, 'packages/tfjs/test/fixtures/new_layers.dlm'), 'utf8');


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

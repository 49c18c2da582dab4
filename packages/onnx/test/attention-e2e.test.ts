/**
 * multi_head_attention (self, causal with lengths, cross with a bool mask) and the transformer
 * encoder/decoder layers (both norm orders), from the fixtures the PyTorch twins use, export at
 * opsets 14 and 17 (Trilu needs 14; the transformer layers' LayerNormalization 17), pass onnx.checker and match @dlm/tfjs in onnxruntime within
 * 1e-4 at two sequence lengths from one file (a baked-in time size would fail).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatDiagnostics, hasErrors, PluginRegistry } from '@dlm/core';
import { compileSource } from '@dlm/language';
import { stdPlugin } from '@dlm/plugin-std';
import { exportOnnx } from '../src/index.js';
import { reference } from './helpers/reference-switch.js';
import { maxAbsDiff, randomInputs, randomWeights, REPO_ROOT, runChecker, runOrt } from './helpers/run.js';

const registry = new PluginRegistry();
registry.register(stdPlugin);
const files: Record<string, Uint8Array> = {};

// The transformer layers use LayerNormalization, which ONNX has from opset 17.
describe.each([
  ['attention', [14, 17]],
  ['transformer', [17]],
] as const)('%s.dlm exported to ONNX', (fixture, opsets) => {
  const out = compileSource(readFileSync(join(REPO_ROOT, `packages/tfjs/test/fixtures/${fixture}.dlm`), 'utf8'), `${fixture}.dlm`, { registry });
  it('compiles without diagnostics', () => {
    expect(hasErrors(out.diagnostics), formatDiagnostics(out.diagnostics, { sources: out.sources })).toBe(false);
  });
  const graph = out.program.models[0]!;
  const weights = randomWeights(graph, 9);

  it.each(opsets)('opset %i: matches onnxruntime for time 3 and 8 from one file', async (opset) => {
    const { result, diagnostics } = exportOnnx(graph, weights, { opset });
    expect(diagnostics).toEqual([]);
    files[`${fixture}_opset${opset}`] = result!;
    for (const time of [3, 8]) {
      const inputs = randomInputs(graph, { batch: 2, time, src: 5 }, 30 + time, 3);
      const ours = await reference(graph, weights, inputs);
      const theirs = await runOrt(result!, inputs);
      for (const o of graph.outputs) {
        expect(theirs[o.name]!.dims, `${o.name} at time ${time}`).toEqual(ours.outputs[o.name]!.dims);
        expect(maxAbsDiff(theirs[o.name]!.data as Float32Array, ours.outputs[o.name]!.data as Float32Array), `${o.name} at time ${time}`).toBeLessThanOrEqual(1e-4);
      }
    }
  });
});

describe('the attention exports', () => {
  it('pass onnx.checker', () => {
    const r = runChecker(files);
    expect(r.status, r.output).toBe(0);
    expect(r.output.match(/^ok:/gm)?.length).toBe(Object.keys(files).length);
  });
});

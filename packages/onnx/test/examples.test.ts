/**
 * The real examples/*.dlm files, compiled by @dlm/language with @dlm/plugin-std's layers: every
 * model exports, passes onnx.checker, and matches @dlm/tfjs in onnxruntime.
 */
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { formatDiagnostics, hasErrors, PluginRegistry, type Graph } from '@dlm/core';
import { compileFile } from '@dlm/language';
import { stdPlugin } from '@dlm/plugin-std';
import { exportOnnx } from '../src/index.js';
import { reference } from './helpers/reference-switch.js';
import { maxAbsDiff, opHistogram, randomInputs, randomWeights, REPO_ROOT, runChecker, runOrt } from './helpers/run.js';
import { needs } from '../../../tools/test-support/system-tools.js';

function dlmFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    if (statSync(p).isDirectory()) return f === 'plugins' || f === 'node_modules' ? [] : dlmFiles(p);
    return f.endsWith('.dlm') ? [p] : [];
  });
}

const registry = new PluginRegistry();
registry.register(stdPlugin);

const models: { file: string; graph: Graph }[] = [];
const compileProblems: string[] = [];
for (const file of dlmFiles(join(REPO_ROOT, 'examples')).sort()) {
  const out = compileFile(file, { registry });
  if (hasErrors(out.diagnostics)) compileProblems.push(formatDiagnostics(out.diagnostics, { sources: out.sources }));
  else for (const g of out.program.models) models.push({ file: relative(REPO_ROOT, file), graph: g });
}

/** Exact histograms for the seed networks whose shape the brief pins down. */
const EXPECTED: Record<string, Record<string, number>> = {
  MnistCnn: { Conv: 2, Flatten: 1, Gemm: 2, LogSoftmax: 1, MaxPool: 2, Relu: 3 },
};

const exported: Record<string, Uint8Array> = {};
const figures: string[] = [];
afterAll(() => figures.length && console.log(`examples, onnxruntime parity (max |Δ|):\n  ${figures.join('\n  ')}`));

it('the examples compile', () => {
  expect(compileProblems.join('\n')).toBe('');
  expect(models.length).toBeGreaterThan(0);
});

describe.each(models.map((m) => [`${m.file} ${m.graph.name}`, m] as const))('%s', (_n, { graph }) => {
  const weights = randomWeights(graph, 5);

  it('exports cleanly and matches dlm’s forward pass in onnxruntime', async () => {
    const { result, diagnostics } = exportOnnx(graph, weights);
    expect(formatDiagnostics(diagnostics)).toBe('');
    exported[graph.name] = result!;
    const h = opHistogram(result!);
    expect(h['Identity'] ?? 0).toBe(0);
    expect(h['Dropout'] ?? 0).toBe(0);
    if (EXPECTED[graph.name]) expect(h).toEqual(EXPECTED[graph.name]);
    // Layout Transposes only around recurrent ops (at most one in, one out each), besides the
    // model's own (attention's head split and weight transposes).
    const recurrent = (h['LSTM'] ?? 0) + (h['GRU'] ?? 0) + (h['RNN'] ?? 0);
    const own = graph.nodes.filter((n) => n.op === 'Transpose').length;
    expect(h['Transpose'] ?? 0).toBeLessThanOrEqual(own + 2 * recurrent);
    const inputs = randomInputs(graph, { batch: 2, time: 6, seq: 6 }, 9, 5);
    const ours = await reference(graph, weights, inputs);
    const theirs = await runOrt(result!, inputs);
    for (const out of graph.outputs) {
      const mine = ours.outputs[out.name]!.data as Float32Array;
      const d = maxAbsDiff(theirs[out.name]!.data as Float32Array, mine);
      figures.push(`${graph.name}.${out.name}: ${d.toExponential(2)} (${JSON.stringify(h)})`);
      // 1e-4 for outputs of order 1. Random weights of ±0.5 that ignore fan-in make a deep net's
      // outputs huge (VGG-11's logits reach ~2e5), where float32 itself has ~1e-7 relative
      // precision; there the bound is relative to the largest output.
      let scale = 1;
      for (const v of mine) scale = Math.max(scale, Math.abs(v));
      expect(d).toBeLessThanOrEqual(1e-4 * scale);
    }
  }, 60_000);
});

it('every example export passes onnx.checker', (ctx) => {
  needs('python3-onnx')(ctx);
  const r = runChecker(exported);
  expect(r.status, r.output).toBe(0);
  expect(r.output.match(/^ok:/gm)?.length).toBe(models.length);
});

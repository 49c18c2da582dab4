/**
 * The seed networks: exact ONNX op histograms (clean graphs: no stray Transpose, Identity or
 * Dropout), onnxruntime parity against dlm's own forward pass, and onnx.checker on every export.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { exportOnnx, onnx } from '../src/index.js';
import { STANDARD_MODELS } from './helpers/models.js';
import { reference } from './helpers/reference-switch.js';
import { maxAbsDiff, opHistogram, randomInputs, randomWeights, runChecker, runOrt } from './helpers/run.js';
import { needs } from '../../../tools/test-support/system-tools.js';

const exported: Record<string, Uint8Array> = {};
const figures: string[] = [];

afterAll(() => {
  if (figures.length) console.log(`onnxruntime parity (max |Δ|):\n  ${figures.join('\n  ')}`);
});

describe.each(STANDARD_MODELS)('$name', ({ name, build, histogram }) => {
  const graph = build();
  const weights = randomWeights(graph);
  const { result, diagnostics } = exportOnnx(graph, weights);

  it('exports without diagnostics', () => {
    expect(diagnostics).toEqual([]);
    expect(result).toBeInstanceOf(Uint8Array);
    exported[name] = result!;
  });

  it('has the exact op histogram of a clean export', () => {
    expect(opHistogram(result!)).toEqual(histogram);
  });

  it('keeps the .dlm input and output names, symbolic dims and layer scopes', () => {
    const m = onnx.ModelProto.decode(result!);
    const g = m.graph!;
    expect(g.input!.map((v) => v.name)).toEqual(graph.inputs.map((v) => v.name));
    expect(g.output!.map((v) => v.name)).toEqual(graph.outputs.map((v) => v.name));
    expect(g.input![0]!.type!.tensorType!.shape!.dim![0]!.dimParam).toBe('batch');
    expect(g.output![0]!.type!.tensorType!.shape!.dim![0]!.dimParam).toBe('batch');
    for (const n of g.node!) expect(n.name).toMatch(/^[a-z_0-9]+_\d+(\/[a-z_0-9]+_\d+)*\/[A-Z][A-Za-z]+(_\d+)?$/);
    expect(m.producerName).toBe('dlm');
  });

  it('matches dlm’s forward pass in onnxruntime (max |Δ| ≤ 1e-4)', async () => {
    for (const batch of [1, 3]) {
      const inputs = randomInputs(graph, { batch, time: 5 });
      const ours = await reference(graph, weights, inputs);
      const theirs = await runOrt(result!, inputs);
      for (const out of graph.outputs) {
        expect(theirs[out.name]!.dims).toEqual(ours.outputs[out.name]!.dims);
        const d = maxAbsDiff(theirs[out.name]!.data as Float32Array, ours.outputs[out.name]!.data as Float32Array);
        figures.push(`${name} batch=${batch} ${out.name}: ${d.toExponential(2)} (vs ${ours.by})`);
        expect(d).toBeLessThanOrEqual(1e-4);
      }
    }
  });
});

it('every export passes onnx.checker.check_model(full_check=True)', (ctx) => {
  needs('python3-onnx')(ctx);
  expect(Object.keys(exported).length).toBe(STANDARD_MODELS.length);
  const r = runChecker(exported);
  expect(r.output).not.toMatch(/^error/m);
  expect(r.status, r.output).toBe(0);
});

/**
 * LayerNormalization where the mean dwarfs the spread, on cpu and wasm, against float64 loops.
 * The wasm backend sums in float32 one element after another: a constant row of −7.74 (a
 * log_softmax of equal logits, 2,304 wide) got a mean 1.6e-4 off, and 1/√eps made that 0.05
 * where PyTorch, onnxruntime and tfjs-cpu give 0 (found by the differential fuzzer, seed 32179).
 */
import { describe, expect, it } from 'vitest';
import { mulberry32, PluginRegistry } from '@dlm/core';
import { compileSource } from '@dlm/language';
import { stdPlugin } from '@dlm/plugin-std';
import { runInference } from '../src/index.js';

const N = 2304;
const registry = new PluginRegistry();
registry.register(stdPlugin);
const graph = compileSource(`model M {\n  input x: f32[batch, ${N}]\n  output y: f32[batch, ${N}]\n  y = x |> layer_norm\n}\n`, 'm.dlm', { registry }).program.models[0]!;

/** Float64 layer norm (weight 1, bias 0, eps 1e-5) of float32 inputs. */
function reference(row: Float32Array): Float64Array {
  const mean = row.reduce((a, b) => a + b, 0) / row.length;
  const variance = row.reduce((a, b) => a + (b - mean) ** 2, 0) / row.length;
  return Float64Array.from(row, (v) => (v - mean) / Math.sqrt(variance + 1e-5));
}

const r = mulberry32(11);
const rows: Record<string, Float32Array> = {
  'a constant row (−7.74)': new Float32Array(N).fill(-7.742402),
  'two values far from 0 (−7.86 and −6.86)': Float32Array.from({ length: N }, () => (r() < 0.5 ? -7.860755 : -6.860755)),
  'a mean of 1000 with a spread of 0.01': Float32Array.from({ length: N }, () => 1000 + (r() - 0.5) * 0.02),
};

describe.each(['cpu', 'wasm'] as const)('layer_norm on %s', (backend) => {
  it.each(Object.keys(rows))('%s: within 1e-4 of float64', async (name) => {
    const row = rows[name]!;
    const weights = new Map(graph.params.map((p) => [p.name, new Float32Array(N).fill(/weight/.test(p.name) ? 1 : 0)]));
    const { y } = await runInference(graph, weights, { x: { data: row, shape: [1, N] } }, { backend });
    const want = reference(row);
    let worst = 0;
    for (let i = 0; i < N; i++) worst = Math.max(worst, Math.abs(y!.data[i]! - want[i]!));
    expect(worst).toBeLessThanOrEqual(1e-4);
  });
});

/**
 * A row whose first element lies far from the rest (an outlier feature in dimension 0). Shifted
 * by that element, every other entry became x − x₀ ≈ −300, summed in float32 on wasm: the worst
 * entry came out 2.6e-5 off. Shifted by the row's mean, 3.6e-7 (cpu 3.8e-8), and the rows above
 * keep their digits too. Tolerance as the differential fuzzer's, at 1e-5: absolute up to 1,
 * relative above.
 */
describe.each(['cpu', 'wasm'] as const)('layer_norm of a row with an outlier first element on %s', (backend) => {
  const o = mulberry32(5);
  const outlier = Float32Array.from({ length: N }, (_, i) => (i === 0 ? 300 : o() * 2 - 1));
  it('within 1e-5 of float64 (relative above 1)', async () => {
    const weights = new Map(graph.params.map((p) => [p.name, new Float32Array(N).fill(/weight/.test(p.name) ? 1 : 0)]));
    const { y } = await runInference(graph, weights, { x: { data: outlier, shape: [1, N] } }, { backend });
    const want = reference(outlier);
    let worst = 0;
    for (let i = 0; i < N; i++) worst = Math.max(worst, Math.abs(y!.data[i]! - want[i]!) / Math.max(1, Math.abs(want[i]!)));
    expect(worst).toBeLessThanOrEqual(1e-5);
  });
});

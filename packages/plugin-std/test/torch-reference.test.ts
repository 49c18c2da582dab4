/**
 * dlm's standard layers against PyTorch: output shapes and parameter counts of the cases in
 * golden/torch-reference.json, which tools/reference/torch_layer_counts.py computed with torch
 * (the command is in the file's "command" field).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { countParamsUnder, formatShape, initializeParams, summarize, type ArgValue, type Dim, type DType } from '@dlm/core';
import { chain } from './helpers.js';

interface Case {
  name: string;
  input: { dtype: DType; shape: Dim[] };
  layers: { layer: string; args: Record<string, ArgValue> }[];
  output: Dim[];
  params: number;
  buffers: number;
  per_layer: { layer: string; output: Dim[]; params: number }[];
  /** Initial-value statistics of every parameter and buffer, in dlm's order. */
  init: { numel: number; std: number; maxabs: number }[];
}

function stats(a: Float32Array): { std: number; maxabs: number } {
  let s = 0;
  let maxabs = 0;
  for (const v of a) {
    s += v;
    maxabs = Math.max(maxabs, Math.abs(v));
  }
  const mean = s / a.length;
  let v2 = 0;
  for (const v of a) v2 += (v - mean) ** 2;
  return { std: Math.sqrt(v2 / a.length), maxabs };
}

const golden = JSON.parse(readFileSync(new URL('./golden/torch-reference.json', import.meta.url), 'utf8')) as {
  command: string;
  torch_version: string;
  cases: Case[];
};

describe(`standard layers match PyTorch ${golden.torch_version}`, () => {
  it('the golden file says how it was made', () => {
    expect(golden.command).toContain('tools/reference/torch_layer_counts.py');
    expect(golden.cases.length).toBeGreaterThan(20);
  });
  it.each(golden.cases.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const r = chain(c.input, c.layers);
    expect(r.bag.items.map((d) => d.message)).toEqual([]);
    expect(formatShape(r.type(r.out).shape)).toBe(formatShape(c.output));
    // PyTorch's parameters() are dlm's trainable parameters; its buffers are dlm's buffers.
    expect(countParamsUnder(r.graph).trainable).toBe(c.params);
    expect(countParamsUnder(r.graph).buffers).toBe(c.buffers);
    c.per_layer.forEach((l, i) => {
      expect(formatShape(r.type(r.outs[i]!).shape), `${l.layer} #${i + 1} output`).toBe(formatShape(l.output));
      expect(countParamsUnder(r.graph, r.graph.layers[i]!.path).trainable, `${l.layer} #${i + 1} params`).toBe(l.params);
    });
    // The summary agrees: PyTorch's parameters are the trainable ones; buffers are non-trainable (Keras).
    const s = summarize(r.graph);
    expect(s.trainableParams).toBe(c.params);
    expect([s.totalParams, s.nonTrainableParams]).toEqual([c.params + c.buffers, c.buffers]);
  });
  it.each(golden.cases.map((c) => [c.name, c] as const))('%s: initial values follow PyTorch\'s distributions', (_name, c) => {
    const r = chain(c.input, c.layers);
    const values = initializeParams(r.graph, 0);
    expect(r.graph.params.length).toBe(c.init.length);
    r.graph.params.forEach((p, i) => {
      const want = c.init[i]!;
      const got = stats(values.get(p.name)!);
      expect(values.get(p.name)!.length, p.name).toBe(want.numel);
      if (want.std === 0) {
        // constants (batch-norm weight/bias, running statistics)
        expect(got.std, p.name).toBe(0);
        expect(got.maxabs, p.name).toBeCloseTo(want.maxabs, 6);
        return;
      }
      // Two samples of one distribution: their stds differ by a few standard errors (~0.7/√n).
      const tol = 5 / Math.sqrt(want.numel) + 0.02;
      expect(Math.abs(got.std / want.std - 1), `${p.name} std ${got.std} vs torch ${want.std}`).toBeLessThan(tol);
      if ((p.init.kind === 'torch_default' || p.init.kind === 'uniform') && want.numel >= 50) {
        expect(Math.abs(got.maxabs / want.maxabs - 1), `${p.name} max |x| ${got.maxabs} vs torch ${want.maxabs}`).toBeLessThan(0.1);
      }
    });
  });
  it('the MNIST CNN has 21,840 parameters', () => {
    expect(golden.cases.find((c) => c.name === 'mnist_cnn')!.params).toBe(21840);
  });
});

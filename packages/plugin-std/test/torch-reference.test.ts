/**
 * dlm's standard layers against PyTorch: output shapes and parameter counts of the cases in
 * golden/torch-reference.json, which tools/reference/torch_layer_counts.py computed with torch
 * (the command is in the file's "command" field).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { formatShape, summarize, type ArgValue, type Dim, type DType } from '@dlm/core';
import { bufferCount, chain, paramCount } from './helpers.js';

interface Case {
  name: string;
  input: { dtype: DType; shape: Dim[] };
  layers: { layer: string; args: Record<string, ArgValue> }[];
  output: Dim[];
  params: number;
  buffers: number;
  per_layer: { layer: string; output: Dim[]; params: number }[];
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
    expect(paramCount(r.graph)).toBe(c.params);
    expect(bufferCount(r.graph)).toBe(c.buffers);
    c.per_layer.forEach((l, i) => {
      expect(formatShape(r.type(r.outs[i]!).shape), `${l.layer} #${i + 1} output`).toBe(formatShape(l.output));
      expect(paramCount(r.graph, r.graph.layers[i]!.path), `${l.layer} #${i + 1} params`).toBe(l.params);
    });
    // The summary agrees: buffers are reported but not counted as parameters, as in PyTorch.
    const s = summarize(r.graph);
    expect(s.totalParams).toBe(c.params);
  });
  it('the MNIST CNN has 21,840 parameters', () => {
    expect(golden.cases.find((c) => c.name === 'mnist_cnn')!.params).toBe(21840);
  });
});

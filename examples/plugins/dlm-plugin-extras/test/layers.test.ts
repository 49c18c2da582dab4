import { describe, expect, it } from 'vitest';
import { formatType, summarize } from '@dlm/core';
import { squeeze_excite, swish } from '../src/index.js';
import { compile, compileClean } from './helpers/compile.js';

const model = (body: string, input = 'f32[batch, 8, 6, 5]') => `model M {
  input x: ${input}
  output y: f32[batch, 8, 6, 5]

${body}
}
`;

describe('swish', () => {
  it('expands into Mul(x, Sigmoid(Mul(x, beta))) with one scalar beta initialized to `beta`', () => {
    const { program } = compileClean(model('  y = x |> swish(beta: 1.5)'));
    const g = program.models[0]!;
    expect(g.nodes.map((n) => n.op)).toEqual(['Mul', 'Sigmoid', 'Mul']);
    const [bx, sig, out] = g.nodes;
    expect(bx!.inputs).toEqual(['x', 'swish_1.beta']);
    expect(sig!.inputs).toEqual(bx!.outputs);
    expect(out!.inputs).toEqual(['x', sig!.outputs[0]]);
    expect(g.params).toHaveLength(1);
    expect(g.params[0]!.type.shape).toEqual([1]);
    expect(g.params[0]!.init).toEqual({ kind: 'constant', args: { value: 1.5 } });
    expect(g.params[0]!.trainable).toBe(true);
  });

  it('per_channel: one beta per channel, shaped to broadcast over NCHW', () => {
    const { program } = compileClean(model('  y = x |> swish(per_channel: true)'));
    expect(program.models[0]!.params[0]!.type.shape).toEqual([8, 1, 1]);
  });

  it('declares the identity shape rule, which the compiler checks against the expansion', () => {
    const t = { dtype: 'f32' as const, shape: ['batch', 8, 6, 5] };
    expect(swish.shape!([t], { beta: 1, per_channel: false })).toEqual([t]);
    // The compiler raised no DLM8006, so expansion and rule agree.
    expect(compile(model('  y = x |> swish')).diagnostics).toEqual([]);
  });

  it('labels the diagram node', () => {
    expect(swish.label!({ beta: 1, per_channel: false })).toBe('swish β');
    expect(swish.label!({ beta: 1, per_channel: true })).toBe('swish β/channel');
  });

  it('rejects per_channel on a rank-1 input at the call site', () => {
    const out = compile(`model M {
  input x: f32[batch]
  output y: f32[batch]
  y = x |> swish(per_channel: true)
}
`);
    expect(out.diagnostics.map((d) => d.code)).toEqual(['DLM3005']);
    expect(out.diagnostics[0]!.span?.line).toBe(4);
    expect(out.diagnostics[0]!.message).toContain('per_channel needs an input of rank ≥ 2');
  });
});

describe('squeeze_excite', () => {
  it('keeps the shape and expands into the SE op chain', () => {
    const { program } = compileClean(model('  y = x |> squeeze_excite(ratio: 4)'));
    const g = program.models[0]!;
    expect(g.nodes.map((n) => n.op)).toEqual(['GlobalAveragePool', 'Flatten', 'Gemm', 'Relu', 'Gemm', 'Sigmoid', 'Reshape', 'Mul']);
    const types = Object.fromEntries(g.values.map((v) => [v.name, formatType(v.type)]));
    const byOp = (op: string, i = 0) => types[g.nodes.filter((n) => n.op === op)[i]!.outputs[0]!];
    expect(byOp('GlobalAveragePool')).toBe('f32[batch, 8, 1, 1]');
    expect(byOp('Gemm', 0)).toBe('f32[batch, 2]');
    expect(byOp('Gemm', 1)).toBe('f32[batch, 8]');
    expect(byOp('Reshape')).toBe('f32[batch, 8, 1, 1]');
    expect(g.outputs[0]!.type.shape).toEqual(['batch', 8, 6, 5]);
  });

  it('has (C·C/r + C/r) + (C/r·C + C) parameters', () => {
    const { program } = compileClean(model('  y = x |> squeeze_excite(ratio: 4)'));
    // C = 8, C/r = 2: 8·2 + 2 + 2·8 + 8 = 42.
    expect(summarize(program.models[0]!).totalParams).toBe(42);
    expect(program.models[0]!.params.map((p) => `${p.name} ${p.type.shape.join('×')}`)).toEqual([
      'squeeze_excite_1.reduce_weight 2×8',
      'squeeze_excite_1.reduce_bias 2',
      'squeeze_excite_1.expand_weight 8×2',
      'squeeze_excite_1.expand_bias 8',
    ]);
  });

  it('keeps at least one bottleneck unit when ratio exceeds the channel count', () => {
    const { program } = compileClean(model('  y = x |> squeeze_excite(ratio: 64)'));
    expect(program.models[0]!.params[0]!.type.shape).toEqual([1, 8]);
  });

  it('reports a non-image input and a bad ratio at the call site, without cascading', () => {
    const out = compile(`model M {
  input x: f32[batch, 8]
  output y: f32[batch, 8]
  y = x |> squeeze_excite
}
model N {
  input x: f32[batch, 8, 4, 4]
  output y: f32[batch, 8, 4, 4]
  y = x |> squeeze_excite(ratio: 0)
}
`);
    expect(out.diagnostics.map((d) => [d.code, d.span?.line])).toEqual([
      ['DLM3005', 4],
      [expect.stringMatching(/^DLM4/), 9],
    ]);
    expect(out.diagnostics[0]!.message).toContain('expects an NCHW image batch (rank 4), got f32[batch, 8]');
  });

  it('has a label and its own diagram class', () => {
    expect(squeeze_excite.label!({ ratio: 4 })).toBe('squeeze-excite r=4');
    expect(squeeze_excite.diagramClass).toBe('attention');
  });
});

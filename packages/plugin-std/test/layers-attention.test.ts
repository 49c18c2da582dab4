/**
 * multi_head_attention (and positional_embedding) as built: output types, PyTorch's parameter layout, the masks it accepts,
 * the memory bound (nothing larger than batch × heads × T × S), and the located diagnostics.
 * The numbers are checked against PyTorch in packages/tfjs/test/torch-twin-attention.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { DiagnosticBag, formatType, GraphBuilder, type ArgValue, type Dim, type DType, type TensorType } from '@dlm/core';
import { layerRegistry } from './helpers.js';

const t = (dtype: DType, ...shape: Dim[]): TensorType => ({ dtype, shape });

function setup(inputs: Record<string, TensorType>, layer = 'multi_head_attention') {
  const bag = new DiagnosticBag();
  const b = new GraphBuilder('T', layerRegistry(), bag);
  const names = Object.fromEntries(Object.entries(inputs).map(([k, v]) => [k, b.addInput(k, v)]));
  const call = (ins: string[], args: Record<string, ArgValue>) => {
    const before = bag.items.length;
    const [out] = b.callLayer(layer, ins.map((i) => names[i]!), Object.entries(args).map(([name, value]) => ({ name, value })), undefined);
    const errs = bag.items.slice(before).map((d) => `${d.code} ${d.message}`);
    return { type: formatType(b.typeOf(out!)), errs };
  };
  return { b, call };
}

const inputs = { x: t('f32', 'batch', 'time', 8), mem: t('f32', 'batch', 'src', 8), lens: t('i32', 'batch'), pad: t('bool', 'batch', 'src'), badpad: t('bool', 'batch', 'time') };

describe('multi_head_attention', () => {
  it('self-attention, causal with lengths, and cross-attention with a bool mask keep [batch, time, dim]', () => {
    const { call } = setup(inputs);
    expect(call(['x'], { heads: 2, dim: 8 })).toEqual({ type: 'f32[batch, time, 8]', errs: [] });
    expect(call(['x', 'lens'], { heads: 2, dim: 8, causal: true })).toEqual({ type: 'f32[batch, time, 8]', errs: [] });
    expect(call(['x', 'mem', 'pad'], { heads: 4, dim: 8 })).toEqual({ type: 'f32[batch, time, 8]', errs: [] });
  });

  it("has nn.MultiheadAttention's parameters: in_proj_weight [3d, d], in_proj_bias, out_proj.weight, out_proj.bias", () => {
    const { b, call } = setup(inputs);
    call(['x'], { heads: 2, dim: 8 });
    call(['x'], { heads: 2, dim: 8, bias: false });
    const ps = b.finish().params.map((p) => `${p.name} [${p.type.shape.join(', ')}]`);
    expect(ps).toEqual([
      'multi_head_attention_1.in_proj_weight [24, 8]',
      'multi_head_attention_1.in_proj_bias [24]',
      'multi_head_attention_1.out_proj.weight [8, 8]',
      'multi_head_attention_1.out_proj.bias [8]',
      'multi_head_attention_2.in_proj_weight [24, 8]',
      'multi_head_attention_2.out_proj.weight [8, 8]',
    ]);
  });

  it('never makes a tensor larger than batch × heads × T × S', () => {
    const { b, call } = setup(inputs);
    call(['x', 'lens'], { heads: 2, dim: 8, causal: true });
    call(['x', 'mem', 'pad'], { heads: 4, dim: 8 });
    const g = b.finish();
    const sizes = { batch: 3, time: 50, src: 40 } as Record<string, number>;
    const size = (shape: readonly Dim[]) => shape.reduce<number>((a, d) => a * (typeof d === 'number' ? d : sizes[d]!), 1);
    const largest = Math.max(...g.nodes.flatMap((n) => n.outputs.map((o) => size(b.typeOf(o).shape))));
    expect(largest).toBe(3 * 4 * 50 * 40); // the cross-attention scores
  });

  it('makes the scores-sized tensors only in the scores chain: masks join as one small bias, q is scaled before the product', () => {
    // A mask broadcast to the scores' shape (a Where over [B, H, T, S]) was a fifth of a char GPT
    // training step on WASM (docs/benchmarks.md); the scores chain is MatMul → Add(bias) → Softmax.
    const { b, call } = setup(inputs);
    call(['x', 'lens'], { heads: 2, dim: 8, causal: true });
    const g = b.finish();
    const sizes = { batch: 3, time: 50, src: 40 } as Record<string, number>;
    const size = (shape: readonly Dim[]) => shape.reduce<number>((a, d) => a * (typeof d === 'number' ? d : sizes[d]!), 1);
    const big = g.nodes.filter((n) => n.outputs.some((o) => size(b.typeOf(o).shape) === 3 * 2 * 50 * 50)).map((n) => n.op);
    expect(big).toEqual(['MatMul', 'Add', 'Softmax']);
    const biasAdd = g.nodes.find((n) => n.op === 'Add' && size(b.typeOf(n.outputs[0]!).shape) === 3 * 2 * 50 * 50)!;
    expect(b.typeOf(biasAdd.inputs[1]!).shape).toEqual(['batch', 1, 'time', 'time']); // causal [T, T] + padding [B, 1, 1, T]
    expect(g.nodes.filter((n) => n.op === 'Gather')).toEqual([]);
  });

  it('reports heads not dividing dim, a mask or lengths of the wrong shape, and causal cross-attention, naming the shapes', () => {
    const { call } = setup(inputs);
    expect(call(['x'], { heads: 3, dim: 8 }).errs.join()).toMatch(/heads 3 does not divide dim 8/);
    expect(call(['x'], { heads: 2, dim: 16 }).errs.join()).toMatch(/dim is 16 but the input f32\[batch, time, 8\] has 8 features/);
    expect(call(['x', 'mem', 'badpad'], { heads: 2, dim: 8 }).errs.join()).toMatch(/bool \[batch, S\] matching the keys f32\[batch, src, 8\], got bool\[batch, time\]/);
    expect(call(['x', 'pad'], { heads: 2, dim: 8 }).errs.join()).toMatch(/matching the keys f32\[batch, time, 8\], got bool\[batch, src\]/);
    expect(call(['x', 'mem'], { heads: 2, dim: 8, causal: true }).errs.join()).toMatch(/causal: true applies to self-attention/);
  });
});

describe('positional_embedding', () => {
  it('adds a [max_len, dim] table read at positions 0..T-1; T may be symbolic; a fixed T > max_len is an error', () => {
    const { b, call } = setup({ x: t('f32', 'batch', 'time', 8), long: t('f32', 'batch', 40, 8) }, 'positional_embedding');
    expect(call(['x'], { max_len: 32, dim: 8 })).toEqual({ type: 'f32[batch, time, 8]', errs: [] });
    expect(call(['long'], { max_len: 32, dim: 8 }).errs.join()).toMatch(/f32\[batch, 40, 8\] has 40 positions but max_len is 32/);
    expect(b.finish().params.map((p) => `${p.name} [${p.type.shape.join(', ')}]`)).toContain('positional_embedding_1.weight [32, 8]');
  });
});


describe('sinusoidal_positions', () => {
  it('adds a fixed [max_len, dim] buffer (not trained, no parameters counted); a fixed T > max_len is an error', () => {
    const { b, call } = setup({ x: t('f32', 'batch', 'time', 8), long: t('f32', 'batch', 40, 8) }, 'sinusoidal_positions');
    expect(call(['x'], { max_len: 32, dim: 8 })).toEqual({ type: 'f32[batch, time, 8]', errs: [] });
    expect(call(['long'], { max_len: 32, dim: 8 }).errs.join()).toMatch(/f32\[batch, 40, 8\] has 40 positions but max_len is 32/);
    expect(call(['x'], { max_len: 32, dim: 6 }).errs.join()).toMatch(/dim is 6 but the input f32\[batch, time, 8\] has 8 features/);
    const pe = b.finish().params.find((p) => p.name === 'sinusoidal_positions_1.pe')!;
    expect(pe).toMatchObject({ trainable: false, buffer: true, init: { kind: 'sinusoidal', args: { base: 10000 } }, type: { shape: [32, 8] } });
  });
});

describe('class_token', () => {
  it('prepends a learned [1, 1, dim] token: T → T+1 (fixed or symbolic), dim checked', () => {
    const { b, call } = setup({ x: t('f32', 'batch', 16, 8), s: t('f32', 'batch', 'time', 8) }, 'class_token');
    expect(call(['x'], { dim: 8 })).toEqual({ type: 'f32[batch, 17, 8]', errs: [] });
    expect(call(['s'], { dim: 8 }).errs).toEqual([]);
    expect(call(['x'], { dim: 4 }).errs.join()).toMatch(/dim is 4 but the input f32\[batch, 16, 8\] has 8 features/);
    expect(b.finish().params.find((p) => p.name === 'class_token_1.class_token')).toMatchObject({ trainable: true, type: { shape: [1, 1, 8] }, init: { kind: 'zeros' } });
  });
});

/**
 * Multi-head attention with PyTorch nn.MultiheadAttention(batch_first=True)'s parameter layout and
 * numbers: in_proj_weight [3·dim, dim] (xavier-uniform) and in_proj_bias [3·dim] (zeros) hold the
 * query, key and value projections stacked in that order; out_proj.weight [dim, dim] and
 * out_proj.bias [dim] (zeros). It expands into core ops only, in the order PyTorch's
 * F.multi_head_attention_forward computes: the stacked weight cut into the q, k and v projections
 * by one Split (not row by row with Gather), q scaled by 1/√(dim/heads) before its product with k,
 * and the masks merged into one additive bias (0 or −1e9), small and broadcastable ([T, T] causal,
 * [batch, 1, 1, S] padding), added to the scores once. So the largest tensor it makes is the scores
 * [batch, heads, T, S], and nothing of that size is made only to mask them.
 */
import { formatType, type LayerContext, type LayerDef, type TensorType } from '@dlm/core';
import { fixedDim, inputOfRank, ZEROS } from './util.js';

/**
 * The bias of a masked score: -1e9 rather than PyTorch's -inf, so that a fully masked row stays
 * finite (PyTorch gives NaN); its weights then mean nothing, as PyTorch's do.
 */
const MASKED = -1e9;

export type Extra = { memory?: string; padding?: string; lengths?: string };

/** The 2nd/3rd inputs told apart by dtype: f32 memory (cross-attention), bool key-padding mask, integer lengths. */
export function classify(ctx: LayerContext, extra: readonly string[]): Extra {
  const out: Extra = {};
  for (const v of extra) {
    const t = ctx.typeOf(v);
    const slot = t.dtype === 'bool' ? 'padding' : t.dtype === 'i32' || t.dtype === 'i64' ? 'lengths' : 'memory';
    if (out[slot] !== undefined || (slot !== 'memory' && (out.padding ?? out.lengths) !== undefined)) {
      ctx.fail(`takes at most one memory (f32) and one key-padding mask (bool [batch, S]) or lengths (int [batch]); got a second ${slot} ${formatType(t)}`);
    }
    out[slot] = v;
  }
  return out;
}

/** x [B, L, in] → x·Wᵀ (+ b) → [B, L, out]: PyTorch's F.linear. */
function linear(ctx: LayerContext, x: string, w: string, b: string | null): string {
  const [wt] = ctx.op('Transpose', [w], { perm: [1, 0] });
  const [y] = ctx.op('MatMul', [x, wt!]);
  return b ? ctx.op('Add', [y!, b])[0]! : y!;
}

/** [B, L, dim] → [B, heads, L, dim/heads] (or [B, heads, dim/heads, L] when `transposed`). */
function toHeads(ctx: LayerContext, y: string, heads: number, transposed = false): string {
  const [split] = ctx.op('Reshape', [y], { shape: [0, 0, heads, -1] });
  return ctx.op('Transpose', [split!], { perm: transposed ? [0, 2, 3, 1] : [0, 2, 1, 3] })[0]!;
}

/** `t` cut along `axis` into parts of the given lengths. */
function split(ctx: LayerContext, t: string, axis: number, sizes: number[]): string[] {
  return ctx.op('Split', [t], { axis, split: sizes }, { outputs: sizes.length });
}

/** The key-padding mask as a bias f32 [B, 1, 1, S] (−1e9 = ignore that key), from a bool mask or lengths. */
function paddingBias(ctx: LayerContext, kv: string, kvType: TensorType, e: Extra): string | undefined {
  const s = kvType.shape[1];
  let hidden: string; // bool [B, S]: true = ignore that key
  if (e.padding !== undefined) {
    const m = ctx.typeOf(e.padding);
    const fits = m.shape.length === 2 && m.shape[0] === kvType.shape[0] && m.shape[1] === s;
    if (!m.unknown && !fits) ctx.fail(`the key-padding mask must be bool [batch, S] matching the keys ${formatType(kvType)}, got ${formatType(m)}`);
    hidden = e.padding;
  } else if (e.lengths !== undefined) {
    const l = ctx.typeOf(e.lengths);
    if (!l.unknown && (l.shape.length !== 1 || l.shape[0] !== kvType.shape[0])) {
      ctx.fail(`the lengths must be int [batch] matching the keys ${formatType(kvType)}, got ${formatType(l)}`);
    }
    const len = l.dtype === 'i64' ? e.lengths : ctx.op('Cast', [e.lengths], { to: 'i64' })[0]!;
    const [col] = ctx.op('Unsqueeze', [len], { axes: [1] }); // [B, 1]
    const [pos] = typeof s === 'number' ? ctx.op('Range', [], { start: 0, delta: 1, size: s, dtype: 'i64' }) : ctx.op('Range', [kv], { start: 0, delta: 1, size_from: 1, dtype: 'i64' });
    hidden = ctx.op('GreaterOrEqual', [pos!, col!])[0]!; // [B, S]: position ≥ length is padding
  } else {
    return undefined;
  }
  const [masked] = ctx.op('ConstantOfShape', [], { shape: [], value: MASKED });
  const [kept] = ctx.op('ConstantOfShape', [], { shape: [], value: 0 });
  const [bias] = ctx.op('Where', [hidden, masked!, kept!]);
  return ctx.op('Unsqueeze', [bias!], { axes: [1, 2] })[0]!;
}

/** f32 [T, T]: −1e9 above the diagonal (the future), 0 elsewhere; sizes read from x at run time when symbolic. */
function causalBias(ctx: LayerContext, x: string, t: TensorType): string {
  const time = t.shape[1];
  const fixed = typeof time === 'number';
  const [full] = ctx.op('ConstantOfShape', fixed ? [] : [x], fixed ? { shape: [time, time], value: MASKED } : { shape: [0, 0], shape_from: [1, 1], value: MASKED });
  return ctx.op('Trilu', [full!], { upper: 1, k: 1 })[0]!;
}

export interface AttentionArgs {
  heads: number;
  dim: number;
  dropout: number;
  causal: boolean;
  bias: boolean;
}

/**
 * The attention of `x` over itself or `e.memory`, parameters named `${prefix}in_proj_weight`, …
 * (the transformer layers pass `self_attn.` / `multihead_attn.`, PyTorch's names).
 */
export function attend(ctx: LayerContext, x: string, e: Extra, o: AttentionArgs, prefix: string): string {
  const { heads, dim } = o;
  if (dim % heads !== 0) ctx.fail(`heads ${heads} does not divide dim ${dim} (each head gets dim/heads features)`);
  const t = inputOfRank(ctx, x, 3, '[batch, T, dim]');
  const d = fixedDim(ctx, t, 2, 'feature dim');
  if (d !== dim) ctx.fail(`dim is ${dim} but the input ${formatType(t)} has ${d} features`);
  const kv = e.memory ?? x;
  const kvType = e.memory === undefined ? t : inputOfRank(ctx, e.memory, 3, 'memory [batch, S, dim]');
  if (e.memory !== undefined && fixedDim(ctx, kvType, 2, 'memory feature dim') !== dim) ctx.fail(`the memory ${formatType(kvType)} must have dim ${dim} features like the query ${formatType(t)}`);
  if (o.causal && e.memory !== undefined) ctx.fail('causal: true applies to self-attention; cross-attention to a memory has no shared time axis');

  const w = ctx.param(`${prefix}in_proj_weight`, [3 * dim, dim], { kind: 'glorot_uniform', args: { fan_in: dim, fan_out: 3 * dim } });
  const b = o.bias ? ctx.param(`${prefix}in_proj_bias`, [3 * dim], ZEROS) : null;
  // The stacked rows cut into the q, k and v weights with one Split each (its gradient is one Concat):
  // three [B, L, dim] projections, no activation wider than dim.
  const ws = split(ctx, w, 0, [dim, dim, dim]);
  const bs = b === null ? [null, null, null] : split(ctx, b, 0, [dim, dim, dim]);
  const [q, k, v] = [0, 1, 2].map((i) => linear(ctx, i === 0 ? x : kv, ws[i]!, bs[i]!)) as [string, string, string];
  const [scale] = ctx.op('ConstantOfShape', [], { shape: [], value: 1 / Math.sqrt(dim / heads) });
  const [qs] = ctx.op('Mul', [toHeads(ctx, q, heads), scale!]); // [B, H, T, hd], scaled before the product as PyTorch does
  let [scores] = ctx.op('MatMul', [qs!, toHeads(ctx, k, heads, true)]); // [B, H, T, hd] · [B, H, hd, S]
  const biases = [o.causal ? causalBias(ctx, x, t) : undefined, paddingBias(ctx, kv, kvType, e)].filter((m): m is string => m !== undefined);
  if (biases.length > 0) {
    // Both masks meet in a [B, 1, T, S] bias before the one Add on the scores.
    const bias = biases.length === 2 ? ctx.op('Add', [biases[0]!, biases[1]!])[0]! : biases[0]!;
    [scores] = ctx.op('Add', [scores!, bias]);
  }
  let [attn] = ctx.op('Softmax', [scores!], { axis: -1 });
  if (o.dropout > 0) [attn] = ctx.op('Dropout', [attn!], { ratio: o.dropout });
  const [mixed] = ctx.op('MatMul', [attn!, toHeads(ctx, v, heads)]); // [B, H, T, hd]
  const [back] = ctx.op('Transpose', [mixed!], { perm: [0, 2, 1, 3] });
  const [joined] = ctx.op('Reshape', [back!], { shape: [0, 0, dim] });
  const ow = ctx.param(`${prefix}out_proj.weight`, [dim, dim], { kind: 'torch_default', args: { fan_in: dim, fan_out: dim } });
  const ob = o.bias ? ctx.param(`${prefix}out_proj.bias`, [dim], ZEROS) : null;
  return linear(ctx, joined!, ow, ob);
}

export const multi_head_attention: LayerDef = {
  name: 'multi_head_attention',
  family: 'transformer',
  doc: 'Scaled dot-product attention over `heads` heads (PyTorch nn.MultiheadAttention, batch_first): `x` [batch, T, dim] attends to itself, or to a second f32 input `memory` [batch, S, dim] (cross-attention). An optional key-padding mask — bool [batch, S], true = ignore, or int lengths [batch] — and `causal: true` hide keys. Parameters in_proj_weight [3·dim, dim], in_proj_bias, out_proj.weight, out_proj.bias as PyTorch.',
  args: [
    { name: 'heads', type: 'int', min: 1, doc: 'Number of heads; must divide dim.' },
    { name: 'dim', type: 'int', min: 1, doc: 'Model width (embed_dim): the last dim of the input.' },
    { name: 'dropout', type: 'float', default: 0, min: 0, max: 0.999999, doc: 'Dropout on the attention weights while training.' },
    { name: 'causal', type: 'bool', default: false, doc: 'Hide later positions (self-attention only).' },
    { name: 'bias', type: 'bool', default: true, doc: 'Learned biases on the input and output projections.' },
  ],
  inputs: { min: 1, max: 3 },
  expand(ctx, [x, ...extra], args) {
    return [attend(ctx, x!, classify(ctx, extra), args as unknown as AttentionArgs, '')];
  },
  label: (a) => `attention ${a['heads']}×${(a['dim'] as number) / (a['heads'] as number)}${a['causal'] ? ', causal' : ''}`,
};

/**
 * Learned positions, GPT-style: x [batch, T, dim] + weight[0..T-1], the table an nn.Embedding(max_len,
 * dim) (N(0, 1)) looked up with positions read from x at run time.
 */
export const positional_embedding: LayerDef = {
  name: 'positional_embedding',
  family: 'embedding',
  doc: 'Adds a learned position vector to each step: x [batch, T, dim] + weight[0..T−1], weight [max_len, dim] initialized N(0, 1) like nn.Embedding. T may be symbolic; a fixed T > max_len is an error.',
  args: [
    { name: 'max_len', type: 'int', min: 1, doc: 'Longest sequence (table rows).' },
    { name: 'dim', type: 'int', min: 1, doc: 'Embedding size: the last dim of the input.' },
  ],
  expand(ctx, [x], args) {
    const [maxLen, dim] = [args['max_len'] as number, args['dim'] as number];
    const t = inputOfRank(ctx, x!, 3, '[batch, T, dim]');
    if (fixedDim(ctx, t, 2, 'feature dim') !== dim) ctx.fail(`dim is ${dim} but the input ${formatType(t)} has ${String(t.shape[2])} features`);
    const time = t.shape[1];
    if (typeof time === 'number' && time > maxLen) ctx.fail(`the input ${formatType(t)} has ${time} positions but max_len is ${maxLen}`);
    const table = ctx.param('weight', [maxLen, dim], { kind: 'normal', args: { mean: 0, std: 1 } });
    const [pos] = typeof time === 'number' ? ctx.op('Range', [], { start: 0, delta: 1, size: time, dtype: 'i64' }) : ctx.op('Range', [x!], { start: 0, delta: 1, size_from: 1, dtype: 'i64' });
    const [rowsOf] = ctx.op('Gather', [table, pos!], { axis: 0 }); // [T, dim]
    return ctx.op('Add', [x!, rowsOf!]);
  },
  label: (a) => `positions ${a['max_len']}×${a['dim']}`,
};

/**
 * Fixed sine/cosine positions ("Attention is all you need", §3.5): x [batch, T, dim] + pe[0..T-1].
 * The table is a buffer computed from its sizes (init `sinusoidal`), not a parameter: it is saved
 * and exported like batch-norm statistics but nothing trains it, as PyTorch code registers it.
 */
export const sinusoidal_positions: LayerDef = {
  name: 'sinusoidal_positions',
  family: 'embedding',
  doc: 'Adds the fixed sine/cosine position table of "Attention is all you need": x [batch, T, dim] + pe[0..T−1], pe[pos, 2i] = sin(pos / base^(2i/dim)), pe[pos, 2i+1] = cos(…). pe [max_len, dim] is a buffer (saved and exported, never trained). T may be symbolic; a fixed T > max_len is an error.',
  args: [
    { name: 'max_len', type: 'int', min: 1, doc: 'Longest sequence (table rows).' },
    { name: 'dim', type: 'int', min: 1, doc: 'Model width: the last dim of the input.' },
    { name: 'base', type: 'float', default: 10000, min: 1, doc: 'Wavelength base (10000 in the paper).' },
  ],
  expand(ctx, [x], args) {
    const [maxLen, dim, base] = [args['max_len'] as number, args['dim'] as number, args['base'] as number];
    const t = inputOfRank(ctx, x!, 3, '[batch, T, dim]');
    if (fixedDim(ctx, t, 2, 'feature dim') !== dim) ctx.fail(`dim is ${dim} but the input ${formatType(t)} has ${String(t.shape[2])} features`);
    const time = t.shape[1];
    if (typeof time === 'number' && time > maxLen) ctx.fail(`the input ${formatType(t)} has ${time} positions but max_len is ${maxLen}`);
    const table = ctx.param('pe', [maxLen, dim], { kind: 'sinusoidal', args: { base } }, { trainable: false, buffer: true });
    const [pos] = typeof time === 'number' ? ctx.op('Range', [], { start: 0, delta: 1, size: time, dtype: 'i64' }) : ctx.op('Range', [x!], { start: 0, delta: 1, size_from: 1, dtype: 'i64' });
    const [rowsOf] = ctx.op('Gather', [table, pos!], { axis: 0 }); // [T, dim]
    return ctx.op('Add', [x!, rowsOf!]);
  },
  label: (a) => `sinusoidal positions ${a['max_len']}×${a['dim']}`,
};

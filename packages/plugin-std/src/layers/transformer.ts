/**
 * Transformer encoder and decoder layers with the numbers and the parameter names, shapes and order
 * of PyTorch nn.TransformerEncoderLayer / nn.TransformerDecoderLayer(batch_first=True): layers
 * rather than .dlm blocks so a PyTorch state_dict maps name for name (self_attn.in_proj_weight,
 * linear1.weight, norm1.weight, …) and a summary shows one readable row per layer.
 */
import { formatType, type ArgSpec, type Args, type LayerContext, type LayerDef } from '@dlm/core';
import { attend, classify, type AttentionArgs, type Extra } from './attention.js';
import { fixedDim, inputOfRank, ONES, torchDefault, ZEROS } from './util.js';

const ARGS: readonly ArgSpec[] = [
  { name: 'heads', type: 'int', min: 1, doc: 'Attention heads; must divide dim.' },
  { name: 'dim', type: 'int', min: 1, doc: 'Model width (d_model): the last dim of the input.' },
  { name: 'ff', type: 'int', min: 1, default: 2048, doc: 'Width of the feed-forward block (dim_feedforward).' },
  { name: 'dropout', type: 'float', default: 0.1, min: 0, max: 0.999999, doc: 'Dropout after attention, inside and after the feed-forward block (training only).' },
  { name: 'norm_first', type: 'bool', default: false, doc: 'Pre-norm (LayerNorm before each block) instead of post-norm.' },
  { name: 'activation', type: 'enum', values: ['relu', 'gelu'], default: 'relu', doc: 'Activation of the feed-forward block.' },
  { name: 'causal', type: 'bool', default: false, doc: 'Causal mask on the self-attention.' },
];

function linear(ctx: LayerContext, x: string, name: string, inF: number, outF: number): string {
  const init = torchDefault(inF, outF);
  const w = ctx.param(`${name}.weight`, [outF, inF], init);
  const b = ctx.param(`${name}.bias`, [outF], init);
  const [wt] = ctx.op('Transpose', [w], { perm: [1, 0] });
  const [y] = ctx.op('MatMul', [x, wt!]);
  return ctx.op('Add', [y!, b])[0]!;
}

function norm(ctx: LayerContext, x: string, name: string, dim: number): string {
  const w = ctx.param(`${name}.weight`, [dim], ONES);
  const b = ctx.param(`${name}.bias`, [dim], ZEROS);
  return ctx.op('LayerNormalization', [x, w, b], { axis: -1, epsilon: 1e-5 })[0]!;
}

function drop(ctx: LayerContext, x: string, rate: number): string {
  return rate > 0 ? ctx.op('Dropout', [x], { ratio: rate })[0]! : x;
}

function feedForward(ctx: LayerContext, x: string, args: Args): string {
  const [dim, ff, rate] = [args['dim'] as number, args['ff'] as number, args['dropout'] as number];
  const [h] = ctx.op(args['activation'] === 'gelu' ? 'Gelu' : 'Relu', [linear(ctx, x, 'linear1', dim, ff)]);
  return drop(ctx, linear(ctx, drop(ctx, h!, rate), 'linear2', ff, dim), rate);
}

/** x + block(norm(x)) when norm_first, else norm(x + block(x)): PyTorch's two orders. */
function residual(ctx: LayerContext, x: string, args: Args, normName: string, block: (v: string) => string): string {
  const dim = args['dim'] as number;
  if (args['norm_first']) return ctx.op('Add', [x, block(norm(ctx, x, normName, dim))])[0]!;
  return norm(ctx, ctx.op('Add', [x, block(x)])[0]!, normName, dim);
}

function attentionArgs(args: Args, causal: boolean): AttentionArgs {
  return { heads: args['heads'] as number, dim: args['dim'] as number, dropout: args['dropout'] as number, causal, bias: true };
}

export const transformer_encoder_layer: LayerDef = {
  name: 'transformer_encoder_layer',
  family: 'transformer',
  doc: 'Self-attention then a feed-forward block, each with a residual and LayerNorm (PyTorch nn.TransformerEncoderLayer, batch_first): [batch, T, dim] → [batch, T, dim]. An optional second input is a key-padding mask (bool [batch, T], true = ignore) or lengths (int [batch]). Parameter names and layout as PyTorch.',
  args: ARGS,
  inputs: { min: 1, max: 2 },
  expand(ctx, [x, ...extra], args) {
    const e = classify(ctx, extra);
    if (e.memory !== undefined) ctx.fail('takes no memory: its second input is a key-padding mask (bool [batch, T]) or lengths (int [batch]); use transformer_decoder_layer to attend to a memory');
    const rate = args['dropout'] as number;
    let h = residual(ctx, x!, args, 'norm1', (v) => drop(ctx, attend(ctx, v, e, attentionArgs(args, args['causal'] as boolean), 'self_attn.'), rate));
    h = residual(ctx, h, args, 'norm2', (v) => feedForward(ctx, v, args));
    return [h];
  },
  label: (a) => `encoder layer ${a['heads']} heads, ff ${a['ff']}${a['norm_first'] ? ', pre-norm' : ''}`,
};

export const transformer_decoder_layer: LayerDef = {
  name: 'transformer_decoder_layer',
  family: 'transformer',
  doc: 'Self-attention (causal by default), cross-attention to a memory, then a feed-forward block, each with a residual and LayerNorm (PyTorch nn.TransformerDecoderLayer, batch_first): (x [batch, T, dim], memory [batch, S, dim], optional memory key-padding mask bool [batch, S] or lengths int [batch]) → [batch, T, dim]. Parameter names and layout as PyTorch.',
  args: ARGS.map((a) => (a.name === 'causal' ? { ...a, default: true } : a)),
  inputs: { min: 2, max: 3 },
  expand(ctx, [x, ...extra], args) {
    const e: Extra = classify(ctx, extra);
    if (e.memory === undefined) ctx.fail('needs a memory: transformer_decoder_layer(x, memory, …) with memory f32[batch, S, dim]');
    const rate = args['dropout'] as number;
    let h = residual(ctx, x!, args, 'norm1', (v) => drop(ctx, attend(ctx, v, {}, attentionArgs(args, args['causal'] as boolean), 'self_attn.'), rate));
    h = residual(ctx, h, args, 'norm2', (v) => drop(ctx, attend(ctx, v, e, attentionArgs(args, false), 'multihead_attn.'), rate));
    h = residual(ctx, h, args, 'norm3', (v) => feedForward(ctx, v, args));
    return [h];
  },
  label: (a) => `decoder layer ${a['heads']} heads, ff ${a['ff']}${a['norm_first'] ? ', pre-norm' : ''}`,
};

/**
 * A learned token put before the sequence (BERT's [CLS], the ViT class token): x [batch, T, dim] →
 * [batch, T+1, dim]; position 0 then reads the whole sequence through attention. The parameter
 * is torchvision VisionTransformer's `class_token` [1, 1, dim] (zeros), expanded to the batch.
 */
export const class_token: LayerDef = {
  name: 'class_token',
  family: 'embedding',
  doc: 'Prepends a learned vector to each sequence (the ViT / BERT class token): x [batch, T, dim] → [batch, T+1, dim]. Param class_token [1, 1, dim], zeros, as torchvision VisionTransformer; read it back with `h[:, 0]`.',
  args: [{ name: 'dim', type: 'int', min: 1, doc: 'Token width: the last dim of the input.' }],
  expand(ctx, [x], args) {
    const dim = args['dim'] as number;
    const t = inputOfRank(ctx, x!, 3, '[batch, T, dim]');
    if (fixedDim(ctx, t, 2, 'feature dim') !== dim) ctx.fail(`dim is ${dim} but the input ${formatType(t)} has ${String(t.shape[2])} features`);
    const token = ctx.param('class_token', [1, 1, dim], ZEROS);
    const [batched] = ctx.op('Expand', [token, x!], { shape: [0, 1, dim], shape_from: [0, -1, -1] });
    return ctx.op('Concat', [batched!, x!], { axis: 1 });
  },
  label: (a) => `class token ×${a['dim']}`,
};

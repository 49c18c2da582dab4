import type { Args, LayerContext, LayerDef } from '@dlm/core';
import { fixedDim, inputOfRank, perAxis, prod, times, torchDefault } from './util.js';

/**
 * 'same' padding computed statically, as TensorFlow's SAME and PyTorch's padding='same' do:
 * out = ceil(in / stride), total = max((out − 1)·stride + dilation·(k − 1) + 1 − in, 0), the
 * smaller half before and the larger after (ONNX allows the asymmetric pads this can need).
 * With stride 1 the total does not depend on the input size, so symbolic lengths work.
 */
export function samePads(ctx: LayerContext, inDims: readonly (number | string)[], k: number[], s: number[], d: number[]): number[] {
  const begin: number[] = [];
  const end: number[] = [];
  k.forEach((kk, i) => {
    const span = d[i]! * (kk - 1) + 1;
    let total: number;
    if (s[i] === 1) total = span - 1;
    else {
      const inp = inDims[i];
      if (typeof inp !== 'number') ctx.fail(`padding 'same' with stride ${s[i]} needs a fixed input size on spatial axis ${i}, got ${inp}`);
      const out = Math.ceil(inp / s[i]!);
      total = Math.max((out - 1) * s[i]! + span - inp, 0);
    }
    begin.push(Math.floor(total / 2));
    end.push(total - Math.floor(total / 2));
  });
  return [...begin, ...end];
}

/** `padding` argument → ONNX pads: 'valid', 'same', one int, one per axis, or [begins…, ends…]. */
export function resolvePads(ctx: LayerContext, padding: unknown, inDims: readonly (number | string)[], k: number[], s: number[], d: number[]): number[] {
  const n = k.length;
  if (padding === 'valid') return new Array<number>(2 * n).fill(0);
  if (padding === 'same') return samePads(ctx, inDims, k, s, d);
  const p = padding as number[];
  if (p.some((v) => v < 0)) ctx.fail(`padding must be ≥ 0, got [${p.join(', ')}]`);
  if (p.length === 1) return new Array<number>(2 * n).fill(p[0]!);
  if (p.length === n) return [...p, ...p];
  if (p.length === 2 * n) return p;
  return ctx.fail(`padding has ${p.length} values; give 1, ${n} (per axis) or ${2 * n} ([begin…, end…])`);
}

function convLayer(name: 'conv1d' | 'conv2d', n: 1 | 2): LayerDef {
  const layout = n === 1 ? '[batch, channels, length]' : '[batch, channels, height, width]';
  return {
    name,
    family: 'conv',
    doc: `${n}-D convolution like PyTorch nn.Conv${n}d on ${layout}: weight [filters, in/groups, ${n === 1 ? 'k' : 'kh, kw'}], bias [filters]. padding: valid, same (computed statically, possibly asymmetric), or explicit ints.`,
    args: [
      { name: 'filters', type: 'int', min: 1, doc: 'Number of output channels.' },
      { name: 'kernel', type: 'ints', min: 1, doc: `Kernel size: one int or ${n} ints.` },
      { name: 'stride', type: 'ints', default: [1], min: 1, doc: 'Stride: one int or one per axis.' },
      { name: 'padding', type: ['enum', 'ints'], values: ['valid', 'same'], default: 'valid', doc: "'valid' (none), 'same' (output = ceil(input/stride)), or ints: one, one per axis, or [begin…, end…]." },
      { name: 'dilation', type: 'ints', default: [1], min: 1, doc: 'Dilation: one int or one per axis.' },
      { name: 'groups', type: 'int', default: 1, min: 1, doc: 'Grouped convolution; in and out channels must be divisible by it.' },
      { name: 'bias', type: 'bool', default: true, doc: 'Whether to add a learned bias.' },
    ],
    expand(ctx, [x], args) {
      const t = inputOfRank(ctx, x!, n + 2, layout);
      const cin = fixedDim(ctx, t, 1, 'channel dim');
      const { filters, groups } = args as { filters: number; groups: number };
      if (cin % groups !== 0) ctx.fail(`input channels ${cin} are not divisible by groups ${groups}`);
      if (filters % groups !== 0) ctx.fail(`filters ${filters} are not divisible by groups ${groups}`);
      const k = perAxis(ctx, args, 'kernel', n);
      const s = perAxis(ctx, args, 'stride', n);
      const d = perAxis(ctx, args, 'dilation', n);
      const pads = resolvePads(ctx, args['padding'], t.shape.slice(2), k, s, d);
      const fanIn = (cin / groups) * prod(k);
      const init = torchDefault(fanIn, (filters / groups) * prod(k));
      const w = ctx.param('weight', [filters, cin / groups, ...k], init);
      const b = args['bias'] ? ctx.param('bias', [filters], init) : null;
      return ctx.op('Conv', [x!, w, b], { kernel_shape: k, strides: s, pads, dilations: d, group: groups });
    },
    label: (a: Args) => `${name} ${a['filters']}×${times(n === 2 && (a['kernel'] as number[]).length === 1 ? [...(a['kernel'] as number[]), ...(a['kernel'] as number[])] : (a['kernel'] as number[]))}`,
  };
}

export const conv1d = convLayer('conv1d', 1);
export const conv2d = convLayer('conv2d', 2);

import type { LayerDef } from '@dlm/core';
import { fixedDim, inputOfRank, perAxis, prod, times, torchDefault } from './util.js';

/**
 * Transposed 2-D convolution like PyTorch nn.ConvTranspose2d: weight [in, filters/groups, kh, kw].
 * Output size = (in − 1)·stride − 2·padding + dilation·(k − 1) + output_padding + 1. PyTorch's
 * init uses fan_in = weight.size(1)·kh·kw = (filters/groups)·kh·kw, and so do we.
 */
export const conv2d_transpose: LayerDef = {
  name: 'conv2d_transpose',
  family: 'conv',
  doc: 'Transposed 2-D convolution (PyTorch nn.ConvTranspose2d) on [batch, channels, height, width]: weight [in, filters/groups, kh, kw], bias [filters].',
  args: [
    { name: 'filters', type: 'int', min: 1, doc: 'Number of output channels.' },
    { name: 'kernel', type: 'ints', min: 1, doc: 'Kernel size: one int or 2 ints.' },
    { name: 'stride', type: 'ints', default: [1], min: 1, doc: 'Stride: one int or one per axis.' },
    { name: 'padding', type: 'ints', default: [0], min: 0, doc: 'Removed from each side of the output: one int or one per axis (PyTorch padding).' },
    { name: 'output_padding', type: 'ints', default: [0], min: 0, doc: 'Added to one side of the output to pick among sizes a stride makes ambiguous.' },
    { name: 'dilation', type: 'ints', default: [1], min: 1, doc: 'Dilation: one int or one per axis.' },
    { name: 'groups', type: 'int', default: 1, min: 1, doc: 'Grouped convolution.' },
    { name: 'bias', type: 'bool', default: true, doc: 'Whether to add a learned bias.' },
  ],
  expand(ctx, [x], args) {
    const t = inputOfRank(ctx, x!, 4, '[batch, channels, height, width]');
    const cin = fixedDim(ctx, t, 1, 'channel dim');
    const { filters, groups } = args as { filters: number; groups: number };
    if (cin % groups !== 0) ctx.fail(`input channels ${cin} are not divisible by groups ${groups}`);
    if (filters % groups !== 0) ctx.fail(`filters ${filters} are not divisible by groups ${groups}`);
    const k = perAxis(ctx, args, 'kernel', 2);
    const s = perAxis(ctx, args, 'stride', 2);
    const p = perAxis(ctx, args, 'padding', 2);
    const op = perAxis(ctx, args, 'output_padding', 2);
    const d = perAxis(ctx, args, 'dilation', 2);
    const init = torchDefault((filters / groups) * prod(k), (cin / groups) * prod(k));
    const w = ctx.param('weight', [cin, filters / groups, ...k], init);
    const b = args['bias'] ? ctx.param('bias', [filters], init) : null;
    return ctx.op('ConvTranspose', [x!, w, b], { kernel_shape: k, strides: s, pads: [...p, ...p], dilations: d, group: groups, output_padding: op });
  },
  label: (a) => {
    const k = a['kernel'] as number[];
    return `conv2d_transpose ${a['filters']}×${times(k.length === 1 ? [k[0]!, k[0]!] : k)}`;
  },
};

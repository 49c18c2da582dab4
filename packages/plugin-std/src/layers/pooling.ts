import type { ArgSpec, LayerDef } from '@dlm/core';
import { inputOfRank, perAxis, times } from './util.js';

const POOL_ARGS: readonly ArgSpec[] = [
  { name: 'kernel', type: 'ints', min: 1, doc: 'Window size: one int or one per spatial axis.' },
  { name: 'stride', type: 'ints', optional: true, min: 1, doc: 'Stride; defaults to the kernel size (PyTorch convention).' },
  { name: 'padding', type: 'ints', default: [0], min: 0, doc: 'Padding on both sides of each axis: one int or one per axis; at most half the kernel.' },
  { name: 'ceil_mode', type: 'bool', default: false, doc: 'Round the output size up instead of down.' },
];

function poolLayer(name: 'max_pool' | 'avg_pool', op: 'MaxPool' | 'AveragePool'): LayerDef {
  const what = op === 'MaxPool' ? 'Maximum' : 'Average';
  return {
    name,
    family: 'pooling',
    doc: `${what} pooling over the spatial axes of [batch, channels, length] or [batch, channels, height, width], like PyTorch nn.${op === 'MaxPool' ? 'MaxPool' : 'AvgPool'}{1,2}d (stride defaults to the kernel).${op === 'AveragePool' ? ' count_include_pad=true (the PyTorch default) divides by the full window, padding included.' : ''}`,
    args:
      op === 'AveragePool'
        ? [...POOL_ARGS, { name: 'count_include_pad', type: 'bool', default: true, doc: 'Count padded zeros in the divisor (PyTorch default true).' }]
        : POOL_ARGS,
    expand(ctx, [x], args) {
      const t = inputOfRank(ctx, x!, [3, 4], '[batch, channels, spatial…] with 1 or 2 spatial axes');
      const n = t.shape.length - 2;
      const k = perAxis(ctx, args, 'kernel', n);
      const s = args['stride'] === undefined ? k : perAxis(ctx, args, 'stride', n);
      const p = perAxis(ctx, args, 'padding', n);
      const attrs: Record<string, number | number[]> = { kernel_shape: k, strides: s, pads: [...p, ...p], ceil_mode: args['ceil_mode'] ? 1 : 0 };
      if (op === 'AveragePool') attrs['count_include_pad'] = args['count_include_pad'] ? 1 : 0;
      return ctx.op(op, [x!], attrs);
    },
    label: (a) => `${name} ${times(a['kernel'] as number[])}`,
  };
}

export const max_pool = poolLayer('max_pool', 'MaxPool');
export const avg_pool = poolLayer('avg_pool', 'AveragePool');

/**
 * Global average pooling with PyTorch `nn.AdaptiveAvgPool2d(1)` semantics: the spatial axes stay,
 * with size 1 ([N, C, H, W] → [N, C, 1, 1]); follow it with `flatten` to get [N, C].
 */
export const global_avg_pool: LayerDef = {
  name: 'global_avg_pool',
  family: 'pooling',
  doc: 'Mean over all spatial axes, keeping them as size 1: [batch, C, H, W] → [batch, C, 1, 1] (PyTorch AdaptiveAvgPool2d(1)). Follow with flatten for [batch, C].',
  args: [],
  expand(ctx, [x]) {
    inputOfRank(ctx, x!, [3, 4, 5], '[batch, channels, spatial…]');
    return ctx.op('GlobalAveragePool', [x!]);
  },
  label: () => 'global_avg_pool',
};

import type { LayerDef } from '@dlm/core';

/** Sum of two or more tensors with NumPy broadcasting (residual connections). */
export const add: LayerDef = {
  name: 'add',
  family: 'merge',
  doc: 'Elementwise sum of two or more inputs, with NumPy broadcasting (skip connections).',
  args: [],
  inputs: { min: 2, max: Infinity },
  expand(ctx, inputs) {
    let acc = inputs[0]!;
    for (const next of inputs.slice(1)) acc = ctx.op('Add', [acc, next])[0]!;
    return acc;
  },
  label: () => 'add',
};

/** Concatenation of two or more tensors along `axis` (channels by default, as in NCHW). */
export const concat: LayerDef = {
  name: 'concat',
  family: 'merge',
  doc: 'Joins two or more inputs along `axis` (default 1, the channel axis of NCHW); every other dim must agree.',
  args: [{ name: 'axis', type: 'int', default: 1, doc: 'Axis to join along; negative counts from the end.' }],
  inputs: { min: 2, max: Infinity },
  expand: (ctx, inputs, args) => ctx.op('Concat', inputs, { axis: args['axis'] as number }),
  label: (a) => `concat axis ${a['axis']}`,
};

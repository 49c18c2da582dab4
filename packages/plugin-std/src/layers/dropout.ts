import type { LayerDef } from '@dlm/core';

/** Inverted dropout (PyTorch nn.Dropout): active while training, removed for inference and export. */
export const dropout: LayerDef = {
  name: 'dropout',
  family: 'regularization',
  doc: 'Zeroes each element with probability `rate` while training and scales the rest by 1/(1 − rate); identity at inference.',
  args: [{ name: 'rate', type: 'float', default: 0.5, min: 0, max: 0.999999, doc: 'Drop probability, in [0, 1).' }],
  expand: (ctx, [x], args) => ctx.op('Dropout', [x!], { ratio: args['rate'] as number }),
  label: (a) => `dropout ${a['rate']}`,
};

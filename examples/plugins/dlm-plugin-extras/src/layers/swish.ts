/**
 * `swish`: x · sigmoid(β·x) with a learnable β (Ramachandran et al. 2017, "Searching for
 * activation functions"). β = 1 is SiLU; training moves it. One file holds the whole layer:
 * argument schema, shape rule, expansion into core ops and diagram label.
 */
import type { LayerDef } from '@dlm/core';

export const swish: LayerDef = {
  name: 'swish',
  family: 'activation',
  doc: 'Swish activation x·sigmoid(beta·x) with a learnable beta (per channel with per_channel: true). beta = 1 is SiLU.',
  args: [
    { name: 'beta', type: 'float', default: 1.0, doc: 'Initial value of beta.' },
    {
      name: 'per_channel',
      type: 'bool',
      default: false,
      positional: false,
      doc: 'One beta per channel (axis 1, NCHW / [batch, features]) instead of one for the whole tensor.',
    },
  ],
  expand(ctx, [x], args) {
    const t = ctx.typeOf(x!);
    let shape: number[] = [1];
    if (args['per_channel']) {
      if (t.shape.length < 2) ctx.fail(`per_channel needs an input of rank ≥ 2 ([batch, channels, …]), got rank ${t.shape.length}`);
      const c = t.shape[1];
      if (typeof c !== 'number') return ctx.fail(`per_channel needs a fixed channel count (axis 1), got ${String(c)}`);
      // [C, 1, …, 1]: broadcasts against [batch, C, spatial…] from the right.
      shape = [c, ...new Array<number>(t.shape.length - 2).fill(1)];
    }
    const beta = ctx.param('beta', shape, { kind: 'constant', args: { value: args['beta'] as number } });
    const [bx] = ctx.op('Mul', [x!, beta]);
    const [gate] = ctx.op('Sigmoid', [bx!]);
    return ctx.op('Mul', [x!, gate!]);
  },
  /** Elementwise: the output has the input's type. */
  shape: ([x]) => [x!],
  label: (a) => (a['per_channel'] ? 'swish β/channel' : 'swish β'),
};

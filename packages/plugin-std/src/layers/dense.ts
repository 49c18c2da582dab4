import type { LayerDef } from '@dlm/core';
import { fixedDim, torchDefault } from './util.js';

/**
 * A fully connected layer, PyTorch `nn.Linear`: y = x·Wᵀ + b with W [units, in]. On 2-D input it
 * is one Gemm (transB=1); on higher ranks it applies to the last axis (MatMul with Wᵀ, then Add),
 * as Linear does for [batch, time, features].
 */
export const dense: LayerDef = {
  name: 'dense',
  family: 'dense',
  doc: 'Fully connected layer on the last axis: (…, in) → (…, units). Weight [units, in] and bias [units], initialized like PyTorch nn.Linear.',
  args: [
    { name: 'units', type: 'int', min: 1, doc: 'Number of output features.' },
    { name: 'bias', type: 'bool', default: true, doc: 'Whether to add a learned bias.' },
  ],
  expand(ctx, [x], args) {
    const t = ctx.typeOf(x!);
    if (t.shape.length < 2) ctx.fail(`expects an input of rank ≥ 2 ([batch, …, features]), got rank ${t.shape.length}`);
    const units = args['units'] as number;
    const inF = fixedDim(ctx, t, -1, 'feature dim (last axis)');
    const init = torchDefault(inF, units);
    const w = ctx.param('weight', [units, inF], init);
    const b = args['bias'] ? ctx.param('bias', [units], init) : null;
    if (t.shape.length === 2) return ctx.op('Gemm', [x!, w, b], { transB: 1 });
    const [wt] = ctx.op('Transpose', [w], { perm: [1, 0] });
    const [y] = ctx.op('MatMul', [x!, wt!]);
    return b ? ctx.op('Add', [y!, b]) : [y!];
  },
  label: (a) => `dense ${a['units']}`,
};

/**
 * Reductions mean, sum, max over one or several axes (torch.mean/sum/amax with `dim` and
 * `keepdim`): without `axis` every axis is reduced. An axis out of range is reported by the op's
 * shape rule, naming the input's shape.
 */
import type { LayerDef } from '@dlm/core';

function reduction(name: string, op: string, what: string): LayerDef {
  return {
    name,
    family: 'pooling',
    doc: `${what} over \`axis\` (one axis or a list; negative counts from the end; default every axis). \`keepdims: true\` keeps each reduced axis with size 1.`,
    args: [
      { name: 'axis', type: 'ints', optional: true, doc: 'Axis or axes to reduce; default all.' },
      { name: 'keepdims', type: 'bool', default: false, doc: 'Keep the reduced axes as size 1 (PyTorch keepdim).' },
    ],
    expand: (ctx, [x], args) => ctx.op(op, [x!], { axes: (args['axis'] as number[] | undefined) ?? [], keepdims: args['keepdims'] ? 1 : 0 }),
    label: (a) => (a['axis'] === undefined ? `${name} all` : `${name} axis ${(a['axis'] as number[]).join(', ')}`),
  };
}

export const mean = reduction('mean', 'ReduceMean', 'Mean');
export const sum = reduction('sum', 'ReduceSum', 'Sum');
export const max = reduction('max', 'ReduceMax', 'Maximum');

/**
 * Reductions mean, sum, max over one or several axes (torch.mean/sum/amax with `dim` and
 * `keepdim`): without `axis` every axis is reduced. An axis out of range or listed twice is
 * reported in the layer's words (`sum: axis 5 …`, not the op's `ReduceSum: axes entry 5 …`),
 * naming the input's type.
 */
import { formatType, type LayerDef } from '@dlm/core';

function reduction(name: string, op: string, what: string): LayerDef {
  return {
    name,
    family: 'pooling',
    doc: `${what} over \`axis\` (one axis or a list; negative counts from the end; default every axis). \`keepdims: true\` keeps each reduced axis with size 1.`,
    args: [
      { name: 'axis', type: 'ints', optional: true, doc: 'Axis or axes to reduce; default all.' },
      { name: 'keepdims', type: 'bool', default: false, doc: 'Keep the reduced axes as size 1 (PyTorch keepdim).' },
    ],
    expand: (ctx, [x], args) => {
      const axes = (args['axis'] as number[] | undefined) ?? [];
      const t = ctx.typeOf(x!);
      if (!t.unknown) {
        const rank = t.shape.length;
        const seen = new Set<number>();
        for (const a of axes) {
          if (a < -rank || a >= rank) ctx.fail(`axis ${a} is out of range for ${formatType(t)} (rank ${rank}: allowed ${-rank}..${rank - 1})`);
          const k = a < 0 ? a + rank : a;
          if (seen.has(k)) ctx.fail(`axis [${axes.join(', ')}] lists axis ${k} twice`);
          seen.add(k);
        }
      }
      return ctx.op(op, [x!], { axes, keepdims: args['keepdims'] ? 1 : 0 });
    },
    label: (a) => (a['axis'] === undefined ? `${name} all` : `${name} axis ${(a['axis'] as number[]).join(', ')}`),
  };
}

export const mean = reduction('mean', 'ReduceMean', 'Mean');
export const sum = reduction('sum', 'ReduceSum', 'Sum');
export const max = reduction('max', 'ReduceMax', 'Maximum');

import { formatType, type LayerDef } from '@dlm/core';

/**
 * Token embedding, PyTorch nn.Embedding(vocab, dim): a [vocab, dim] table initialized N(0, 1),
 * looked up with Gather on integer ids: [batch, time] → [batch, time, dim].
 */
export const embedding: LayerDef = {
  name: 'embedding',
  family: 'embedding',
  doc: 'Looks up integer token ids in a learned [vocab, dim] table (PyTorch nn.Embedding, N(0,1) init): (…) → (…, dim).',
  args: [
    { name: 'vocab', type: 'int', min: 1, doc: 'Number of distinct ids (table rows).' },
    { name: 'dim', type: 'int', min: 1, doc: 'Embedding size.' },
  ],
  expand(ctx, [x], args) {
    const t = ctx.typeOf(x!);
    if (t.dtype !== 'i32' && t.dtype !== 'i64') ctx.fail(`expects integer token ids (i32 or i64), got ${formatType(t)}`);
    const table = ctx.param('weight', [args['vocab'] as number, args['dim'] as number], { kind: 'normal', args: { mean: 0, std: 1 } });
    return ctx.op('Gather', [table, x!], { axis: 0 });
  },
  label: (a) => `embedding ${a['vocab']}×${a['dim']}`,
};

import type { LayerDef } from '@dlm/core';
import { fixedDim, inputOfRank } from './util.js';

type Cell = { name: 'lstm' | 'gru' | 'simple_rnn'; op: 'LSTM' | 'GRU' | 'RNN'; gates: number; torch: string };

/**
 * Batch-first recurrent layers (PyTorch nn.LSTM / nn.GRU / nn.RNN with batch_first=True).
 * Parameters are stored in ONNX layout, W [dirs, G·hidden, in], R [dirs, G·hidden, hidden],
 * B [dirs, 2·G·hidden]; B holds both PyTorch biases (b_ih and b_hh), so the parameter count equals
 * PyTorch's. All are initialized U(−1/√hidden, 1/√hidden) as PyTorch does.
 * Output: the last hidden state [batch, dirs·hidden], or with return_sequences every step
 * [batch, seq, dirs·hidden] (directions concatenated on the last axis, PyTorch's order).
 */
function recurrentLayer(cell: Cell): LayerDef {
  return {
    name: cell.name,
    family: 'recurrent',
    doc: `${cell.torch} over [batch, seq, features] (batch-first). Returns the last hidden state [batch, dirs·hidden], or [batch, seq, dirs·hidden] with return_sequences. Parameter count equals PyTorch ${cell.torch}.`,
    args: [
      { name: 'hidden', type: 'int', min: 1, doc: 'Hidden units per direction.' },
      { name: 'return_sequences', type: 'bool', default: false, doc: 'Return the output of every step instead of the last hidden state.' },
      { name: 'bidirectional', type: 'bool', default: false, doc: 'Run a second pass backwards and concatenate.' },
    ],
    expand(ctx, [x], args) {
      const t = inputOfRank(ctx, x!, 3, '[batch, seq, features]');
      const inF = fixedDim(ctx, t, 2, 'feature dim');
      const h = args['hidden'] as number;
      const dirs = args['bidirectional'] ? 2 : 1;
      const g = cell.gates * h;
      const bound = 1 / Math.sqrt(h);
      const init = { kind: 'uniform' as const, args: { low: -bound, high: bound } };
      const w = ctx.param('W', [dirs, g, inF], init);
      const r = ctx.param('R', [dirs, g, h], init);
      const b = ctx.param('B', [dirs, 2 * g], init);
      const attrs = { hidden_size: h, direction: dirs === 2 ? 'bidirectional' : 'forward' };
      // Y [batch, seq, dirs, hidden], Y_h [batch, dirs, hidden]
      const [y, yh] = ctx.op(cell.op, [x!, w, r, b], attrs, { outputs: 2 });
      if (args['return_sequences']) return ctx.op('Reshape', [y!], { shape: [0, 0, -1] }); // [batch, seq, dirs·hidden]
      return ctx.op('Reshape', [yh!], { shape: [0, -1] }); // [batch, dirs·hidden]
    },
    label: (a) => `${cell.name} ${a['hidden']}${a['bidirectional'] ? ' ×2' : ''}`,
  };
}

export const lstm = recurrentLayer({ name: 'lstm', op: 'LSTM', gates: 4, torch: 'nn.LSTM' });
export const gru = recurrentLayer({ name: 'gru', op: 'GRU', gates: 3, torch: 'nn.GRU' });
export const simple_rnn = recurrentLayer({ name: 'simple_rnn', op: 'RNN', gates: 1, torch: 'nn.RNN (tanh)' });

/**
 * LSTM, GRU and RNN. dlm keeps ONNX's weight layout and gate order (LSTM i, o, f, c; GRU z, r, h)
 * so checkpoints transfer unchanged; PyTorch's nn.LSTM orders gates i, f, g, o and would need a
 * reordered copy. The module therefore calls a short helper that runs the recurrence on dlm's
 * layout with plain tensor ops (autograd gives backprop through time), batch-first like the IR.
 */
import type { Node } from '@dlm/core';
import { py } from '../emitter.js';
import { num, str, type TorchLoweringRule } from './types.js';

const DEFAULT_ACTIVATIONS: Record<string, string[]> = { LSTM: ['Sigmoid', 'Tanh', 'Tanh'], GRU: ['Sigmoid', 'Tanh'], RNN: ['Tanh'] };

function activations(node: Node): string[] {
  const a = node.attrs['activations'];
  return Array.isArray(a) && a.length > 0 ? a.map(String) : DEFAULT_ACTIVATIONS[node.op]!;
}

function recurrent(op: 'LSTM' | 'GRU' | 'RNN'): TorchLoweringRule {
  return {
    op,
    emits: `the module's _${op.toLowerCase()} helper (a loop over time steps)`,
    unsupported(node) {
      if (node.inputs[4]) return 'sequence_lens is not supported (sequences must have equal length)';
      if (op === 'LSTM' && node.inputs[7]) return 'peephole weights (P) are not supported';
      const clip = node.attrs['clip'];
      if (typeof clip === 'number' && clip > 0) return 'clip is not supported';
      if (op === 'LSTM' && node.attrs['input_forget']) return 'input_forget is not supported';
      const dir = str(node.attrs, 'direction', 'forward');
      if (!['forward', 'reverse', 'bidirectional'].includes(dir)) return `direction '${dir}' is not supported`;
      const acts = activations(node);
      if (op === 'RNN') {
        if (!acts.every((a) => ['Tanh', 'Relu', 'Sigmoid'].includes(a))) return `activations [${acts.join(', ')}] must be Tanh, Relu or Sigmoid`;
      } else {
        const want = DEFAULT_ACTIVATIONS[op]!;
        if (!acts.every((a, i) => a === want[i % want.length])) return `activations [${acts.join(', ')}] are not supported (only the defaults [${want.join(', ')}])`;
      }
      return undefined;
    },
    lower(ctx) {
      const node = ctx.node;
      const helper = ctx.helper(op === 'LSTM' ? 'lstm' : op === 'GRU' ? 'gru' : 'rnn');
      const opt = (i: number) => (ctx.has(i) ? ctx.input(i) : py.lit(null));
      const args = [ctx.input(0), ctx.input(1), ctx.input(2), opt(3), opt(5)];
      if (op === 'LSTM') args.push(opt(6));
      const kwargs: Record<string, ReturnType<typeof py.lit>> = { direction: py.lit(str(node.attrs, 'direction', 'forward')) };
      if (op === 'GRU' && num(node.attrs, 'linear_before_reset', 1) === 0) kwargs['linear_before_reset'] = py.lit(false);
      if (op === 'RNN') {
        const acts = activations(node).map((a) => a.toLowerCase());
        if (!acts.every((a) => a === 'tanh')) kwargs['activations'] = py.lit(acts);
      }
      ctx.assign(py.call(helper, args, kwargs), op === 'LSTM' ? 3 : 2);
    },
  };
}

export const lstm = recurrent('LSTM');
export const gru = recurrent('GRU');
export const rnn = recurrent('RNN');

import type { OpSchema } from '../op-schema.js';
import { inferRecurrent, RECURRENT_ATTRS, recurrentFlops } from './recurrent-common.js';

/**
 * Long short-term memory (ONNX LSTM-14, layout=1), gates in ONNX order i, o, f, c (PyTorch stores
 * i, f, g, o: importers must reorder). B holds Wb then Rb, which is why PyTorch's b_ih and b_hh
 * map onto it directly. Peepholes (P) are not supported.
 * Pointwise FLOPs per hidden unit and step: 4 gate activations + c = f·c + i·g (3) + o·tanh(c) (2) = 9.
 */
export const LSTM: OpSchema = {
  name: 'LSTM',
  doc: 'LSTM over a batch-first sequence: X [batch, seq, input] → Y [batch, seq, dirs, hidden], Y_h and Y_c [batch, dirs, hidden].',
  category: 'recurrent',
  inputs: [
    { name: 'X' },
    { name: 'W', doc: '[dirs, 4·hidden, input]' },
    { name: 'R', doc: '[dirs, 4·hidden, hidden]' },
    { name: 'B', optional: true, doc: '[dirs, 8·hidden]' },
    { name: 'sequence_lens', optional: true },
    { name: 'initial_h', optional: true },
    { name: 'initial_c', optional: true },
  ],
  outputs: [{ name: 'Y' }, { name: 'Y_h', optional: true }, { name: 'Y_c', optional: true }],
  attrs: { ...RECURRENT_ATTRS },
  integerInputs: [4],
  infer: (inputs, attrs, ctx) => inferRecurrent(inputs, attrs, ctx, 4, 2),
  flops: (inputs, _o, attrs) => recurrentFlops(inputs, attrs, 4, 9),
};

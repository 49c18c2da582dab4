import type { OpSchema } from '../op-schema.js';
import { int } from './common.js';
import { ShapeError } from '../op-schema.js';
import { inferRecurrent, RECURRENT_ATTRS, recurrentFlops } from './recurrent-common.js';

/**
 * Gated recurrent unit (ONNX GRU-14, layout=1), gates z, r, h. linear_before_reset=1 applies the
 * reset gate after the recurrent matmul, which is what PyTorch's nn.GRU computes.
 * Pointwise FLOPs per hidden unit and step: 3 gate activations + r·(…) (1) + h = (1−z)·n + z·h (3) = 7.
 */
export const GRU: OpSchema = {
  name: 'GRU',
  doc: 'GRU over a batch-first sequence: X [batch, seq, input] → Y [batch, seq, dirs, hidden], Y_h [batch, dirs, hidden].',
  category: 'recurrent',
  inputs: [
    { name: 'X' },
    { name: 'W', doc: '[dirs, 3·hidden, input]' },
    { name: 'R', doc: '[dirs, 3·hidden, hidden]' },
    { name: 'B', optional: true, doc: '[dirs, 6·hidden]' },
    { name: 'sequence_lens', optional: true },
    { name: 'initial_h', optional: true },
  ],
  outputs: [{ name: 'Y' }, { name: 'Y_h', optional: true }],
  attrs: {
    ...RECURRENT_ATTRS,
    linear_before_reset: { kind: 'int', default: 1, doc: '1 (PyTorch GRU): apply the reset gate after the recurrent matmul.' },
  },
  integerInputs: [4],
  infer: (inputs, attrs, ctx) => {
    const lbr = int(attrs, 'linear_before_reset');
    if (lbr !== 0 && lbr !== 1) throw new ShapeError(`linear_before_reset must be 0 or 1, got ${lbr}`);
    return inferRecurrent(inputs, attrs, ctx, 3, 1);
  },
  flops: (inputs, _o, attrs) => recurrentFlops(inputs, attrs, 3, 7),
};

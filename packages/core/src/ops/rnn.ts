import type { OpSchema } from '../op-schema.js';
import { ShapeError } from '../op-schema.js';
import { inferRecurrent, numDirections, RECURRENT_ATTRS, recurrentFlops } from './recurrent-common.js';

/**
 * Elman RNN (ONNX RNN-14, layout=1): h = act(W·x + R·h + Wb + Rb). `activations` lists one
 * function, or one per direction; a single entry applies to both directions (exporters repeat it).
 * Pointwise FLOPs per hidden unit and step: 1 (the activation).
 */
export const RNN: OpSchema = {
  name: 'RNN',
  doc: 'Simple RNN over a batch-first sequence: X [batch, seq, input] → Y [batch, seq, dirs, hidden], Y_h [batch, dirs, hidden].',
  category: 'recurrent',
  inputs: [
    { name: 'X' },
    { name: 'W', doc: '[dirs, hidden, input]' },
    { name: 'R', doc: '[dirs, hidden, hidden]' },
    { name: 'B', optional: true, doc: '[dirs, 2·hidden]' },
    { name: 'sequence_lens', optional: true },
    { name: 'initial_h', optional: true },
  ],
  outputs: [{ name: 'Y' }, { name: 'Y_h', optional: true }],
  attrs: {
    ...RECURRENT_ATTRS,
    activations: { kind: 'strings', values: ['Tanh', 'Relu', 'Sigmoid'], default: ['Tanh'], doc: "Activation per direction: 'Tanh' (PyTorch default), 'Relu' or 'Sigmoid'." },
  },
  integerInputs: [4],
  infer: (inputs, attrs, ctx) => {
    const acts = attrs['activations'];
    // Which names are allowed is the schema's `values` (checked before this rule runs); how many is this rule's.
    if (!Array.isArray(acts) || acts.length < 1 || acts.length > numDirections(attrs)) {
      throw new ShapeError(`activations must list 1${numDirections(attrs) === 2 ? ' or 2' : ''} function(s), got ${JSON.stringify(acts)}`);
    }
    return inferRecurrent(inputs, attrs, ctx, 1, 1);
  },
  flops: (inputs, _o, attrs) => recurrentFlops(inputs, attrs, 1, 1),
};

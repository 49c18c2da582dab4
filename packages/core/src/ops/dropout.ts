import { float, need, requireFloat } from './common.js';
import { ShapeError, type OpSchema } from '../op-schema.js';

/**
 * Inverted dropout (ONNX Dropout-13 with training_mode): zeroes each element with probability
 * `ratio` and scales the rest by 1/(1−ratio). Training only: inference and export drop the node
 * (output = input), which is why it counts no FLOPs.
 */
export const Dropout: OpSchema = {
  name: 'Dropout',
  doc: 'Randomly zeroes elements with probability `ratio` while training; identity at inference.',
  category: 'regularization',
  inputs: [{ name: 'data' }],
  outputs: [{ name: 'output' }],
  attrs: { ratio: { kind: 'float', default: 0.5, doc: 'Probability of zeroing an element, in [0, 1).' } },
  trainingOnly: true,
  infer: (inputs, a) => {
    const x = need(inputs, 0, 'data');
    requireFloat(x, 'data');
    const r = float(a, 'ratio');
    if (!(r >= 0 && r < 1)) throw new ShapeError(`ratio must be in [0, 1), got ${r}`);
    return [{ dtype: x.dtype, shape: [...x.shape] }];
  },
  flops: () => 0,
};

import { unaryFloatOp } from './common.js';

/** Y = x if x ≥ 0 else alpha·x (ONNX LeakyRelu-16). */
export const LeakyRelu = unaryFloatOp(
  'activation', 'LeakyRelu',
  'Leaky rectified linear unit: x for x ≥ 0, alpha·x otherwise.',
  { alpha: { kind: 'float', default: 0.01, doc: 'Slope for negative inputs.' } },
  1,
);

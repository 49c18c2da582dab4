import { unaryFloatOp } from './common.js';

/** Y = x if x > 0 else alpha·(exp(x) − 1) (ONNX Elu-6). */
export const Elu = unaryFloatOp(
  'activation', 'Elu',
  'Exponential linear unit: x for x > 0, alpha·(exp(x) − 1) otherwise.',
  { alpha: { kind: 'float', default: 1.0, doc: 'Scale of the negative part.' } },
  1,
);

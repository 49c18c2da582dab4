import { unaryFloatOp } from './common.js';

/** Y = ln(X), elementwise (ONNX Log-13). */
export const Log = unaryFloatOp('elementwise', 'Log', 'Natural logarithm, elementwise (−inf at 0, NaN below).', {}, 1);

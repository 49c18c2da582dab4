import { unaryFloatOp } from './common.js';

/** Y = exp(X), elementwise (ONNX Exp-13). */
export const Exp = unaryFloatOp('elementwise', 'Exp', 'Natural exponential, elementwise.', {}, 1);

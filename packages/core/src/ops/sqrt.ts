import { unaryFloatOp } from './common.js';

/** Y = sqrt(X), elementwise (ONNX Sqrt-13). */
export const Sqrt = unaryFloatOp('elementwise', 'Sqrt', 'Square root, elementwise (NaN for negative inputs).', {}, 1);

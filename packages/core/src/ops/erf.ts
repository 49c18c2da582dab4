import { unaryFloatOp } from './common.js';

/** Y = erf(X), elementwise (ONNX Erf-13); GELU is built on it. */
export const Erf = unaryFloatOp('elementwise', 'Erf', 'Gauss error function, elementwise.', {}, 1);

import { unaryFloatOp } from './common.js';

/** Y = tanh(x) (ONNX Tanh-13). */
export const Tanh = unaryFloatOp('activation', 'Tanh', 'Hyperbolic tangent, elementwise.', {}, 1);

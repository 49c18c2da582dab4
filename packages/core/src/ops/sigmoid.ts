import { unaryFloatOp } from './common.js';

/** Y = 1 / (1 + exp(−x)) (ONNX Sigmoid-13). */
export const Sigmoid = unaryFloatOp('activation', 'Sigmoid', 'Logistic sigmoid 1/(1+exp(−x)), elementwise.', {}, 1);

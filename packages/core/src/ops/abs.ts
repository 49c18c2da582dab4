import { unaryFloatOp } from './common.js';

/** Y = |X|, elementwise (ONNX Abs-13). */
export const Abs = unaryFloatOp('elementwise', 'Abs', 'Absolute value, elementwise.', {}, 1);

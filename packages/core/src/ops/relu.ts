import { unaryFloatOp } from './common.js';

/** Y = max(0, X), elementwise (ONNX Relu-14). */
export const Relu = unaryFloatOp('activation', 'Relu', 'Rectified linear unit: max(0, x) elementwise.', {}, 1);

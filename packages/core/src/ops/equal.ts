import { comparisonOp } from './common.js';

/** C = (A == B) elementwise as bool, with NumPy broadcasting (ONNX Equal-13). */
export const Equal = comparisonOp('Equal', 'A == B elementwise (bool result), with NumPy broadcasting.');

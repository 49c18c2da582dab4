import { comparisonOp } from './common.js';

/** C = (A < B) elementwise as bool, with NumPy broadcasting (ONNX Less-13). */
export const Less = comparisonOp('Less', 'A < B elementwise (bool result), with NumPy broadcasting.');

import { comparisonOp } from './common.js';

/** C = (A <= B) elementwise as bool, with NumPy broadcasting (ONNX LessOrEqual-16). */
export const LessOrEqual = comparisonOp('LessOrEqual', 'A <= B elementwise (bool result), with NumPy broadcasting.');

import { comparisonOp } from './common.js';

/** C = (A >= B) elementwise as bool, with NumPy broadcasting (ONNX GreaterOrEqual-16). */
export const GreaterOrEqual = comparisonOp('GreaterOrEqual', 'A >= B elementwise (bool result), with NumPy broadcasting.');

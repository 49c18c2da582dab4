import { comparisonOp } from './common.js';

/** C = (A > B) elementwise as bool, with NumPy broadcasting (ONNX Greater-13). */
export const Greater = comparisonOp('Greater', 'A > B elementwise (bool result), with NumPy broadcasting.');

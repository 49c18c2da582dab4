import { broadcastBinaryOp } from './common.js';

/** C = A + B elementwise with NumPy broadcasting (ONNX Add-14). */
export const Add = broadcastBinaryOp('Add', 'Elementwise A + B with NumPy-style broadcasting.');

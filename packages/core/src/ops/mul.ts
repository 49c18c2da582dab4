import { broadcastBinaryOp } from './common.js';

/** C = A · B elementwise with NumPy broadcasting (ONNX Mul-14). */
export const Mul = broadcastBinaryOp('Mul', 'Elementwise A · B with NumPy-style broadcasting.');

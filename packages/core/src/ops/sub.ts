import { broadcastBinaryOp } from './common.js';

/** C = A − B elementwise with NumPy broadcasting (ONNX Sub-14). */
export const Sub = broadcastBinaryOp('Sub', 'Elementwise A − B with NumPy-style broadcasting.');

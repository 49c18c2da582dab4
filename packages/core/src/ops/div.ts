import { broadcastBinaryOp } from './common.js';

/** C = A / B elementwise with NumPy broadcasting (ONNX Div-14). */
export const Div = broadcastBinaryOp('Div', 'Elementwise A / B with NumPy-style broadcasting.');

/** NumPy-broadcasting binary ops: same names and semantics in ONNX. */
import { direct } from './types.js';

export const add = direct('Add', 13);
export const sub = direct('Sub', 13);
export const mul = direct('Mul', 13);
export const div = direct('Div', 13);

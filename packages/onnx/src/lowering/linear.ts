/** MatMul and Gemm map one to one (dense layers choose between them when they expand). */
import { direct } from './types.js';

export const matMul = direct('MatMul', 13);
export const gemm = direct('Gemm', 13, { alpha: 'float', beta: 'float', transA: 'int', transB: 'int' });

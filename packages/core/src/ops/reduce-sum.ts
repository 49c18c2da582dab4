import { reduceOp } from './common.js';

/** Sum over `axes` ([] = all), keeping them as size 1 when `keepdims` (ONNX ReduceSum-13; the axes are an attribute here at every opset). */
export const ReduceSum = reduceOp('ReduceSum', 'Sum over `axes`.');

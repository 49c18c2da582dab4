import { reduceOp } from './common.js';

/** Maximum over `axes` ([] = all), keeping them as size 1 when `keepdims` (ONNX ReduceMax-13; the axes are an attribute here at every opset). */
export const ReduceMax = reduceOp('ReduceMax', 'Maximum over `axes`.');

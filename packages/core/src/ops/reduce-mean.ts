import { reduceOp } from './common.js';

/** Mean over `axes` ([] = all), keeping them as size 1 when `keepdims` (ONNX ReduceMean-13; the axes are an attribute here at every opset). */
export const ReduceMean = reduceOp('ReduceMean', 'Mean over `axes`.');

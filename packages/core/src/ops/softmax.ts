import { normAxis, unaryFloatOp } from './common.js';

/**
 * Softmax along one axis (ONNX Softmax-13 semantics: a single axis, not the flattened trailing
 * dims of opset < 13). 3 FLOPs per element: exp, sum, divide.
 */
export const Softmax = unaryFloatOp(
  'activation', 'Softmax',
  'exp(x) / sum(exp(x)) along `axis`.',
  { axis: { kind: 'int', default: -1, doc: 'Axis to normalize over; negative counts from the end.' } },
  3,
  (a, x) => void normAxis(a['axis'] as number, x.shape.length, x),
);

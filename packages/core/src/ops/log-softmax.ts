import { normAxis, unaryFloatOp } from './common.js';

/** log(softmax(x)) along one axis (ONNX LogSoftmax-13). Pairs with the nll loss. */
export const LogSoftmax = unaryFloatOp(
  'activation', 'LogSoftmax',
  'x − log(sum(exp(x))) along `axis`.',
  { axis: { kind: 'int', default: -1, doc: 'Axis to normalize over; negative counts from the end.' } },
  3,
  (a, x) => void normAxis(a['axis'] as number, x.shape.length, x),
);

import type { DType } from '../ir.js';
import type { OpSchema } from '../op-schema.js';
import { DTYPE_NAMES, need } from './common.js';

/**
 * Converts the element type (ONNX Cast-13): float → integer truncates toward zero, anything →
 * bool is "≠ 0", bool → number is 0/1. `to` names a dlm dtype (the ONNX lowering maps it to the
 * TensorProto enum).
 */
export const Cast: OpSchema = {
  name: 'Cast',
  doc: 'Converts the elements to dtype `to` (f32, i32, i64, bool).',
  category: 'elementwise',
  inputs: [{ name: 'input' }],
  outputs: [{ name: 'output' }],
  attrs: { to: { kind: 'string', values: DTYPE_NAMES, doc: "Target dtype: 'f32', 'i32', 'i64' or 'bool'." } },
  integerInputs: [0],
  infer: (inputs, attrs) => {
    const x = need(inputs, 0, 'input');
    return [{ dtype: attrs['to'] as DType, shape: [...x.shape] }];
  },
  flops: () => 0,
};

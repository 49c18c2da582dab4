import type { DType } from '../ir.js';
import type { OpSchema } from '../op-schema.js';
import { DTYPE_NAMES, float, SHAPE_FROM_ATTRS, shapeFrom } from './common.js';

/**
 * A tensor filled with `value` (ONNX ConstantOfShape-9). ONNX takes the shape as a tensor input;
 * here it is the attribute pair `shape`/`shape_from`, whose entries may be dims of input `like`
 * read at run time (a causal mask of [time, time]). The export writes Shape → Concat → Gather
 * → ConstantOfShape, so no symbolic size is ever baked in.
 */
export const ConstantOfShape: OpSchema = {
  name: 'ConstantOfShape',
  doc: 'A tensor of `shape` filled with `value`, of dtype `dtype`; sizes may come from input `like` at run time.',
  category: 'shape',
  inputs: [{ name: 'like', optional: true, doc: 'A tensor whose run-time dims `shape_from` reads.' }],
  outputs: [{ name: 'output' }],
  attrs: {
    ...SHAPE_FROM_ATTRS,
    value: { kind: 'float', default: 0, doc: 'The fill value.' },
    dtype: { kind: 'string', values: DTYPE_NAMES, default: 'f32', doc: "Element type: 'f32', 'i32', 'i64' or 'bool'." },
  },
  integerInputs: [0],
  infer: (inputs, attrs) => {
    float(attrs, 'value');
    return [{ dtype: attrs['dtype'] as DType, shape: shapeFrom(attrs, inputs[0]) }];
  },
  flops: () => 0,
};

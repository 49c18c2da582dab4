import { formatShape, formatType } from '../dims.js';
import { ShapeError, type OpSchema } from '../op-schema.js';
import { broadcast, need, SHAPE_FROM_ATTRS, shapeFrom } from './common.js';

/**
 * Broadcasts `input` to a shape (ONNX Expand-13): the output is broadcast(input.shape, shape), so
 * a 1 in the target keeps the input's dim. The target is an attribute whose entries may be read
 * at run time from the optional input `like` (see `shape_from`); the ONNX export builds the shape
 * tensor with Shape → Concat → Gather.
 */
export const Expand: OpSchema = {
  name: 'Expand',
  doc: 'Broadcasts the input to `shape` (NumPy rules; 1 keeps the input dim); sizes may come from input `like` at run time.',
  category: 'shape',
  inputs: [{ name: 'input' }, { name: 'like', optional: true, doc: 'A tensor whose run-time dims `shape_from` reads.' }],
  outputs: [{ name: 'output' }],
  attrs: SHAPE_FROM_ATTRS,
  integerInputs: [0, 1],
  infer: (inputs, attrs) => {
    const x = need(inputs, 0, 'input');
    const target = shapeFrom(attrs, inputs[1]);
    try {
      return [{ dtype: x.dtype, shape: broadcast(x.shape, target) }];
    } catch (e) {
      if (!(e instanceof ShapeError)) throw e;
      throw new ShapeError(`cannot expand ${formatType(x)} to ${formatShape(target)}: ${e.message}`);
    }
  },
  flops: () => 0,
};

import { formatDim, formatType } from '../dims.js';
import { ShapeError, type OpSchema } from '../op-schema.js';
import { ints, need, normAxes } from './common.js';

/**
 * Removes axes of size 1 (ONNX Squeeze-13; `axes` is an attribute here, an int64 input in the
 * export). An empty `axes` removes every axis of size 1 and is refused when a dim is symbolic (it
 * could be 1 at run time); a named axis must be exactly 1 (a symbolic dim is not).
 */
export const Squeeze: OpSchema = {
  name: 'Squeeze',
  doc: 'Removes the size-1 axes `axes` ([] = every axis of size 1).',
  category: 'shape',
  inputs: [{ name: 'data' }],
  outputs: [{ name: 'squeezed' }],
  attrs: { axes: { kind: 'ints', default: [], doc: 'Axes to remove; negative counts from the end.' } },
  integerInputs: [0],
  infer: (inputs, attrs) => {
    const x = need(inputs, 0, 'data');
    const given = ints(attrs, 'axes');
    // ONNX squeezes every axis that is 1 at run time; a symbolic dim might be, so name the axes.
    if (given.length === 0 && x.shape.some((d) => typeof d === 'string')) {
      throw new ShapeError(`axes must be given for ${formatType(x)}: its symbolic dims might be 1 at run time`);
    }
    const axes = given.length === 0 ? x.shape.flatMap((d, i) => (d === 1 ? [i] : [])) : normAxes(given, x.shape.length, x);
    for (const a of axes) {
      if (x.shape[a] !== 1) throw new ShapeError(`axis ${a} of ${formatType(x)} has size ${formatDim(x.shape[a]!)}, not 1, so it cannot be squeezed`);
    }
    return [{ dtype: x.dtype, shape: x.shape.filter((_, i) => !axes.includes(i)) }];
  },
  flops: () => 0,
};

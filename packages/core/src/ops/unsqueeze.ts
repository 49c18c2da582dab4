import { formatType } from '../dims.js';
import { ShapeError, type OpSchema } from '../op-schema.js';
import { ints, need } from './common.js';

/**
 * Inserts axes of size 1 (ONNX Unsqueeze-13; `axes` is an attribute here, an int64 input in the
 * export). Axes are positions in the output, negative counting from its end.
 */
export const Unsqueeze: OpSchema = {
  name: 'Unsqueeze',
  doc: 'Inserts size-1 axes at `axes` (positions in the output).',
  category: 'shape',
  inputs: [{ name: 'data' }],
  outputs: [{ name: 'expanded' }],
  attrs: { axes: { kind: 'ints', doc: 'Output positions of the new axes; negative counts from the end.' } },
  integerInputs: [0],
  infer: (inputs, attrs) => {
    const x = need(inputs, 0, 'data');
    const r = x.shape.length + ints(attrs, 'axes').length;
    const given = ints(attrs, 'axes');
    const bad = given.find((a) => a < -r || a >= r);
    if (bad !== undefined) throw new ShapeError(`axis ${bad} is out of range: inserting ${given.length} axis(es) into ${formatType(x)} gives rank ${r} (allowed ${-r}..${r - 1})`);
    const axes = given.map((a) => (a < 0 ? a + r : a));
    if (new Set(axes).size !== axes.length) throw new ShapeError(`axes [${given.join(', ')}] name one position twice`);
    const rest = [...x.shape];
    return [{ dtype: x.dtype, shape: Array.from({ length: r }, (_, i) => (axes.includes(i) ? 1 : rest.shift()!)) }];
  },
  flops: () => 0,
};

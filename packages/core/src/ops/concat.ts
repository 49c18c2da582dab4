import { formatShape } from '../dims.js';
import { ShapeError, type OpSchema } from '../op-schema.js';
import { dimSum, int, normAxis } from './common.js';

/**
 * Concatenation along one axis (ONNX Concat-13). All inputs have the same rank and dtype and
 * agree on every other dim; the axis dim is the sum (an expression symbol if any is symbolic).
 */
export const Concat: OpSchema = {
  name: 'Concat',
  doc: 'Joins tensors along `axis`; every other dim must agree.',
  category: 'shape',
  inputs: [{ name: 'inputs', variadic: true }],
  outputs: [{ name: 'concat_result' }],
  attrs: { axis: { kind: 'int', doc: 'Axis to join along; negative counts from the end.' } },
  infer: (inputs, attrs, ctx) => {
    const ts = inputs.filter((t) => t !== undefined);
    if (ts.length === 0) throw new ShapeError('needs at least one input');
    const first = ts[0]!;
    const r = first.shape.length;
    const axis = normAxis(int(attrs, 'axis'), r, first);
    const shapes = ts.map((t) => formatShape(t.shape)).join(', ');
    ts.forEach((t, i) => {
      if (t.dtype !== first.dtype) throw new ShapeError(`input ${i + 1} has dtype ${t.dtype} but input 1 has ${first.dtype}`);
      if (t.shape.length !== r) throw new ShapeError(`all inputs must have the same rank; got ${shapes}`);
    });
    const out = first.shape.map((d, j) => {
      if (j === axis) return dimSum(ts.map((t) => t.shape[j]!));
      for (const t of ts.slice(1)) ctx.unify(t.shape[j]!, d, () => `concatenating ${shapes} along axis ${axis}: dim ${j}`);
      return d;
    });
    return [{ dtype: first.dtype, shape: out }];
  },
  flops: () => 0,
};

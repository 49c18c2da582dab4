import { formatType, numelPerSample } from '../dims.js';
import { ShapeError, type OpSchema } from '../op-schema.js';
import { broadcast, need, requireSameDType } from './common.js';

/** output = condition ? X : Y elementwise, the three broadcast together (ONNX Where-16). */
export const Where: OpSchema = {
  name: 'Where',
  doc: 'Picks X where condition is true and Y elsewhere; the three inputs broadcast together.',
  category: 'elementwise',
  inputs: [{ name: 'condition', doc: 'bool' }, { name: 'X' }, { name: 'Y' }],
  outputs: [{ name: 'output' }],
  attrs: {},
  integerInputs: [1, 2],
  infer: (inputs) => {
    const c = need(inputs, 0, 'condition');
    const x = need(inputs, 1, 'X');
    const y = need(inputs, 2, 'Y');
    if (c.dtype !== 'bool') throw new ShapeError(`condition must be bool, got ${formatType(c)} (compare with equal/less/… or cast(to: bool))`);
    requireSameDType(x, y, 'X', 'Y');
    let shape;
    try {
      shape = broadcast(broadcast(c.shape, x.shape), y.shape);
    } catch (e) {
      if (!(e instanceof ShapeError)) throw e;
      throw new ShapeError(`condition ${formatType(c)}, X ${formatType(x)} and Y ${formatType(y)} do not broadcast together (${e.message})`);
    }
    return [{ dtype: x.dtype, shape }];
  },
  flops: (_in, [o]) => numelPerSample(o!.shape),
};

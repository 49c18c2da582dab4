import { formatShape } from '../dims.js';
import { ShapeError, type OpSchema } from '../op-schema.js';
import { ints, need } from './common.js';

/** Permutes axes (ONNX Transpose-13): output dim i is input dim perm[i]; empty perm reverses. */
export const Transpose: OpSchema = {
  name: 'Transpose',
  doc: 'Permutes the axes: output dim i = input dim perm[i]. An empty perm reverses the axes.',
  category: 'shape',
  inputs: [{ name: 'data' }],
  outputs: [{ name: 'transposed' }],
  attrs: { perm: { kind: 'ints', default: [], doc: 'A permutation of 0..rank−1 ([] = reverse).' } },
  infer: (inputs, attrs) => {
    const x = need(inputs, 0, 'data');
    const r = x.shape.length;
    const given = ints(attrs, 'perm');
    const perm = given.length === 0 ? x.shape.map((_, i) => r - 1 - i) : given;
    const sorted = [...perm].sort((a, b) => a - b);
    if (perm.length !== r || sorted.some((v, i) => v !== i)) {
      throw new ShapeError(`perm [${perm.join(', ')}] is not a permutation of the ${r} axes of ${formatShape(x.shape)}`);
    }
    return [{ dtype: x.dtype, shape: perm.map((p) => x.shape[p]!) }];
  },
  flops: () => 0,
};

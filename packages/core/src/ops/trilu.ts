import type { OpSchema } from '../op-schema.js';
import { int, need, requireRank } from './common.js';

/**
 * Keeps the lower (upper = 0) or upper triangle of the last two axes and zeroes the rest (ONNX
 * Trilu-14, with `k` as an attribute instead of an input). Lower keeps j − i ≤ k, upper keeps
 * j − i ≥ k. ONNX has no Trilu before opset 14, so exporting at 13 is a feasibility error.
 */
export const Trilu: OpSchema = {
  name: 'Trilu',
  doc: 'Keeps the lower (or upper) triangle of the last two axes, zeroing the rest; k shifts the diagonal.',
  category: 'shape',
  inputs: [{ name: 'input' }],
  outputs: [{ name: 'output' }],
  attrs: {
    upper: { kind: 'int', default: 0, doc: '1 keeps the upper triangle, 0 the lower.' },
    k: { kind: 'int', default: 0, doc: 'Diagonal offset: positive moves it up-right.' },
  },
  integerInputs: [0],
  infer: (inputs, attrs) => {
    const x = need(inputs, 0, 'input');
    requireRank(x, 2, Infinity, 'input', 'a matrix or a batch of matrices');
    int(attrs, 'upper');
    int(attrs, 'k');
    return [{ dtype: x.dtype, shape: [...x.shape] }];
  },
  flops: () => 0,
};

import type { OpSchema } from '../op-schema.js';
import { int, need, normAxis, requireInteger } from './common.js';

/**
 * Gather (ONNX Gather-13): picks slices of `data` along `axis` by integer indices; the output is
 * data.shape[:axis] + indices.shape + data.shape[axis+1:]. Embeddings are Gather(table, tokens).
 */
export const Gather: OpSchema = {
  name: 'Gather',
  doc: 'Selects slices of data along `axis` at integer indices (embedding lookup).',
  category: 'shape',
  inputs: [{ name: 'data' }, { name: 'indices', doc: 'i32 or i64' }],
  outputs: [{ name: 'output' }],
  attrs: { axis: { kind: 'int', default: 0, doc: 'Axis of data to index; negative counts from the end.' } },
  integerInputs: [1],
  infer: (inputs, attrs) => {
    const data = need(inputs, 0, 'data');
    const idx = need(inputs, 1, 'indices');
    requireInteger(idx, 'indices');
    const axis = normAxis(int(attrs, 'axis'), data.shape.length, data);
    return [{ dtype: data.dtype, shape: [...data.shape.slice(0, axis), ...idx.shape, ...data.shape.slice(axis + 1)] }];
  },
  flops: () => 0,
};

import type { DType } from '../ir.js';
import { ShapeError, type OpSchema } from '../op-schema.js';
import { float, int, need, normAxis } from './common.js';

/**
 * start, start + delta, … (`size` values), like ONNX Range-11 but sized by a count instead of a
 * limit, so the shape rule knows the length: either the fixed `size` or, when `size_from` ≥ 0,
 * the run-time size of that axis of input `like` (positions 0..time−1 for a sequence). The export
 * computes limit = start + size·delta from Shape → Gather.
 */
export const Range: OpSchema = {
  name: 'Range',
  doc: '`size` values start, start+delta, …; the size may be a dim of input `like` read at run time.',
  category: 'shape',
  inputs: [{ name: 'like', optional: true, doc: 'A tensor whose run-time dim `size_from` reads.' }],
  outputs: [{ name: 'output' }],
  attrs: {
    start: { kind: 'float', default: 0, doc: 'First value.' },
    delta: { kind: 'float', default: 1, doc: 'Step between values.' },
    size: { kind: 'int', default: 0, doc: 'Number of values, when `size_from` is −1.' },
    size_from: { kind: 'int', default: -1, doc: 'Axis of `like` whose run-time size is the number of values, or −1.' },
    dtype: { kind: 'string', values: ['f32', 'i32', 'i64'], default: 'i64', doc: "Element type: 'f32', 'i32' or 'i64' (integers need integral start and delta)." },
  },
  integerInputs: [0],
  infer: (inputs, attrs) => {
    const dtype = attrs['dtype'] as DType;
    const start = float(attrs, 'start');
    const delta = float(attrs, 'delta');
    if (delta === 0) throw new ShapeError('delta must not be 0');
    if (dtype !== 'f32' && !(Number.isInteger(start) && Number.isInteger(delta))) {
      throw new ShapeError(`start ${start} and delta ${delta} must be integers for dtype ${dtype}`);
    }
    const from = int(attrs, 'size_from');
    if (from === -1) {
      const n = int(attrs, 'size');
      if (n < 0) throw new ShapeError(`size must be ≥ 0, got ${n}`);
      return [{ dtype, shape: [n] }];
    }
    const like = need(inputs, 0, 'like');
    return [{ dtype, shape: [like.shape[normAxis(from, like.shape.length, like, 'size_from')]!] }];
  },
  flops: () => 0,
};

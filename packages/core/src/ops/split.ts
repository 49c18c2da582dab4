import { formatShape } from '../dims.js';
import type { Dim } from '../ir.js';
import { ShapeError, type OpSchema } from '../op-schema.js';
import { int, ints, need, normAxis } from './common.js';

/**
 * Split (ONNX Split-13) into as many outputs as the node has, along `axis`. `split` gives each
 * output's length (ONNX-13 takes it as an input; the lowering passes it so); empty means equal
 * parts, which a symbolic axis cannot be divided into.
 */
export const Split: OpSchema = {
  name: 'Split',
  category: 'shape',
  doc: 'Splits a tensor along `axis` into parts of the lengths in `split` (equal parts when empty).',
  inputs: [{ name: 'input' }],
  outputs: [{ name: 'outputs', doc: 'One per part (a node asks for as many as it needs).' }],
  // Slicing and splitting move elements of any dtype (token ids, masks).
  integerInputs: [0],
  attrs: {
    axis: { kind: 'int', default: 0, doc: 'Axis to split; negative counts from the end.' },
    split: { kind: 'ints', default: [], doc: 'Length of each part; empty means equal parts.' },
  },
  infer: (inputs, attrs, ctx) => {
    const x = need(inputs, 0, 'input');
    const axis = normAxis(int(attrs, 'axis'), x.shape.length, x);
    const n = ctx.outputCount;
    const d = x.shape[axis]!;
    let parts = ints(attrs, 'split');
    if (parts.length === 0) {
      if (typeof d !== 'number') throw new ShapeError(`cannot split the symbolic dim ${d} of ${formatShape(x.shape)} into ${n} equal parts`);
      if (d % n !== 0) throw new ShapeError(`axis ${axis} of ${formatShape(x.shape)} has ${d} elements, which do not split into ${n} equal parts`);
      parts = new Array<number>(n).fill(d / n);
    }
    if (parts.length !== n) throw new ShapeError(`split lists ${parts.length} lengths for ${n} outputs`);
    if (parts.some((p) => !(p > 0))) throw new ShapeError(`split lengths must be positive, got [${parts.join(', ')}]`);
    const total = parts.reduce((a, b) => a + b, 0);
    if (typeof d === 'number' && total !== d) {
      throw new ShapeError(`split lengths [${parts.join(', ')}] add up to ${total}, but axis ${axis} of ${formatShape(x.shape)} has ${d}`);
    }
    if (typeof d !== 'number') throw new ShapeError(`cannot split the symbolic dim ${d} of ${formatShape(x.shape)}`);
    return parts.map((p) => ({ dtype: x.dtype, shape: x.shape.map((v, i): Dim => (i === axis ? p : v)) }));
  },
  flops: () => 0,
};

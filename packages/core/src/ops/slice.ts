import { formatShape, sliceLength } from '../dims.js';
import type { Dim } from '../ir.js';
import { ShapeError, type OpSchema } from '../op-schema.js';
import { ints, need, normAxis } from './common.js';

/**
 * Slice (ONNX Slice-13) with starts/ends/axes/steps as attributes; the ONNX lowering passes them
 * as the constant inputs Slice-13 takes. Negative bounds count from the end and bounds clamp to
 * the dim, as in ONNX and NumPy. Symbolic dims keep a symbolic length (`1:` on `time` is `time-1`).
 */
export const Slice: OpSchema = {
  name: 'Slice',
  category: 'shape',
  doc: 'Takes `starts[i]:ends[i]:steps[i]` along each of `axes` (negative bounds count from the end; bounds clamp).',
  inputs: [{ name: 'data' }],
  outputs: [{ name: 'output' }],
  // Slicing and splitting move elements of any dtype (token ids, masks).
  integerInputs: [0],
  attrs: {
    starts: { kind: 'ints', doc: 'First index on each axis (negative counts from the end).' },
    ends: { kind: 'ints', doc: 'End (exclusive) on each axis; 2147483647 means "to the end", -2147483648 "before the start" with a negative step.' },
    axes: { kind: 'ints', default: [], doc: 'Axes the bounds apply to; empty means 0, 1, … in order.' },
    steps: { kind: 'ints', default: [], doc: 'Step on each axis (not 0; negative walks backwards); empty means 1.' },
  },
  infer: (inputs, attrs) => {
    const x = need(inputs, 0, 'data');
    const starts = ints(attrs, 'starts');
    const ends = ints(attrs, 'ends');
    const r = x.shape.length;
    const axesGiven = ints(attrs, 'axes');
    const axes = axesGiven.length ? axesGiven.map((a) => normAxis(a, r, x)) : starts.map((_, i) => i);
    const stepsGiven = ints(attrs, 'steps');
    const steps = stepsGiven.length ? stepsGiven : starts.map(() => 1);
    if (ends.length !== starts.length || axes.length !== starts.length || steps.length !== starts.length) {
      throw new ShapeError(`starts, ends, axes and steps must have the same length, got ${starts.length}, ${ends.length}, ${axes.length} and ${steps.length}`);
    }
    if (new Set(axes).size !== axes.length) throw new ShapeError(`axis listed twice in [${axesGiven.join(', ')}]`);
    const out: Dim[] = [...x.shape];
    axes.forEach((a, i) => {
      const len = sliceLength(x.shape[a]!, starts[i]!, ends[i]!, steps[i]!);
      if (len === 0) throw new ShapeError(`slice ${starts[i]}:${ends[i]}:${steps[i]} of axis ${a} of ${formatShape(x.shape)} is empty`);
      out[a] = len;
    });
    return [{ dtype: x.dtype, shape: out }];
  },
  flops: () => 0,
};

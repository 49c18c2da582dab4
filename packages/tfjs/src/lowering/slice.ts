/**
 * Slice and Split (ONNX semantics). tfjs' stridedSlice has no gradient, so a strided slice is
 * built from ops that have one: a contiguous tf.slice per axis, tf.reverse for a step of −1, and
 * tf.gather of the chosen indices for larger steps.
 */
import * as tf from '@tensorflow/tfjs-core';
import { SLICE_END, type Node } from '@dlm/core';
import { DlmExecutionError } from '../backend-errors.js';
import { Val, attrInts, attrNum, required, type Lowering } from './types.js';

/** The indices ONNX Slice takes along an axis of size n: start, start+step, … before end. */
export function sliceIndices(n: number, start: number, end: number, step: number): number[] {
  const clamp = (x: number, lo: number, hi: number) => Math.min(Math.max(x < 0 ? x + n : x, lo), hi);
  const out: number[] = [];
  if (step > 0) for (let i = clamp(start, 0, n); i < clamp(end, 0, n); i += step) out.push(i);
  else for (let i = clamp(start, -1, n - 1); i > clamp(end, -1, n - 1); i += step) out.push(i);
  return out;
}

export const Slice: Lowering = {
  op: 'Slice',
  run: (ctx, [x]) => {
    let t = required(x, 'data').canonical();
    const starts = attrInts(ctx.attrs, 'starts');
    const ends = attrInts(ctx.attrs, 'ends');
    const axes = attrInts(ctx.attrs, 'axes');
    const steps = attrInts(ctx.attrs, 'steps');
    starts.forEach((s, i) => {
      const axis = axes.length ? (axes[i]! < 0 ? axes[i]! + t.rank : axes[i]!) : i;
      const step = steps.length ? steps[i]! : 1;
      const idx = sliceIndices(t.shape[axis]!, s, ends[i]!, step);
      const promised = ctx.outputTypes?.[0]?.shape[axis];
      if (typeof promised === 'number' && idx.length !== promised) tooShort(ctx.node, axis, t.shape[axis]!, s, ends[i]!, step, promised);
      if (idx.length === t.shape[axis] && step === 1) return;
      const begin = t.shape.map(() => 0);
      const size = t.shape.map(() => -1);
      if (Math.abs(step) === 1) {
        begin[axis] = Math.min(idx[0]!, idx[idx.length - 1]!);
        size[axis] = idx.length;
        t = tf.slice(t, begin, size);
        if (step === -1) t = tf.reverse(t, axis);
      } else {
        t = tf.gather(t, tf.tensor1d(idx, 'int32'), axis);
      }
    });
    return [new Val(t)];
  },
};

/**
 * The compiler gives a slice with both bounds fixed and counted from the same end (`x[:, 5]`,
 * `x[:, :3]`, `x[:, -3:]`) a fixed length in the IR's types even on a symbolic dim, assuming the
 * input is long enough. A shorter input would be clamped (ONNX's and NumPy's rule) to fewer
 * entries than the types promise, or to none for an index: that is refused, located at the
 * user's brackets, instead of a smaller tensor flowing on (or tfjs failing with an internal
 * message). Where the IR's length already accounts for clamping (a known dim) nothing differs.
 */
function tooShort(node: Node, axis: number, n: number, start: number, end: number, step: number, promised: number): never {
  // The shortest axis on which every index start, start + step, … the types count is in range.
  let needed = 0;
  for (let k = 0; k < promised; k++) {
    const at = start + k * step;
    needed = Math.max(needed, at >= 0 ? at + 1 : -at);
  }
  const open = (b: number) => (b >= SLICE_END || b <= -SLICE_END - 1 ? '' : String(b));
  const what = end === start + 1 && step === 1 ? `the index ${start}` : `${open(start)}:${open(end)}${step === 1 ? '' : `:${step}`}`;
  throw new DlmExecutionError('DLM5021', [node.id, what, axis, needed, n], node.span);
}

export const Split: Lowering = {
  op: 'Split',
  run: (ctx, [x]) => {
    const t = required(x, 'input').canonical();
    let axis = attrNum(ctx.attrs, 'axis', 0);
    if (axis < 0) axis += t.rank;
    const sizes = attrInts(ctx.attrs, 'split');
    const n = ctx.node.outputs.length;
    return tf.split(t, sizes.length ? sizes : n, axis).map((p) => new Val(p));
  },
};

/**
 * Indexing and slicing with NumPy/PyTorch rules, planned when compiling: `x[:, -1]`,
 * `x[..., 0:64]`, `x[:, ::2]`. The plan becomes one `slice` layer (ONNX Slice, then a Reshape that
 * drops the axes of integer indices). Bounds are checked here, where the message can point at the
 * index that is wrong and quote it as written: against known dims, and for symbolic dims whether
 * the slice has a length without the size (core's sliceLength, the op's own rule).
 */
import { formatShape, ShapeError, SLICE_END, sliceLength, type Dim, type MessageCode, type SourceSpan } from '@dlm/core';

/** One item between the brackets, its numbers already evaluated. */
export type IndexItem =
  | { kind: 'ellipsis'; span: SourceSpan }
  | { kind: 'at'; index: number; span: SourceSpan }
  | { kind: 'slice'; start?: number; stop?: number; step?: number; text: string; span: SourceSpan };

export interface SlicePlan {
  starts: number[];
  ends: number[];
  axes: number[];
  steps: number[];
  squeeze: number[];
}

export interface IndexProblem {
  code: MessageCode;
  args: (string | number)[];
  span: SourceSpan;
}

/** The slice that an index expression asks for, or the first problem with it. */
export function planIndex(shape: readonly Dim[], items: readonly IndexItem[], bracketSpan: SourceSpan): SlicePlan | IndexProblem {
  const rank = shape.length;
  const ellipses = items.filter((i) => i.kind === 'ellipsis');
  if (ellipses.length > 1) return { code: 'DLM3011', args: [], span: ellipses[1]!.span };
  const used = items.length - ellipses.length;
  if (used > rank) return { code: 'DLM3009', args: [used, rank, formatShape(shape)], span: bracketSpan };
  // Items before '...' name the leading axes, items after it the trailing ones.
  const plan: SlicePlan = { starts: [], ends: [], axes: [], steps: [], squeeze: [] };
  let axis = 0;
  for (const item of items) {
    if (item.kind === 'ellipsis') {
      axis += rank - used;
      continue;
    }
    const d = shape[axis]!;
    const where = formatShape(shape);
    if (item.kind === 'at') {
      const i = item.index;
      if (typeof d === 'number' && (i < -d || i >= d)) return { code: 'DLM3006', args: [i, axis, d, where], span: item.span };
      plan.starts.push(i);
      plan.ends.push(i === -1 ? SLICE_END : i + 1);
      plan.axes.push(axis);
      plan.steps.push(1);
      plan.squeeze.push(axis);
    } else {
      const step = item.step ?? 1;
      if (step === 0) return { code: 'DLM3010', args: [], span: item.span };
      for (const b of [item.start, item.stop]) {
        if (b !== undefined && typeof d === 'number' && (b < -d || b > d)) return { code: 'DLM3007', args: [item.text, axis, d, where, -d], span: item.span };
      }
      const start = item.start ?? (step > 0 ? 0 : -1);
      const end = item.stop ?? (step > 0 ? SLICE_END : -SLICE_END - 1);
      const whole = step === 1 && start === 0 && end === SLICE_END;
      if (!whole) {
        if (typeof d === 'number' && sliceCount(d, start, end, step) === 0) return { code: 'DLM3008', args: [item.text, axis, where], span: item.span };
        if (typeof d === 'string') {
          const problem = symbolicProblem(d, start, end, step);
          if (problem === 'empty') return { code: 'DLM3008', args: [item.text, axis, where], span: item.span };
          if (problem) return { code: 'DLM3012', args: [item.text, axis, d, where, problem], span: item.span };
        }
        plan.starts.push(start);
        plan.ends.push(end);
        plan.axes.push(axis);
        plan.steps.push(step);
      }
    }
    axis++;
  }
  return plan;
}

/** Python's len(range(*slice(start, end, step).indices(n))). */
function sliceCount(n: number, start: number, end: number, step: number): number {
  const norm = (x: number, lo: number, hi: number) => Math.min(Math.max(x < 0 ? x + n : x, lo), hi);
  if (step > 0) return Math.max(0, Math.ceil((norm(end, 0, n) - norm(start, 0, n)) / step));
  return Math.max(0, Math.ceil((norm(start, -1, n - 1) - norm(end, -1, n - 1)) / -step));
}

/** Why a slice of the symbolic dim `d` has no length known before the model runs ('empty': none at all). */
function symbolicProblem(d: string, start: number, end: number, step: number): string | undefined {
  try {
    return sliceLength(d, start, end, step) === 0 ? 'empty' : undefined;
  } catch (e) {
    if (!(e instanceof ShapeError)) throw e;
    // The same bounds with a step of ±1 have a length: then the step is what needs the size.
    return hasLength(d, start, end, Math.sign(step)) ? 'a step other than 1 or -1 needs a known size' : 'use bounds that count from the same end, such as 1: or :-1';
  }
}

function hasLength(d: string, start: number, end: number, step: number): boolean {
  try {
    sliceLength(d, start, end, step);
    return true;
  } catch {
    return false;
  }
}

/** Shape and indexing ops: Flatten, Reshape, Transpose, Concat, Gather, Slice, Split. */
import { py, type PyExpr } from '../emitter.js';
import { ints, num, type TorchLoweringRule } from './types.js';

export const flatten: TorchLoweringRule = {
  op: 'Flatten',
  emits: 'torch.flatten(x, 1) (axis 1) or Tensor.reshape',
  lower(ctx) {
    const rank = ctx.inputType(0)?.shape.length ?? 2;
    let axis = num(ctx.node.attrs, 'axis', 1);
    if (axis < 0) axis += rank;
    const x = ctx.input(0);
    if (axis === 1) return ctx.assign(py.call('torch.flatten', [x, 1]));
    // ONNX Flatten is always 2-D: [prod(dims before axis), prod(the rest)].
    const outer: PyExpr = axis === 0 ? py.lit(1) : py.call('math.prod', [py.index(py.attr(x, 'shape'), [py.slice(undefined, py.lit(axis))])]);
    ctx.assign(py.method(x, 'reshape', [outer, -1]));
  },
};

export const reshape: TorchLoweringRule = {
  op: 'Reshape',
  emits: 'Tensor.reshape (0 → the input dim)',
  unsupported(node) {
    const s = node.attrs['shape'];
    if (!Array.isArray(s) || !s.every((d) => typeof d === 'number' && Number.isInteger(d))) return `the target shape ${JSON.stringify(s)} must be integers`;
    return undefined;
  },
  lower(ctx) {
    const x = ctx.input(0);
    const dims = ints(ctx.node.attrs, 'shape').map((d, i): PyExpr => (d === 0 ? py.index(py.attr(x, 'shape'), [py.lit(i)]) : py.lit(d)));
    ctx.assign(py.method(x, 'reshape', dims));
  },
};

export const transpose: TorchLoweringRule = {
  op: 'Transpose',
  emits: 'Tensor.permute',
  lower(ctx) {
    const rank = ctx.inputType(0)?.shape.length ?? 2;
    const given = ints(ctx.node.attrs, 'perm');
    const perm = given.length ? given : Array.from({ length: rank }, (_, i) => rank - 1 - i);
    ctx.assign(py.method(ctx.input(0), 'permute', perm));
  },
};

export const concat: TorchLoweringRule = {
  op: 'Concat',
  emits: 'torch.cat',
  lower(ctx) {
    const parts = ctx.node.inputs.map((_, i) => i).filter((i) => ctx.has(i)).map((i) => ctx.input(i));
    ctx.assign(py.call('torch.cat', [py.list(parts)], { dim: num(ctx.node.attrs, 'axis', 0) }));
  },
};

export const gather: TorchLoweringRule = {
  op: 'Gather',
  emits: 'indexing data[…, indices] (negative indices count from the end, as in ONNX)',
  lower(ctx) {
    const rank = ctx.inputType(0)?.shape.length ?? 1;
    let axis = num(ctx.node.attrs, 'axis', 0);
    if (axis < 0) axis += rank;
    // Indexing needs int64 indices; dlm's integer inputs may be int32.
    const idx = ctx.inputType(1)?.dtype === 'i64' ? ctx.input(1) : py.method(ctx.input(1), 'long');
    ctx.assign(py.index(ctx.input(0), [...Array.from({ length: axis }, () => py.slice()), idx]));
  },
};

/** ONNX's "to the end" sentinel for Slice ends (core's SLICE_END); Python slicing needs no bound. */
const SLICE_END = 2147483647;

export const slice: TorchLoweringRule = {
  op: 'Slice',
  emits: 'basic indexing x[a:b:s, …] (Python clamps out-of-range bounds exactly as ONNX does for positive steps); a negative step flips the axis (Tensor.flip) and slices it forwards',
  lower(ctx) {
    const type = ctx.inputType(0);
    const rank = type?.shape.length ?? 1;
    const starts = ints(ctx.node.attrs, 'starts');
    const ends = ints(ctx.node.attrs, 'ends');
    const given = ints(ctx.node.attrs, 'axes');
    const axes = (given.length ? given : starts.map((_, i) => i)).map((a) => (a < 0 ? a + rank : a));
    const steps = ints(ctx.node.attrs, 'steps');
    const x = ctx.input(0);
    const items: PyExpr[] = Array.from({ length: rank }, () => py.slice());
    const flipped: number[] = [];
    axes.forEach((axis, i) => {
      const start = starts[i] ?? 0;
      const end = ends[i] ?? SLICE_END;
      const step = steps[i] ?? 1;
      if (step > 0) {
        items[axis] = py.slice(start === 0 ? undefined : py.lit(start), end >= SLICE_END ? undefined : py.lit(end), step === 1 ? undefined : py.lit(step));
        return;
      }
      // PyTorch tensors refuse negative steps: element i of the axis is element d-1-i of the
      // flipped axis, so start:end:step becomes (d-1-start):(d-1-end):-step there.
      flipped.push(axis);
      const { from, to } = flippedBounds(type?.shape[axis], start, end, () => py.index(py.attr(x, 'shape'), [py.lit(axis)]));
      items[axis] = py.slice(from, to, step === -1 ? undefined : py.lit(-step));
    });
    // Trailing full slices read as noise: x[:, 1:] rather than x[:, 1:, :].
    while (items.length > 1 && isFull(items[items.length - 1]!)) items.pop();
    const source = flipped.length ? py.method(x, 'flip', flipped.sort((a, b) => a - b).map((a) => py.lit(a))) : x;
    ctx.assign(items.every(isFull) ? source : py.index(source, items));
  },
};

/**
 * The bounds on the flipped axis for ONNX's `start:end` with a negative step (start clamps to
 * [0, d-1], end to [-1, d-1], after adding d to a negative one). A fixed d gives numbers; on a
 * symbolic d a bound from the end needs no size (-1-start) and one from the start reads it
 * (x.shape[axis] - 1 - start), as the shape rule assumed the dim is long enough for it.
 */
function flippedBounds(d: number | string | undefined, start: number, end: number, size: () => PyExpr): { from?: PyExpr; to?: PyExpr } {
  const toStart = end <= -SLICE_END - 1;
  if (typeof d === 'number') {
    const a = start < 0 ? Math.max(start + d, 0) : Math.min(start, d - 1);
    const b = toStart ? -1 : end < 0 ? Math.max(end + d, -1) : Math.min(end, d - 1);
    const from = d - 1 - a;
    const to = d - 1 - b;
    return { ...(from > 0 ? { from: py.lit(from) } : {}), ...(to < d ? { to: py.lit(to) } : {}) };
  }
  const bound = (k: number): PyExpr | undefined => (k < 0 ? (k === -1 ? undefined : py.lit(-1 - k)) : py.bin('-', size(), py.lit(k + 1)));
  const from = bound(start);
  const to = toStart ? undefined : end < 0 ? py.lit(-1 - end) : py.bin('-', size(), py.lit(end + 1));
  return { ...(from ? { from } : {}), ...(to ? { to } : {}) };
}

function isFull(e: PyExpr): boolean {
  return e.kind === 'slice' && !e.start && !e.stop && !e.step;
}

export const split: TorchLoweringRule = {
  op: 'Split',
  emits: 'torch.split (given sizes) or torch.chunk (equal parts)',
  lower(ctx) {
    const x = ctx.input(0);
    const axis = num(ctx.node.attrs, 'axis', 0);
    const sizes = ints(ctx.node.attrs, 'split');
    const parts = ctx.node.outputs.length;
    ctx.assign(sizes.length ? py.call('torch.split', [x, py.list(sizes.map((s) => py.lit(s)))], { dim: axis }) : py.call('torch.chunk', [x, parts], { dim: axis }), parts);
  },
};

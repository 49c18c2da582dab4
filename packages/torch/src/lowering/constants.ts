/**
 * Tensors made from sizes rather than data — ConstantOfShape, Range — and the two that reshape by
 * a size list or a triangle: Expand, Trilu. A size read from input `like` at run time
 * (`shape_from`) becomes `like.shape[axis]`, so nothing symbolic is baked into the module; new
 * tensors are made on the device of `like`, or of the model's first input when there is none.
 */
import { py, type PyExpr } from '../emitter.js';
import { ints, num, str, type TorchLoweringContext, type TorchLoweringRule } from './types.js';

const DTYPES: Record<string, string> = { f32: 'torch.float32', i32: 'torch.int32', i64: 'torch.int64', bool: 'torch.bool' };

/** The sizes of `shape`/`shape_from`, entries read from input `likeIndex` where shape_from says so. */
function sizes(ctx: TorchLoweringContext, likeIndex: number): PyExpr[] {
  const fixed = ints(ctx.node.attrs, 'shape');
  const from = ints(ctx.node.attrs, 'shape_from');
  return fixed.map((d, i) => ((from[i] ?? -1) === -1 ? py.lit(d) : py.index(py.attr(ctx.input(likeIndex), 'shape'), [py.lit(from[i]!)])));
}

/** device=… for a new tensor: `like`'s when given, else the model input's (so it follows .to(device)). */
function device(ctx: TorchLoweringContext, likeIndex: number): PyExpr | undefined {
  return ctx.has(likeIndex) ? py.attr(ctx.input(likeIndex), 'device') : ctx.device();
}

/** A number as Python writes it for `dtype`: 1.0 for floats, 1 for integers, True for bool. */
function scalar(value: number, dtype: string): PyExpr {
  if (dtype === 'bool') return py.lit(value !== 0);
  return dtype === 'f32' ? py.float(value) : py.lit(value);
}

export const constantOfShape: TorchLoweringRule = {
  op: 'ConstantOfShape',
  emits: 'torch.full(sizes, value, dtype=…, device=…)',
  lower(ctx) {
    const dtype = str(ctx.node.attrs, 'dtype', 'f32');
    ctx.assign(py.call('torch.full', [py.tuple(sizes(ctx, 0)), scalar(num(ctx.node.attrs, 'value', 0), dtype)], { dtype: py.path(DTYPES[dtype]!), device: device(ctx, 0) }));
  },
};

export const range: TorchLoweringRule = {
  op: 'Range',
  emits: 'torch.arange(n, dtype=…, device=…) (· delta + start unless they are 1 and 0)',
  lower(ctx) {
    const dtype = str(ctx.node.attrs, 'dtype', 'i64');
    const from = num(ctx.node.attrs, 'size_from', -1);
    const n = from === -1 ? py.lit(num(ctx.node.attrs, 'size', 0)) : py.index(py.attr(ctx.input(0), 'shape'), [py.lit(from)]);
    let out = py.call('torch.arange', [n], { dtype: py.path(DTYPES[dtype]!), device: device(ctx, 0) });
    const [start, delta] = [num(ctx.node.attrs, 'start', 0), num(ctx.node.attrs, 'delta', 1)];
    if (delta !== 1) out = py.bin('*', out, scalar(delta, dtype));
    if (start !== 0) out = py.bin('+', out, scalar(start, dtype));
    ctx.assign(out);
  },
};

export const trilu: TorchLoweringRule = {
  op: 'Trilu',
  emits: 'torch.tril / torch.triu(x, diagonal=k)',
  lower(ctx) {
    const k = num(ctx.node.attrs, 'k', 0);
    ctx.assign(py.call(num(ctx.node.attrs, 'upper', 0) ? 'torch.triu' : 'torch.tril', [ctx.input(0)], { diagonal: k === 0 ? undefined : py.lit(k) }));
  },
};

export const expand: TorchLoweringRule = {
  op: 'Expand',
  emits: 'Tensor.expand(*torch.broadcast_shapes(x.shape, sizes)) (ONNX broadcasts both ways)',
  lower(ctx) {
    const x = ctx.input(0);
    ctx.assign(py.method(x, 'expand', [py.call('torch.broadcast_shapes', [py.attr(x, 'shape'), py.tuple(sizes(ctx, 1))])]));
  },
};

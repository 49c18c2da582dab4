/**
 * Unsqueeze, Squeeze, Expand, ConstantOfShape, Range and Trilu. Their sizes are attributes in the
 * IR, some read at run time from an input (`shape_from`, `size_from`); here they become the ONNX
 * shape tensors, built with Shape → Concat → Gather when a size is dynamic, so a symbolic dim
 * (`time`) is never baked into the file.
 */
import type { DType } from '@dlm/core';
import { attr, DataType, elemTypeOf, onnx } from '../proto.js';
import { float32Tensor, int32Tensor, int64Tensor } from '../tensor.js';
import type { LoweringContext, LoweringRule } from './types.js';

export const unsqueeze: LoweringRule = {
  op: 'Unsqueeze',
  minOpset: 13,
  emits: 'Unsqueeze (+ int64 axes initializer)',
  lower(ctx) {
    ctx.emit('Unsqueeze', [ctx.input(0), ctx.int64s('axes', ctx.node.attrs['axes'] as number[])], [ctx.output(0)]);
  },
};

export const squeeze: LoweringRule = {
  op: 'Squeeze',
  minOpset: 13,
  emits: 'Squeeze (+ int64 axes initializer)',
  lower(ctx) {
    const axes = ctx.node.attrs['axes'] as number[];
    ctx.emit('Squeeze', axes.length ? [ctx.input(0), ctx.int64s('axes', axes)] : [ctx.input(0)], [ctx.output(0)]);
  },
};

/**
 * The 1-D int64 shape tensor of a `shape`/`shape_from` pair. All fixed: an initializer.
 * Otherwise Concat(Shape(like), fixed sizes) gathered at, per entry, the `like` axis or the
 * position of its fixed size.
 */
function shapeTensor(ctx: LoweringContext, likeInput: number): string {
  const fixed = ctx.node.attrs['shape'] as number[];
  const from = (ctx.node.attrs['shape_from'] as number[] | undefined) ?? [];
  if (from.every((a) => a === -1)) return ctx.int64s('shape', fixed, [fixed.length]);
  const rank = ctx.typeOf(ctx.node.inputs[likeInput]!)!.shape.length;
  const dims = ctx.temp('like_shape');
  ctx.emit('Shape', [ctx.input(likeInput)], [dims]);
  const all = ctx.temp('shape_parts');
  ctx.emit('Concat', [dims, ctx.int64s('fixed_sizes', fixed)], [all], { axis: attr.int(0) });
  const picked = from.map((a, i) => (a === -1 || a === undefined ? rank + i : a < 0 ? a + rank : a));
  const shape = ctx.temp('shape');
  ctx.emit('Gather', [all, ctx.int64s('shape_index', picked)], [shape], { axis: attr.int(0) });
  return shape;
}

export const expand: LoweringRule = {
  op: 'Expand',
  minOpset: 13,
  emits: 'Expand (+ Shape, Concat, Gather when a size is read at run time)',
  lower(ctx) {
    ctx.emit('Expand', [ctx.input(0), shapeTensor(ctx, 1)], [ctx.output(0)]);
  },
};

/** A one-element tensor of `dtype` holding `v`: ConstantOfShape's `value`. */
function scalarTensor(dtype: DType, v: number) {
  switch (dtype) {
    case 'f32':
      return float32Tensor('value', [1], Float32Array.of(v));
    case 'i32':
      return int32Tensor('value', [1], Int32Array.of(v));
    case 'i64':
      return int64Tensor('value', [1], [v]);
    case 'bool':
      return onnx.TensorProto.create({ name: 'value', dims: [1], dataType: DataType.BOOL, rawData: Uint8Array.of(v !== 0 ? 1 : 0) });
  }
}

export const constantOfShape: LoweringRule = {
  op: 'ConstantOfShape',
  minOpset: 13,
  emits: 'ConstantOfShape (+ Shape, Concat, Gather when a size is read at run time)',
  lower(ctx) {
    const value = scalarTensor(ctx.node.attrs['dtype'] as DType, Number(ctx.node.attrs['value']));
    ctx.emit('ConstantOfShape', [shapeTensor(ctx, 0)], [ctx.output(0)], { value: attr.tensor(value) });
  },
};

/**
 * ONNX Range takes a limit: limit = start + (size − ½)·delta for floats (so rounding can never
 * add or drop a value), start + size·delta for integers. A size read at run time is
 * Gather(Shape(like), axis); i32 ranges are computed in int64 and cast.
 */
export const range: LoweringRule = {
  op: 'Range',
  minOpset: 13,
  emits: 'Range (+ Shape, Gather, Cast, Mul, Add when the size is read at run time)',
  lower(ctx) {
    const a = ctx.node.attrs;
    const dtype = a['dtype'] as DType;
    const isFloat = dtype === 'f32';
    const start = Number(a['start']);
    const delta = Number(a['delta']);
    const scalar = (hint: string, v: number) => (isFloat ? ctx.floats(`range_${hint}`, [v]) : ctx.int64s(hint, [v], []));
    const from = Number(a['size_from']);
    let limit: string;
    if (from === -1) {
      const n = Number(a['size']);
      limit = scalar('limit', isFloat ? start + (n - 0.5) * delta : start + n * delta);
    } else {
      const rank = ctx.typeOf(ctx.node.inputs[0]!)!.shape.length;
      const dims = ctx.temp('like_shape');
      ctx.emit('Shape', [ctx.input(0)], [dims]);
      let n = ctx.temp('size');
      ctx.emit('Gather', [dims, ctx.int64s('size_axis', [from < 0 ? from + rank : from], [])], [n], { axis: attr.int(0) });
      if (isFloat) {
        const nf = ctx.temp('size_f32');
        ctx.emit('Cast', [n], [nf], { to: attr.int(DataType.FLOAT) });
        n = ctx.temp('size_less_half');
        ctx.emit('Sub', [nf, ctx.floats('range_half', [0.5])], [n]);
      }
      const span = ctx.temp('span');
      ctx.emit('Mul', [n, scalar('delta', delta)], [span]);
      limit = ctx.temp('limit');
      ctx.emit('Add', [scalar('start', start), span], [limit]);
    }
    const out = dtype === 'i32' ? ctx.temp('range_i64') : ctx.output(0);
    ctx.emit('Range', [scalar('start', start), limit, scalar('delta', delta)], [out]);
    if (dtype === 'i32') ctx.emit('Cast', [out], [ctx.output(0)], { to: attr.int(elemTypeOf('i32')) });
  },
};

/** ONNX has Trilu from opset 14; at 13 the export reports the node (DLM6003) instead. */
export const trilu: LoweringRule = {
  op: 'Trilu',
  minOpset: 14,
  emits: 'Trilu (+ int64 k initializer)',
  lower(ctx) {
    const k = Number(ctx.node.attrs['k']);
    ctx.emit('Trilu', [ctx.input(0), ctx.int64s('k', [k], [])], [ctx.output(0)], { upper: attr.int(Number(ctx.node.attrs['upper'])) });
  },
};

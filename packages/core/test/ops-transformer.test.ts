/** Shape rules and FLOPs of the ops added for transformers, with symbolic dims and bad inputs. */
import { describe, expect, it } from 'vitest';
import { getOpSchema, inferOp, resolveAttrs, ShapeError, unifyDim, type AttrValue, type Dim, type DType, type TensorType } from '../src/index.js';

const f = (...shape: Dim[]): TensorType => ({ dtype: 'f32', shape });
const t = (dtype: DType, ...shape: Dim[]): TensorType => ({ dtype, shape });

/** Runs an op the way the graph builder does: enum attributes checked against the schema, then the shape rule. */
function run(op: string, inputs: (TensorType | undefined)[], attrs: Record<string, AttrValue> = {}) {
  const s = getOpSchema(op)!;
  const r = resolveAttrs(s, attrs);
  const outs = inferOp(s, inputs, r, { unify: unifyDim, outputCount: 1 });
  return { type: outs[0]!, flops: s.flops!(inputs, outs, r) };
}
const shape = (op: string, inputs: (TensorType | undefined)[], attrs: Record<string, AttrValue> = {}) => run(op, inputs, attrs).type;
function fails(op: string, inputs: (TensorType | undefined)[], attrs: Record<string, AttrValue>, msg: string): void {
  let err: unknown;
  try {
    run(op, inputs, attrs);
  } catch (e) {
    err = e;
  }
  expect(err, 'expected a ShapeError').toBeInstanceOf(ShapeError);
  expect((err as Error).message).toBe(msg);
}

describe('elementwise math', () => {
  it('unary ops keep the shape, need f32, count one FLOP per element (Clip two)', () => {
    for (const op of ['Sqrt', 'Exp', 'Log', 'Abs', 'Erf']) {
      expect(run(op, [f('batch', 3, 4)])).toEqual({ type: f('batch', 3, 4), flops: 12 });
    }
    expect(run('Clip', [f('batch', 5)], { min: 0 }).flops).toBe(10);
    fails('Exp', [t('i64', 'batch')], {}, 'X must be f32, got i64[batch]');
    fails('Clip', [f(2)], { min: 1, max: 0 }, 'min 1 is greater than max 0');
  });
  it('Pow broadcasts two f32 operands', () => {
    expect(run('Pow', [f('batch', 1, 4), f(3, 1)])).toEqual({ type: f('batch', 3, 4), flops: 12 });
    fails('Pow', [f(2), t('i32', 2)], {}, 'Y must be f32, got i32[2]');
  });
});

describe('comparisons, Where, Cast', () => {
  it('comparisons broadcast same-dtype operands into bool', () => {
    for (const op of ['Equal', 'Less', 'Greater', 'LessOrEqual', 'GreaterOrEqual']) {
      expect(shape(op, [t('i64', 'batch', 'time'), t('i64')])).toEqual(t('bool', 'batch', 'time'));
    }
    fails('Equal', [f('batch', 3), t('i64', 3)], {}, 'A f32[batch, 3] and B i64[3] have different dtypes');
    fails('Less', [f('batch', 3), f(4)], {}, 'cannot broadcast [batch, 3] with [4]: dim -1 is 3 vs 4');
  });
  it('Where needs a bool condition and names all three shapes when they do not broadcast', () => {
    expect(shape('Where', [t('bool', 'time', 'time'), f('batch', 4, 'time', 'time'), f()])).toEqual(f('batch', 4, 'time', 'time'));
    fails('Where', [f(2), f(2), f(2)], {}, 'condition must be bool, got f32[2] (compare with equal/less/… or cast(to: bool))');
    fails('Where', [t('bool', 3), f(2, 3), f(4, 1)], {}, 'condition bool[3], X f32[2, 3] and Y f32[4, 1] do not broadcast together (cannot broadcast [2, 3] with [4, 1]: dim -2 is 2 vs 4)');
    fails('Where', [t('bool', 3), f(3), t('i64', 3)], {}, 'X f32[3] and Y i64[3] have different dtypes');
  });
  it('Cast changes only the dtype; unknown dtypes are refused', () => {
    expect(run('Cast', [t('bool', 'batch', 2)], { to: 'f32' })).toEqual({ type: f('batch', 2), flops: 0 });
    fails('Cast', [f(2)], { to: 'f16' }, "attribute to must be one of 'f32', 'i32', 'i64', 'bool', got \"f16\"");
  });
});

describe('reductions', () => {
  it('reduce listed axes (negative too) or all, keeping them as 1 with keepdims', () => {
    expect(run('ReduceMean', [f('batch', 'time', 8)], { axes: [1] })).toEqual({ type: f('batch', 1, 8), flops: 8 });
    expect(shape('ReduceSum', [f('batch', 'time', 8)], { axes: [-1, 0], keepdims: 0 })).toEqual(f('time'));
    expect(shape('ReduceMax', [f('batch', 3)], { keepdims: 0 })).toEqual(f());
    expect(shape('ReduceMax', [f('batch', 3)])).toEqual(f(1, 1));
  });
  it('an axis out of range or repeated names the input', () => {
    fails('ReduceMean', [f('batch', 4)], { axes: [2] }, 'axes entry 2 is out of range for f32[batch, 4] (rank 2: allowed -2..1)');
    fails('ReduceSum', [f('batch', 4)], { axes: [1, -1] }, 'axes [1, -1] name axis 1 twice');
    fails('ReduceMax', [t('i64', 4)], {}, 'data must be f32, got i64[4]');
  });
});

describe('Unsqueeze, Squeeze, Expand', () => {
  it('Unsqueeze inserts at output positions, negative from the end', () => {
    expect(shape('Unsqueeze', [t('i64', 'time')], { axes: [0, -1] })).toEqual(t('i64', 1, 'time', 1));
    fails('Unsqueeze', [f('batch', 3)], { axes: [3] }, 'axis 3 is out of range: inserting 1 axis(es) into f32[batch, 3] gives rank 3 (allowed -3..2)');
    fails('Unsqueeze', [f(3)], { axes: [1, -2] }, 'axes [1, -2] name one position twice');
  });
  it('Squeeze removes size-1 axes; a symbolic or larger axis cannot be squeezed', () => {
    expect(shape('Squeeze', [f(2, 1, 3, 1)])).toEqual(f(2, 3));
    fails('Squeeze', [f('batch', 1, 3)], {}, 'axes must be given for f32[batch, 1, 3]: its symbolic dims might be 1 at run time');
    expect(shape('Squeeze', [f('batch', 1, 3, 1)], { axes: [-1] })).toEqual(f('batch', 1, 3));
    fails('Squeeze', [f('batch', 3)], { axes: [0] }, 'axis 0 of f32[batch, 3] has size batch, not 1, so it cannot be squeezed');
  });
  it('Expand broadcasts to fixed sizes and sizes read from `like`', () => {
    expect(shape('Expand', [f(1, 'time', 1), f('batch', 'time', 8)], { shape: [0, 1, 0], shape_from: [0, -1, 2] })).toEqual(f('batch', 'time', 8));
    expect(shape('Expand', [f(3, 1)], { shape: [2, 3, 4] })).toEqual(f(2, 3, 4));
    fails('Expand', [f(3, 2)], { shape: [3, 4] }, 'cannot expand f32[3, 2] to [3, 4]: cannot broadcast [3, 2] with [3, 4]: dim -1 is 2 vs 4');
    fails('Expand', [f(3)], { shape: [0], shape_from: [1] }, "entry 0 of the shape is read from input 'like', which is missing");
    fails('Expand', [f(3), f(2)], { shape: [0], shape_from: [1] }, 'shape_from entry 0 1 is out of range for f32[2] (rank 1: allowed -1..0)');
  });
});

describe('constants whose sizes may be read at run time', () => {
  it('ConstantOfShape: fixed, symbolic and scalar, any dtype', () => {
    expect(shape('ConstantOfShape', [f('batch', 'time', 8)], { shape: [0, 0], shape_from: [1, -2], value: 1 })).toEqual(f('time', 'time'));
    expect(shape('ConstantOfShape', [], { shape: [2, 3], dtype: 'bool' })).toEqual(t('bool', 2, 3));
    expect(shape('ConstantOfShape', [], { shape: [] })).toEqual(f());
    fails('ConstantOfShape', [], { shape: [2, -1] }, 'shape [2, -1] has the negative size -1');
    fails('ConstantOfShape', [], { shape: [2], shape_from: [-1, -1] }, 'shape_from has 2 entries but shape has 1');
  });
  it('Range: a fixed count or the run-time size of an axis of `like`', () => {
    expect(shape('Range', [f('batch', 'time', 8)], { size_from: 1 })).toEqual(t('i64', 'time'));
    expect(shape('Range', [], { size: 5, start: 0.5, delta: 0.25, dtype: 'f32' })).toEqual(f(5));
    fails('Range', [], { size: 5, delta: 0.5 }, 'start 0 and delta 0.5 must be integers for dtype i64');
    fails('Range', [], { size: 5, delta: 0 }, 'delta must not be 0');
    fails('Range', [f('batch')], { size_from: 1 }, 'size_from 1 is out of range for f32[batch] (rank 1: allowed -1..0)');
  });
  it('Trilu keeps the shape and needs a matrix', () => {
    expect(shape('Trilu', [f('batch', 'time', 'time')], { k: -1 })).toEqual(f('batch', 'time', 'time'));
    fails('Trilu', [f(4)], {}, 'input must have rank ≥ 2 (a matrix or a batch of matrices), got f32[4] of rank 1');
  });
});

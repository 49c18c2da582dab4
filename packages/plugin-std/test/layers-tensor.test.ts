/**
 * The layers added for transformers: reductions, elementwise math, comparisons and where, cast,
 * matmul, axis shuffles, expand, and the constants whose sizes are read from an input at run time.
 */
import { describe, expect, it } from 'vitest';
import { DiagnosticBag, formatType, GraphBuilder, type ArgValue, type Dim, type DType, type TensorType } from '@dlm/core';
import { layerRegistry } from './helpers.js';

const f = (...shape: Dim[]): TensorType => ({ dtype: 'f32', shape });
const t = (dtype: DType, ...shape: Dim[]): TensorType => ({ dtype, shape });

/** A builder with inputs; `call` applies one layer and returns its output's type (or the errors). */
function setup(inputs: Record<string, TensorType>) {
  const bag = new DiagnosticBag();
  const b = new GraphBuilder('T', layerRegistry(), bag);
  const names = Object.fromEntries(Object.entries(inputs).map(([k, v]) => [k, b.addInput(k, v)]));
  const call = (layer: string, ins: string[], args: Record<string, ArgValue> = {}) => {
    const before = bag.items.length;
    const [out] = b.callLayer(layer, ins.map((i) => names[i] ?? i), Object.entries(args).map(([name, value]) => ({ name, value })), undefined);
    const errs = bag.items.slice(before).map((d) => `${d.code} ${d.message}`);
    return { out: out!, type: formatType(b.typeOf(out!)), errs };
  };
  const ops = () => b.finish().nodes.map((n) => n.op);
  const nodes = () => b.finish().nodes;
  return { b, call, ops, nodes, names };
}

describe('reductions', () => {
  it('mean, sum, max over one axis, several, or all, with and without keepdims', () => {
    const { call, nodes } = setup({ x: f('batch', 'time', 8) });
    expect(call('mean', ['x'], { axis: 1 }).type).toBe('f32[batch, 8]');
    expect(call('sum', ['x'], { axis: [-1, 1], keepdims: true }).type).toBe('f32[batch, 1, 1]');
    expect(call('max', ['x']).type).toBe('f32[]');
    expect(nodes().map((n) => [n.op, n.attrs['axes'], n.attrs['keepdims']])).toEqual([
      ['ReduceMean', [1], 0],
      ['ReduceSum', [-1, 1], 1],
      ['ReduceMax', [], 0],
    ]);
  });
  it('an axis out of range names the input shape', () => {
    const { call } = setup({ x: f('batch', 4) });
    // In the layer's words (its name and its argument), not the op's (ReduceMean, axes).
    expect(call('mean', ['x'], { axis: 2 }).errs).toEqual(['DLM3005 mean: axis 2 is out of range for f32[batch, 4] (rank 2: allowed -2..1)']);
    expect(call('max', ['x'], { axis: -3 }).errs).toEqual(['DLM3005 max: axis -3 is out of range for f32[batch, 4] (rank 2: allowed -2..1)']);
    expect(call('sum', ['x'], { axis: [1, -1] }).errs).toEqual(['DLM3005 sum: axis [1, -1] lists axis 1 twice']);
  });
});

describe('elementwise math', () => {
  it('keeps the shape; pow takes a number or a tensor; clip needs a bound', () => {
    const { call, ops } = setup({ x: f('batch', 6), y: f(6) });
    for (const l of ['sqrt', 'exp', 'log', 'abs', 'erf']) expect(call(l, ['x']).type).toBe('f32[batch, 6]');
    expect(call('pow', ['x'], { exponent: 2 }).type).toBe('f32[batch, 6]');
    expect(call('pow', ['x', 'y']).type).toBe('f32[batch, 6]');
    expect(call('clip', ['x'], { min: -1 }).type).toBe('f32[batch, 6]');
    expect(ops()).toEqual(['Sqrt', 'Exp', 'Log', 'Abs', 'Erf', 'ConstantOfShape', 'Pow', 'Pow', 'Clip']);
    expect(call('pow', ['x']).errs).toEqual(["DLM3005 pow: give either an exponent (pow(2)) or a second tensor (pow(x, y)), not both or neither"]);
    expect(call('clip', ['x']).errs).toEqual(['DLM3005 clip: give min:, max: or both']);
    expect(call('clip', ['x'], { min: 2, max: 1 }).errs).toEqual(['DLM3001 Clip: min 2 is greater than max 1']);
  });
  it('integer tensors are refused by float math, naming the dtype', () => {
    const { call } = setup({ ids: t('i64', 'batch', 3) });
    expect(call('sqrt', ['ids']).errs).toEqual(['DLM3001 Sqrt: X must be f32, got i64[batch, 3]']);
  });
});

describe('comparisons, where and cast', () => {
  it('comparisons give bool; a number compares in the tensor dtype', () => {
    const { call, nodes } = setup({ a: f('batch', 5), b: f(5), ids: t('i64', 'batch', 'time') });
    expect(call('less', ['a', 'b']).type).toBe('bool[batch, 5]');
    expect(call('greater_equal', ['a', 'b']).type).toBe('bool[batch, 5]');
    expect(call('equal', ['ids'], { value: 0 }).type).toBe('bool[batch, time]');
    expect(nodes().find((n) => n.op === 'ConstantOfShape')!.attrs).toMatchObject({ shape: [], value: 0, dtype: 'i64' });
    expect(call('equal', ['ids'], { value: 0.5 }).errs).toEqual(['DLM3005 equal: value 0.5 must be an integer to compare with i64 values']);
    expect(call('less', ['a', 'ids']).errs).toEqual(['DLM3001 Less: A f32[batch, 5] and B i64[batch, time] have different dtypes']);
  });
  it('where broadcasts the three operands and names them when they do not fit', () => {
    const { call } = setup({ m: t('bool', 'time', 'time'), s: f('batch', 4, 'time', 'time'), v: f('batch', 3), x: f('batch', 5) });
    expect(call('where', ['m', 's'], { other: -1e9 }).type).toBe('f32[batch, 4, time, time]');
    expect(call('where', ['m', 'v', 'x']).errs).toEqual([
      'DLM3001 Where: condition bool[time, time], X f32[batch, 3] and Y f32[batch, 5] do not broadcast together (cannot broadcast [time, time] with [batch, 3]: dim -2 is time vs batch)',
    ]);
    expect(call('where', ['x', 'x', 'x']).errs[0]).toMatch(/condition must be bool, got f32\[batch, 5\]/);
  });
  it('cast converts the dtype and is nothing when it already has it', () => {
    const { call, ops } = setup({ m: t('bool', 'batch', 3) });
    expect(call('cast', ['m'], { to: 'f32' }).type).toBe('f32[batch, 3]');
    expect(call('cast', ['m'], { to: 'bool' }).type).toBe('bool[batch, 3]');
    expect(ops()).toEqual(['Cast']);
  });
});

describe('matmul and axis shuffles', () => {
  it('matmul, transpose (swap two axes), permute, unsqueeze, squeeze', () => {
    const { call, nodes } = setup({ q: f('batch', 4, 'time', 16), k: f('batch', 4, 'time', 16) });
    const kt = call('transpose', ['k'], { dim0: -2, dim1: -1 });
    expect(kt.type).toBe('f32[batch, 4, 16, time]');
    expect(call('matmul', ['q', kt.out]).type).toBe('f32[batch, 4, time, time]');
    expect(call('permute', ['q'], { dims: [0, 2, 1, -1] }).type).toBe('f32[batch, time, 4, 16]');
    const u = call('unsqueeze', ['q'], { axis: [0, -1] });
    expect(u.type).toBe('f32[1, batch, 4, time, 16, 1]');
    const sq = call('squeeze', [u.out]);
    expect(sq.type).toBe('f32[batch, 4, time, 16]');
    expect(nodes().find((n) => n.outputs[0] === sq.out)!.attrs['axes']).toEqual([0, 5]);
    expect(nodes().filter((n) => n.op === 'Transpose').map((n) => n.attrs['perm'])).toEqual([[0, 1, 3, 2], [0, 2, 1, 3]]);
  });
  it('bad axes and inner dims are located diagnostics naming the shapes', () => {
    const { call } = setup({ x: f('batch', 3, 4) });
    expect(call('squeeze', ['x'], { axis: 1 }).errs).toEqual(['DLM3001 Squeeze: axis 1 of f32[batch, 3, 4] has size 3, not 1, so it cannot be squeezed']);
    expect(call('transpose', ['x'], { dim0: 0, dim1: 3 }).errs).toEqual(['DLM3005 transpose: axis 3 is out of range for f32[batch, 3, 4] (rank 3: allowed -3..2)']);
    expect(call('permute', ['x'], { dims: [0, 1] }).errs).toEqual(['DLM3001 Transpose: perm [0, 1] is not a permutation of the 3 axes of [batch, 3, 4]']);
    expect(call('unsqueeze', ['x'], { axis: 5 }).errs).toEqual(['DLM3001 Unsqueeze: axis 5 is out of range: inserting 1 axis(es) into f32[batch, 3, 4] gives rank 4 (allowed -4..3)']);
    expect(call('matmul', ['x', 'x']).errs[0]).toMatch(/^DLM3001 MatMul: .*4.*3/);
  });
});

describe('expand and the constants with symbolic sizes', () => {
  it('expand keeps the input dims and reads other symbols from the second input at run time', () => {
    const { call, nodes } = setup({ pos: t('i64', 1, 'time'), ids: t('i64', 'batch', 'time') });
    expect(call('expand', ['pos', 'ids'], { shape: ['batch', 'time'] }).type).toBe('i64[batch, time]');
    const e = nodes().find((n) => n.op === 'Expand')!;
    expect([e.inputs[1], e.attrs['shape'], e.attrs['shape_from']]).toEqual(['ids', [0, 1], [0, -1]]);
    expect(call('expand', ['pos'], { shape: ['batch', 'time'] }).errs).toEqual([
      "DLM3005 expand: the size 'batch' is not a dim of the input [1, time], so it cannot be read at run time",
    ]);
    expect(call('expand', ['ids'], { shape: [3, 'time'] }).errs).toEqual([
      'DLM3005 expand: cannot expand i64[batch, time] to [3, time]: cannot broadcast [batch, time] with [3, time]: dim -2 is batch vs 3',
    ]);
  });
  it('arange, ones, zeros and tril read symbolic sizes from the input; fixed sizes need none', () => {
    const { call, nodes } = setup({ x: f('batch', 'time', 8) });
    expect(call('arange', ['x'], { size: 'time' }).type).toBe('i64[time]');
    expect(call('arange', [], { size: 5, start: 1, step: 0.5, dtype: 'f32' }).type).toBe('f32[5]');
    expect(call('ones', ['x'], { shape: ['time', 'time'] }).type).toBe('f32[time, time]');
    expect(call('zeros', [], { shape: [2, 3], dtype: 'bool' }).type).toBe('bool[2, 3]');
    const mask = call('tril', ['x'], { shape: ['time', 'time'] });
    expect(mask.type).toBe('f32[time, time]');
    expect(call('tril', [mask.out], { k: -1 }).type).toBe('f32[time, time]');
    expect(nodes().map((n) => [n.op, n.inputs.filter(Boolean).length, n.attrs['shape_from'] ?? n.attrs['size_from'] ?? null])).toEqual([
      ['Range', 1, 1],
      ['Range', 0, -1],
      ['ConstantOfShape', 1, [1, 1]],
      ['ConstantOfShape', 0, []],
      ['ConstantOfShape', 1, [1, 1]],
      ['Trilu', 1, null],
      ['Trilu', 1, null],
    ]);
  });
  it('a symbolic size with nothing to read it from, a non-integral integer range, and tril of nothing are diagnostics', () => {
    const { call } = setup({ x: f('batch', 8) });
    expect(call('ones', [], { shape: ['time'] }).errs).toEqual([
      "DLM3005 ones: the size 'time' is not a dim of any input (give a tensor that has it as the first input), so it cannot be read at run time",
    ]);
    expect(call('arange', ['x'], { size: 'time' }).errs).toEqual(["DLM3005 arange: the size 'time' is not a dim of the input [batch, 8], so it cannot be read at run time"]);
    expect(call('arange', [], { size: 4, step: 0.5 }).errs).toEqual(['DLM3005 arange: start 0 and step 0.5 must be whole numbers for dtype i64 (or give dtype: "f32")']);
    expect(call('arange', [], { size: 4, step: 0 }).errs).toEqual(['DLM3005 arange: step must not be 0']);
    expect(call('tril', []).errs).toEqual(['DLM3005 tril: give a tensor to mask (x |> tril) or a mask shape (tril(x, shape: [time, time]))']);
    expect(call('tril', ['x'], { shape: [4] }).errs[0]).toMatch(/^DLM3001 Trilu: input must have rank ≥ 2/);
  });
});

describe('labels', () => {
  it('name the arguments that matter, numbers compactly', () => {
    const { call, b } = setup({ x: f('batch', 'time', 8), m: t('bool', 'time', 'time') });
    call('where', ['m', 'x'], { other: -1e9 });
    call('clip', ['x'], { max: 6 });
    call('mean', ['x'], { axis: [1, 2] });
    call('tril', ['x'], { shape: ['time', 'time'] });
    call('arange', ['x'], { size: 'time' });
    call('pow', ['x'], { exponent: 0.5 });
    expect(b.finish().layers.map((l) => l.label)).toEqual(['where, else -1e9', 'clip [−∞, 6]', 'mean axis 1, 2', 'tril [time, time]', 'arange time', 'pow 0.5']);
  });
});

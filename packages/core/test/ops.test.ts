import { describe, expect, it } from 'vitest';
import { CORE_OPS, getOpSchema, inferOp, nodeAttrProblem, OP_CATEGORIES, opCategory, resolveAttrs, ShapeError, unifyDim, type AttrValue, type Dim, type DType, type TensorType } from '../src/index.js';

const f = (...shape: Dim[]): TensorType => ({ dtype: 'f32', shape });
const t = (dtype: DType, ...shape: Dim[]): TensorType => ({ dtype, shape });

/** Runs an op's shape rule the way the graph builder does (defaults filled, dims unified strictly). */
function infer(op: string, inputs: (TensorType | undefined)[], attrs: Record<string, AttrValue> = {}, outputCount?: number): Dim[][] {
  const s = getOpSchema(op);
  if (!s) throw new Error(`no op ${op}`);
  const n = outputCount ?? s.outputs.filter((o) => !o.optional).length;
  return inferOp(s, inputs, resolveAttrs(s, attrs), { unify: unifyDim, outputCount: n }).map((x) => x.shape);
}
function flops(op: string, inputs: (TensorType | undefined)[], attrs: Record<string, AttrValue> = {}, outputCount?: number): number {
  const s = getOpSchema(op)!;
  const r = resolveAttrs(s, attrs);
  const n = outputCount ?? s.outputs.filter((o) => !o.optional).length;
  const outs = inferOp(s, inputs, r, { unify: unifyDim, outputCount: n });
  return s.flops!(inputs, outs, r);
}
function fails(op: string, inputs: (TensorType | undefined)[], attrs: Record<string, AttrValue>, msg: RegExp, outputCount?: number): void {
  let err: unknown;
  try {
    infer(op, inputs, attrs, outputCount);
  } catch (e) {
    err = e;
  }
  expect(err, 'expected a ShapeError').toBeInstanceOf(ShapeError);
  expect((err as Error).message).toMatch(msg);
}

describe('op registry', () => {
  it('registers every op of the brief exactly once', () => {
    const names = CORE_OPS.map((s) => s.name);
    expect(new Set(names).size).toBe(names.length);
    for (const n of ['Identity', 'Relu', 'LeakyRelu', 'Elu', 'Gelu', 'Sigmoid', 'Tanh', 'Softmax', 'LogSoftmax', 'Add', 'Sub', 'Mul', 'Div',
      'MatMul', 'Gemm', 'Conv', 'ConvTranspose', 'MaxPool', 'AveragePool', 'GlobalAveragePool', 'BatchNormalization', 'LayerNormalization',
      'Dropout', 'Flatten', 'Reshape', 'Transpose', 'Concat', 'Gather', 'Slice', 'Split', 'LSTM', 'GRU', 'RNN', 'Resize']) {
      expect(names, n).toContain(n);
    }
  });
  it('every op has a doc, a flops rule and documented attrs', () => {
    for (const s of CORE_OPS) {
      expect(s.doc.length, s.name).toBeGreaterThan(10);
      expect(typeof s.flops, s.name).toBe('function');
      for (const [k, a] of Object.entries(s.attrs)) expect(a.doc.length, `${s.name}.${k}`).toBeGreaterThan(3);
    }
  });
  it('every op states one category of the closed set', () => {
    for (const s of CORE_OPS) expect(OP_CATEGORIES, s.name).toContain(s.category);
    expect(opCategory('Relu')).toBe('activation');
    expect(opCategory('Add')).toBe('elementwise');
    expect(opCategory('Conv')).toBe('convolution');
    expect(opCategory('LSTM')).toBe('recurrent');
    expect(opCategory('NoSuchOp')).toBeUndefined();
  });
  it('every string attribute is an enum whose default is one of its values', () => {
    const enums: string[] = [];
    for (const s of CORE_OPS) {
      for (const [k, a] of Object.entries(s.attrs)) {
        if (a.kind !== 'string' && a.kind !== 'strings') continue;
        expect(a.values.length, `${s.name}.${k}`).toBeGreaterThan(0);
        const defaults = a.default === undefined ? [] : a.kind === 'string' ? [a.default] : (a.default as string[]);
        for (const d of defaults) expect(a.values, `${s.name}.${k} default`).toContain(d);
        enums.push(`${s.name}.${k}`);
      }
    }
    expect(enums).toEqual(expect.arrayContaining(['Gelu.approximate', 'Resize.mode', 'Resize.coordinate_transformation_mode', 'Resize.nearest_mode', 'LSTM.direction', 'GRU.direction', 'RNN.direction', 'RNN.activations']));
  });
  it('nodeAttrProblem names an enum value outside the schema (for IR the builder did not check)', () => {
    expect(nodeAttrProblem({ op: 'Resize', attrs: { mode: 'linear', scales: [1, 2] } })).toBeUndefined();
    expect(nodeAttrProblem({ op: 'Resize', attrs: { mode: 'cubic', scales: [1, 2] } })).toBe(`attribute mode must be one of 'nearest', 'linear', got "cubic"`);
    expect(nodeAttrProblem({ op: 'Gelu', attrs: { approximate: 7 } })).toBe(`attribute approximate must be one of 'none', 'tanh', got 7`);
    expect(nodeAttrProblem({ op: 'Unknown', attrs: { mode: 'x' } })).toBeUndefined();
  });
  it('only Dropout is training-only', () => {
    expect(CORE_OPS.filter((s) => s.trainingOnly).map((s) => s.name)).toEqual(['Dropout']);
  });
});

describe('activations', () => {
  it('keep shape including symbols and count one FLOP per element', () => {
    for (const op of ['Relu', 'LeakyRelu', 'Elu', 'Gelu', 'Sigmoid', 'Tanh']) {
      expect(infer(op, [f('batch', 3, 4)])).toEqual([['batch', 3, 4]]);
      expect(flops(op, [f('batch', 3, 4)])).toBe(12);
    }
  });
  it('softmax checks its axis and counts 3 per element', () => {
    expect(infer('Softmax', [f('batch', 10)])).toEqual([['batch', 10]]);
    expect(infer('LogSoftmax', [f('batch', 10)], { axis: 1 })).toEqual([['batch', 10]]);
    expect(flops('Softmax', [f('batch', 10)])).toBe(30);
    fails('Softmax', [f('batch', 10)], { axis: 2 }, /axis 2 is out of range for f32\[batch, 10\]/);
    fails('LogSoftmax', [f('batch', 10)], { axis: -3 }, /out of range/);
  });
  it('rejects integer inputs and unknown gelu modes', () => {
    fails('Sigmoid', [t('i32', 3)], {}, /X must be f32, got i32\[3\]/);
    fails('Relu', [t('i64', 'batch')], {}, /X must be f32, got i64\[batch\]/);
    fails('Gather', [f(5, 6), t('i32', 2)], { axis: 2 }, /axis 2 is out of range for f32\[5, 6\]/);
    fails('Gelu', [f(3)], { approximate: 'fast' }, /approximate must be one of 'none', 'tanh'/);
  });
});

describe('broadcasting binary ops', () => {
  it('broadcast like NumPy with symbols', () => {
    expect(infer('Add', [f('batch', 3, 4), f(4)])).toEqual([['batch', 3, 4]]);
    expect(infer('Mul', [f('batch', 1, 4), f(3, 1)])).toEqual([['batch', 3, 4]]);
    expect(infer('Sub', [f(1), f('batch', 'time')])).toEqual([['batch', 'time']]);
    expect(infer('Div', [f('batch', 5), f('batch', 5)])).toEqual([['batch', 5]]);
    expect(flops('Add', [f('batch', 3, 4), f(4)])).toBe(12);
  });
  it('name both shapes on mismatch', () => {
    fails('Add', [f('batch', 3), f('batch', 4)], {}, /cannot broadcast \[batch, 3\] with \[batch, 4\]/);
    fails('Add', [f('batch', 3), f('time', 3)], {}, /\[batch, 3\] with \[time, 3\]/);
    fails('Mul', [f(3), t('i32', 3)], {}, /different dtypes/);
  });
});

describe('MatMul and Gemm', () => {
  it('MatMul: 2-D, batched, broadcast and 1-D promotion', () => {
    expect(infer('MatMul', [f('batch', 20), f(20, 5)])).toEqual([['batch', 5]]);
    expect(infer('MatMul', [f('batch', 'time', 20), f(20, 5)])).toEqual([['batch', 'time', 5]]);
    expect(infer('MatMul', [f(2, 1, 3, 4), f(5, 4, 6)])).toEqual([[2, 5, 3, 6]]);
    expect(infer('MatMul', [f(4), f(4, 6)])).toEqual([[6]]);
    expect(infer('MatMul', [f(3, 4), f(4)])).toEqual([[3]]);
    expect(flops('MatMul', [f('batch', 20), f(20, 5)])).toBe(2 * 20 * 5);
  });
  it('MatMul: inner dim mismatch names both shapes', () => {
    fails('MatMul', [f('batch', 20), f(21, 5)], {}, /inner dims of A \[batch, 20\] and B \[21, 5\]: 20 does not match 21/);
  });
  it('Gemm: transB like PyTorch Linear, bias broadcast, flops', () => {
    expect(infer('Gemm', [f('batch', 320), f(50, 320), f(50)], { transB: 1 })).toEqual([['batch', 50]]);
    expect(infer('Gemm', [f(320, 'batch'), f(320, 50)], { transA: 1 })).toEqual([['batch', 50]]);
    expect(flops('Gemm', [f('batch', 320), f(50, 320), f(50)], { transB: 1 })).toBe(2 * 320 * 50 + 50);
    expect(flops('Gemm', [f('batch', 320), f(50, 320)], { transB: 1 })).toBe(2 * 320 * 50);
  });
  it('Gemm: rejects mismatched K, bad bias, wrong rank', () => {
    fails('Gemm', [f('batch', 320), f(50, 300)], { transB: 1 }, /inner dims of A \[batch, 320\] and B \[50, 300\] \(transposed\): 320 does not match 300/);
    fails('Gemm', [f('batch', 320), f(50, 320), f(49)], { transB: 1 }, /cannot broadcast \[49\] with \[batch, 50\]/);
    fails('Gemm', [f('batch', 1, 320), f(50, 320)], { transB: 1 }, /A must have rank 2/);
  });
});

describe('Conv', () => {
  const conv = (x: TensorType, w: TensorType, attrs: Record<string, AttrValue> = {}, b?: TensorType) =>
    infer('Conv', [x, w, b], { kernel_shape: w.shape.slice(2) as number[], ...attrs })[0];
  it('valid 2-D conv (MNIST conv1), flops with bias', () => {
    expect(conv(f('batch', 1, 28, 28), f(10, 1, 5, 5), {}, f(10))).toEqual(['batch', 10, 24, 24]);
    expect(flops('Conv', [f('batch', 1, 28, 28), f(10, 1, 5, 5), f(10)], { kernel_shape: [5, 5] })).toBe(2 * 1 * 25 * 24 * 24 * 10 + 24 * 24 * 10);
  });
  it("'same'-style symmetric and asymmetric pads, strides, dilation", () => {
    expect(conv(f('batch', 3, 32, 32), f(8, 3, 3, 3), { pads: [1, 1, 1, 1] })).toEqual(['batch', 8, 32, 32]);
    // TF 'SAME' with stride 2 on an even input: pad 0 before, 1 after.
    expect(conv(f('batch', 3, 32, 32), f(8, 3, 3, 3), { strides: [2, 2], pads: [0, 0, 1, 1] })).toEqual(['batch', 8, 16, 16]);
    expect(conv(f('batch', 3, 32, 32), f(8, 3, 3, 3), { strides: [2, 2] })).toEqual(['batch', 8, 15, 15]);
    expect(conv(f('batch', 3, 32, 32), f(8, 3, 3, 3), { dilations: [2, 2] })).toEqual(['batch', 8, 28, 28]);
    expect(conv(f('batch', 3, 7, 9), f(4, 3, 3, 2), { strides: [2, 3], pads: [1, 0, 1, 0] })).toEqual(['batch', 4, 4, 3]);
  });
  it('1-D conv with a symbolic length gives an expression symbol', () => {
    expect(conv(f('batch', 16, 'time'), f(32, 16, 3))).toEqual(['batch', 32, 'time-2']);
    expect(conv(f('batch', 16, 'time'), f(32, 16, 3), { pads: [1, 1] })).toEqual(['batch', 32, 'time']);
    expect(conv(f('batch', 16, 'time'), f(32, 16, 3), { strides: [2] })).toEqual(['batch', 32, 'floor((time-3)/2)+1']);
    expect(conv(f('batch', 16, 100), f(32, 16, 3), { strides: [2] })).toEqual(['batch', 32, 49]);
  });
  it('groups: depthwise and grouped, flops use C/group', () => {
    expect(conv(f('batch', 32, 10, 10), f(32, 1, 3, 3), { group: 32 })).toEqual(['batch', 32, 8, 8]);
    expect(conv(f('batch', 8, 10, 10), f(16, 2, 3, 3), { group: 4 })).toEqual(['batch', 16, 8, 8]);
    expect(flops('Conv', [f('batch', 8, 10, 10), f(16, 2, 3, 3)], { kernel_shape: [3, 3], group: 4 })).toBe(2 * 2 * 9 * 64 * 16);
  });
  it('rejects channel mismatches naming both shapes', () => {
    fails('Conv', [f('batch', 3, 28, 28), f(10, 1, 5, 5)], { kernel_shape: [5, 5] }, /W \[10, 1, 5, 5\] expects 1 input channels per group but X \[batch, 3, 28, 28\] has 3/);
    fails('Conv', [f('batch', 6, 28, 28), f(8, 2, 5, 5)], { kernel_shape: [5, 5], group: 3 }, /output channels 8 of W \[8, 2, 5, 5\] are not divisible by group 3/);
    fails('Conv', [f('batch', 5, 28, 28), f(10, 1, 5, 5)], { kernel_shape: [5, 5], group: 2 }, /input channels 5 .* not divisible by group 2/);
  });
  it('rejects too-small inputs, bad kernels, pads and bias', () => {
    fails('Conv', [f('batch', 1, 4, 4), f(10, 1, 5, 5)], { kernel_shape: [5, 5] }, /window spans 5 .* input is only 4/);
    fails('Conv', [f('batch', 1, 8, 8), f(10, 1, 5, 5)], { kernel_shape: [3, 3] }, /kernel_shape \[3, 3\] does not match W \[10, 1, 5, 5\]/);
    fails('Conv', [f('batch', 1, 8, 8), f(10, 1, 5, 5)], { kernel_shape: [5, 5], pads: [1, 1] }, /pads has 2 values but needs 4/);
    fails('Conv', [f('batch', 1, 8, 8), f(10, 1, 5, 5), f(9)], { kernel_shape: [5, 5] }, /bias B \[9\] must be \[10\]/);
    fails('Conv', [f('batch', 1, 8), f(10, 1, 5, 5)], { kernel_shape: [5, 5] }, /must have the rank of X/);
    fails('Conv', [f('batch', 'c', 8, 8), f(10, 1, 5, 5)], { kernel_shape: [5, 5] }, /channel dim .* must be a fixed size/);
    fails('Conv', [f(8, 8), f(10, 1, 5, 5)], { kernel_shape: [5, 5] }, /X must have rank 3 to 5/);
  });
});

describe('ConvTranspose', () => {
  const ct = (x: TensorType, w: TensorType, attrs: Record<string, AttrValue> = {}) =>
    infer('ConvTranspose', [x, w], { kernel_shape: w.shape.slice(2) as number[], ...attrs })[0];
  it('output size = s(in−1) + op + d(k−1) + 1 − pads (PyTorch ConvTranspose2d)', () => {
    expect(ct(f('batch', 16, 7, 7), f(16, 8, 4, 4), { strides: [2, 2], pads: [1, 1, 1, 1] })).toEqual(['batch', 8, 14, 14]);
    expect(ct(f('batch', 16, 7, 7), f(16, 8, 3, 3), { strides: [2, 2], pads: [1, 1, 1, 1], output_padding: [1, 1] })).toEqual(['batch', 8, 14, 14]);
    expect(ct(f('batch', 16, 7, 7), f(16, 8, 3, 3), { strides: [2, 2], pads: [1, 1, 1, 1] })).toEqual(['batch', 8, 13, 13]);
    expect(ct(f('batch', 4, 5, 5), f(4, 3, 3, 3), { dilations: [2, 2] })).toEqual(['batch', 3, 9, 9]);
    expect(ct(f('batch', 4, 5, 5), f(4, 3, 3, 3), { group: 2 })).toEqual(['batch', 6, 7, 7]);
    expect(ct(f('batch', 4, 'time'), f(4, 3, 3), { strides: [2] })).toEqual(['batch', 3, '((time-1)*2)+3']);
  });
  it('flops scatter each input element over M/group·k outputs', () => {
    expect(flops('ConvTranspose', [f('batch', 16, 7, 7), f(16, 8, 4, 4), f(8)], { kernel_shape: [4, 4], strides: [2, 2], pads: [1, 1, 1, 1] })).toBe(
      2 * 16 * 49 * 8 * 16 + 8 * 14 * 14,
    );
  });
  it('rejects bad output_padding and channel mismatch', () => {
    fails('ConvTranspose', [f('batch', 16, 7, 7), f(16, 8, 3, 3)], { kernel_shape: [3, 3], strides: [2, 2], output_padding: [2, 2] }, /output_padding 2 .* smaller than the stride 2/);
    fails('ConvTranspose', [f('batch', 16, 7, 7), f(8, 8, 3, 3)], { kernel_shape: [3, 3] }, /W \[8, 8, 3, 3\] expects 8 input channels but X \[batch, 16, 7, 7\] has 16/);
    fails('ConvTranspose', [f('batch', 16, 1, 1), f(16, 8, 1, 1)], { kernel_shape: [1, 1], pads: [1, 1, 1, 1] }, /output size -1/);
  });
});

describe('pooling', () => {
  it('MaxPool: kernel 2 stride 2, floor and ceil mode', () => {
    expect(infer('MaxPool', [f('batch', 10, 24, 24)], { kernel_shape: [2, 2], strides: [2, 2] })).toEqual([['batch', 10, 12, 12]]);
    expect(infer('MaxPool', [f('batch', 10, 25, 25)], { kernel_shape: [2, 2], strides: [2, 2] })).toEqual([['batch', 10, 12, 12]]);
    expect(infer('MaxPool', [f('batch', 10, 25, 25)], { kernel_shape: [2, 2], strides: [2, 2], ceil_mode: 1 })).toEqual([['batch', 10, 13, 13]]);
    // ceil mode never starts a window in the end padding: PyTorch gives 3 here, not 4.
    expect(infer('MaxPool', [f('batch', 1, 5, 5)], { kernel_shape: [2, 2], strides: [2, 2], pads: [1, 1, 1, 1], ceil_mode: 1 })).toEqual([['batch', 1, 3, 3]]);
    expect(infer('MaxPool', [f('batch', 1, 6, 6)], { kernel_shape: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1], ceil_mode: 1 })).toEqual([['batch', 1, 4, 4]]);
    expect(infer('MaxPool', [f('batch', 4, 'time')], { kernel_shape: [2], strides: [2] })).toEqual([['batch', 4, 'floor((time-2)/2)+1']]);
    expect(infer('MaxPool', [f('batch', 4, 10, 10)], { kernel_shape: [3, 3], dilations: [2, 2] })).toEqual([['batch', 4, 6, 6]]);
    expect(flops('MaxPool', [f('batch', 10, 24, 24)], { kernel_shape: [2, 2], strides: [2, 2] })).toBe(4 * 10 * 12 * 12);
  });
  it('AveragePool with padding', () => {
    expect(infer('AveragePool', [f('batch', 3, 32, 32)], { kernel_shape: [3, 3], strides: [1, 1], pads: [1, 1, 1, 1] })).toEqual([['batch', 3, 32, 32]]);
    expect(infer('AveragePool', [f('batch', 3, 7, 7)], { kernel_shape: [3, 3], strides: [2, 2], ceil_mode: 1 })).toEqual([['batch', 3, 3, 3]]);
  });
  it('pool errors', () => {
    fails('MaxPool', [f('batch', 1, 3, 3)], { kernel_shape: [4, 4] }, /window spans 4 .* only 3/);
    fails('MaxPool', [f('batch', 1, 8, 8)], { kernel_shape: [2, 2], pads: [2, 2, 2, 2] }, /at most half the kernel/);
    fails('AveragePool', [f('batch', 1, 8, 8)], { kernel_shape: [2] }, /kernel_shape \[2\] has 1 values but X \[batch, 1, 8, 8\] has 2 spatial/);
  });
  it('GlobalAveragePool keeps [N, C, 1, 1]', () => {
    expect(infer('GlobalAveragePool', [f('batch', 64, 7, 7)])).toEqual([['batch', 64, 1, 1]]);
    expect(infer('GlobalAveragePool', [f('batch', 64, 'time')])).toEqual([['batch', 64, 1]]);
    expect(flops('GlobalAveragePool', [f('batch', 64, 7, 7)])).toBe(64 * 49);
    fails('GlobalAveragePool', [f('batch', 64)], {}, /rank ≥ 3/);
  });
});

describe('normalization and dropout', () => {
  it('BatchNormalization checks every per-channel input', () => {
    const c = f(16);
    expect(infer('BatchNormalization', [f('batch', 16, 8, 8), c, c, c, c])).toEqual([['batch', 16, 8, 8]]);
    expect(infer('BatchNormalization', [f('batch', 16), c, c, c, c])).toEqual([['batch', 16]]);
    fails('BatchNormalization', [f('batch', 16, 8, 8), c, c, f(8), c], {}, /input_mean \[8\] vs the channels of X \[batch, 16, 8, 8\]: 8 does not match 16/);
    fails('BatchNormalization', [f('batch', 16, 8, 8), c, c, c, undefined], {}, /input_var is missing/);
    fails('BatchNormalization', [f('batch', 16, 8, 8), c, c, c, c], { momentum: 1.5 }, /momentum must be in \[0, 1\]/);
  });
  it('LayerNormalization over the trailing dims', () => {
    expect(infer('LayerNormalization', [f('batch', 'time', 64), f(64), f(64)])).toEqual([['batch', 'time', 64]]);
    expect(infer('LayerNormalization', [f('batch', 4, 5), f(4, 5)], { axis: 1 })).toEqual([['batch', 4, 5]]);
    fails('LayerNormalization', [f('batch', 64), f(32), f(32)], {}, /Scale \[32\] vs the normalized shape \[64\] of X: 32 does not match 64/);
    fails('LayerNormalization', [f('batch', 4, 5), f(5)], { axis: 1 }, /Scale \[5\] must have the normalized shape \[4, 5\]/);
  });
  it('Dropout keeps shape, checks ratio, no flops', () => {
    expect(infer('Dropout', [f('batch', 50)], { ratio: 0.2 })).toEqual([['batch', 50]]);
    expect(flops('Dropout', [f('batch', 50)])).toBe(0);
    fails('Dropout', [f('batch', 50)], { ratio: 1 }, /ratio must be in \[0, 1\)/);
  });
});

describe('shape ops', () => {
  it('Flatten multiplies, including symbols', () => {
    expect(infer('Flatten', [f('batch', 20, 4, 4)])).toEqual([['batch', 320]]);
    expect(infer('Flatten', [f('batch', 'time', 8)], { axis: 2 })).toEqual([['batch*time', 8]]);
    expect(infer('Flatten', [f('batch', 20, 4, 4)], { axis: 0 })).toEqual([[1, 'batch*320']]);
    expect(infer('Flatten', [f('batch', 20, 4, 4)], { axis: -1 })).toEqual([['batch*80', 4]]);
    fails('Flatten', [f('batch', 3)], { axis: 3 }, /axis 3 is out of range/);
  });
  it('Reshape: 0 copies, −1 infers, symbols cancel', () => {
    expect(infer('Reshape', [f('batch', 20, 4, 4)], { shape: [0, -1] })).toEqual([['batch', 320]]);
    expect(infer('Reshape', [f('batch', 320)], { shape: [0, 20, 4, 4] })).toEqual([['batch', 20, 4, 4]]);
    expect(infer('Reshape', [f('batch', 1, 128)], { shape: [0, 128] })).toEqual([['batch', 128]]);
    expect(infer('Reshape', [f('batch*time', 8)], { shape: [-1, 8] })).toEqual([['batch*time', 8]]);
    expect(infer('Reshape', [f(6, 4)], { shape: [3, -1] })).toEqual([[3, 8]]);
    expect(infer('Reshape', [f('batch', 'time', 2, 4)], { shape: [0, 0, -1] })).toEqual([['batch', 'time', 8]]);
  });
  it('Reshape errors name both shapes', () => {
    fails('Reshape', [f('batch', 320)], { shape: [0, 20, 4, 5] }, /cannot reshape \[batch, 320\] \(batch\*320 elements\) to \[batch, 20, 4, 5\] \(batch\*400 elements\)/);
    fails('Reshape', [f('batch', 10)], { shape: [0, 3, -1] }, /not divisible/);
    fails('Reshape', [f('batch', 10)], { shape: [-1, -1] }, /more than one -1/);
    fails('Reshape', [f('batch', 10)], { shape: [20, -1] }, /not divisible by 20/);
    fails('Reshape', [f(10)], { shape: [0, 0] }, /copies dim 1 \(0\) but the input \[10\] has only 1 dims/);
  });
  it('Transpose', () => {
    expect(infer('Transpose', [f('batch', 'time', 8)], { perm: [1, 0, 2] })).toEqual([['time', 'batch', 8]]);
    expect(infer('Transpose', [f(2, 3, 4)])).toEqual([[4, 3, 2]]);
    fails('Transpose', [f(2, 3, 4)], { perm: [0, 0, 1] }, /not a permutation of the 3 axes of \[2, 3, 4\]/);
  });
  it('Concat sums the axis and unifies the rest', () => {
    expect(infer('Concat', [f('batch', 16, 8, 8), f('batch', 32, 8, 8)], { axis: 1 })).toEqual([['batch', 48, 8, 8]]);
    expect(infer('Concat', [f('batch', 'a'), f('batch', 3), f('batch', 'b')], { axis: -1 })).toEqual([['batch', 'a+b+3']]);
    fails('Concat', [f('batch', 16, 8, 8), f('batch', 32, 4, 4)], { axis: 1 }, /concatenating \[batch, 16, 8, 8\], \[batch, 32, 4, 4\] along axis 1: dim 2: 4 does not match 8/);
    fails('Concat', [f('batch', 16), f('batch', 16, 1)], { axis: 1 }, /same rank/);
    expect(() => resolveAttrs(getOpSchema('Concat')!, {})).toThrow(/requires attribute 'axis'/);
  });
  it('Gather: embedding lookups need integer indices', () => {
    expect(infer('Gather', [f(1000, 64), t('i32', 'batch', 'time')])).toEqual([['batch', 'time', 64]]);
    expect(infer('Gather', [f(5, 6, 7), t('i64', 2)], { axis: 1 })).toEqual([[5, 2, 7]]);
    fails('Gather', [f(1000, 64), f('batch', 'time')], {}, /indices must be an integer tensor .* got f32\[batch, time\]/);
  });
  it('Slice: NumPy lengths, clamping, negative steps, symbolic dims', () => {
    const END = 2147483647;
    expect(infer('Slice', [f('batch', 10, 7)], { starts: [2, 1], ends: [8, END], axes: [1, 2], steps: [3, 2] })).toEqual([['batch', 2, 3]]);
    expect(infer('Slice', [f('batch', 10)], { starts: [-1], ends: [-END - 1], axes: [1], steps: [-1] })).toEqual([['batch', 10]]);
    expect(infer('Slice', [f('batch', 10)], { starts: [100], ends: [1], axes: [1], steps: [-4] })).toEqual([['batch', 2]]); // [9, 5]
    expect(infer('Slice', [f('batch', 10)], { starts: [-3], ends: [100], axes: [-1] })).toEqual([['batch', 3]]);
    expect(infer('Slice', [f('batch', 'time', 8)], { starts: [1], ends: [END], axes: [1] })).toEqual([['batch', 'time-1', 8]]);
    expect(infer('Slice', [f('batch', 'time', 8)], { starts: [2], ends: [-1], axes: [1] })).toEqual([['batch', 'time-3', 8]]);
    // A slice of a slice: the offsets add up (time-1, then 2:-1, is time-4), so it equals the one slice.
    expect(infer('Slice', [f('batch', 'time-1', 8)], { starts: [2], ends: [-1], axes: [1] })).toEqual([['batch', 'time-4', 8]]);
    expect(infer('Slice', [f('batch', 'time', 8)], { starts: [-4], ends: [END], axes: [1] })).toEqual([['batch', 4, 8]]);
    expect(infer('Slice', [f('batch', 'time')], { starts: [-1], ends: [-END - 1], axes: [1], steps: [-1] })).toEqual([['batch', 'time']]);
    fails('Slice', [f('batch', 'time')], { starts: [-2], ends: [3], axes: [1] }, /depends on its size/);
    fails('Slice', [f('batch', 'time')], { starts: [1], ends: [END], axes: [1], steps: [2] }, /step other than ±1/);
    fails('Slice', [f('batch', 4)], { starts: [3], ends: [1], axes: [1] }, /slice 3:1:1 of axis 1 of \[batch, 4\] is empty/);
    fails('Slice', [f('batch', 4)], { starts: [0], ends: [1], axes: [1], steps: [0] }, /step cannot be 0/);
    fails('Slice', [f('batch', 4)], { starts: [0, 0], ends: [1, 1], axes: [1, 1] }, /axis listed twice/);
    expect(flops('Slice', [f('batch', 4)], { starts: [0], ends: [1], axes: [1] })).toBe(0);
  });
  it('Split: equal parts or given lengths, one output each', () => {
    expect(infer('Split', [f('batch', 'time', 12)], { axis: -1 }, 3)).toEqual([['batch', 'time', 4], ['batch', 'time', 4], ['batch', 'time', 4]]);
    expect(infer('Split', [f('batch', 10)], { axis: 1, split: [7, 3] }, 2)).toEqual([['batch', 7], ['batch', 3]]);
    fails('Split', [f('batch', 10)], { axis: 1 }, /10 elements, which do not split into 3 equal parts/, 3);
    fails('Split', [f('batch', 10)], { axis: 1, split: [7, 2] }, /add up to 9, but axis 1 of \[batch, 10\] has 10/, 2);
    fails('Split', [f('batch', 10)], { axis: 1, split: [5, 5] }, /lists 2 lengths for 3 outputs/, 3);
    fails('Split', [f('batch', 'time')], { axis: 1 }, /symbolic dim time/, 2);
  });
  it('Resize scales every axis', () => {
    expect(infer('Resize', [f('batch', 8, 7, 7)], { scales: [1, 1, 2, 2] })).toEqual([['batch', 8, 14, 14]]);
    expect(infer('Resize', [f('batch', 8, 'time')], { scales: [1, 1, 2] })).toEqual([['batch', 8, 'time*2']]);
    fails('Resize', [f('batch', 8, 7, 7)], { scales: [2, 2] }, /one value per axis of X \[batch, 8, 7, 7\]/);
    fails('Resize', [f('batch', 8, 7, 7)], { scales: [1.5, 1, 1, 1] }, /symbolic dim batch .* only be scaled by an integer/);
    fails('Resize', [f(1, 8, 7, 7)], { scales: [1, 1, 2, 2], mode: 'cubic' }, /mode must be one of/);
  });
});

describe('recurrent ops (batch-first)', () => {
  it('LSTM forward and bidirectional shapes, with optional outputs', () => {
    const x = f('batch', 'time', 32);
    expect(infer('LSTM', [x, f(1, 512, 32), f(1, 512, 128), f(1, 1024)], { hidden_size: 128 }, 3)).toEqual([
      ['batch', 'time', 1, 128],
      ['batch', 1, 128],
      ['batch', 1, 128],
    ]);
    expect(infer('LSTM', [x, f(2, 256, 32), f(2, 256, 64), f(2, 512)], { hidden_size: 64, direction: 'bidirectional' }, 2)).toEqual([
      ['batch', 'time', 2, 64],
      ['batch', 2, 64],
    ]);
    expect(infer('LSTM', [x, f(1, 512, 32), f(1, 512, 128)], { hidden_size: 128 })).toEqual([['batch', 'time', 1, 128]]);
  });
  it('GRU and RNN', () => {
    const x = f('batch', 10, 16);
    expect(infer('GRU', [x, f(1, 96, 16), f(1, 96, 32), f(1, 192)], { hidden_size: 32 }, 2)).toEqual([['batch', 10, 1, 32], ['batch', 1, 32]]);
    expect(infer('RNN', [x, f(2, 8, 16), f(2, 8, 8), f(2, 16)], { hidden_size: 8, direction: 'bidirectional' }, 2)).toEqual([['batch', 10, 2, 8], ['batch', 2, 8]]);
  });
  it('optional sequence_lens and initial states are checked', () => {
    const x = f('batch', 10, 16);
    expect(infer('LSTM', [x, f(1, 32, 16), f(1, 32, 8), undefined, t('i32', 'batch'), f('batch', 1, 8), f('batch', 1, 8)], { hidden_size: 8 })).toEqual([['batch', 10, 1, 8]]);
    fails('LSTM', [x, f(1, 32, 16), f(1, 32, 8), undefined, f('batch')], { hidden_size: 8 }, /sequence_lens must be an integer/);
    fails('GRU', [x, f(1, 24, 16), f(1, 24, 8), undefined, undefined, f('batch', 2, 8)], { hidden_size: 8 }, /initial_h \[batch, 2, 8\] should be \[batch, 1, 8\]/);
  });
  it('rejects wrong weight shapes naming the expected shape', () => {
    const x = f('batch', 10, 16);
    fails('LSTM', [x, f(1, 32, 15), f(1, 32, 8)], { hidden_size: 8 }, /W \[1, 32, 15\] should be \[1, 32, 16\] for X \[batch, 10, 16\]; input size: 15 does not match 16/);
    fails('GRU', [x, f(1, 32, 16), f(1, 32, 8)], { hidden_size: 8 }, /W \[1, 32, 16\] should be \[1, 24, 16\]/);
    fails('LSTM', [x, f(1, 32, 16), f(1, 32, 8), f(1, 32)], { hidden_size: 8 }, /B \[1, 32\] should be \[1, 64\]/);
    fails('LSTM', [x, f(1, 32, 16), f(1, 32, 8)], { hidden_size: 8, direction: 'bidirectional' }, /directions: 1 does not match 2/);
    fails('LSTM', [f('batch', 16), f(1, 32, 16), f(1, 32, 8)], { hidden_size: 8 }, /X must have rank 3/);
    fails('LSTM', [x, f(1, 32, 16), f(1, 32, 8)], { hidden_size: 8, layout: 0 }, /layout must be 1/);
    fails('RNN', [x, f(1, 8, 16), f(1, 8, 8)], { hidden_size: 8, activations: ['Softsign'] }, /activations must be a list of one of 'Tanh', 'Relu', 'Sigmoid', got \["Softsign"\]/);
    fails('RNN', [x, f(1, 8, 16), f(1, 8, 8)], { hidden_size: 8, activations: ['Tanh', 'Relu'] }, /activations must list 1 function/);
    fails('LSTM', [x, f(1, 32, 16), f(1, 32, 8)], { hidden_size: 8, direction: 'sideways' }, /direction must be one of 'forward', 'reverse', 'bidirectional', got "sideways"/);
    fails('GRU', [x, f(1, 24, 16), f(1, 24, 8)], { hidden_size: 8 }, /only 2 outputs, 3 requested/, 3);
  });
  it('flops count per-step gate matmuls per direction', () => {
    // LSTM: seq 10, in 16, hidden 8, bias: (2·4·8·(16+8) + 2·4·8 + 9·8) per step.
    expect(flops('LSTM', [f('batch', 10, 16), f(1, 32, 16), f(1, 32, 8), f(1, 64)], { hidden_size: 8 })).toBe(10 * (2 * 32 * 24 + 64 + 72));
    expect(flops('GRU', [f('batch', 10, 16), f(2, 24, 16), f(2, 24, 8)], { hidden_size: 8, direction: 'bidirectional' })).toBe(2 * 10 * (2 * 24 * 24 + 56));
    expect(flops('RNN', [f('batch', 'time', 16), f(1, 8, 16), f(1, 8, 8), f(1, 16)], { hidden_size: 8 })).toBe(2 * 8 * 24 + 16 + 8);
  });
});

describe('docs/ops.md', () => {
  it('lists every op in its table', async () => {
    const { readFileSync } = await import('node:fs');
    const doc = readFileSync(new URL('../../../docs/ops.md', import.meta.url), 'utf8');
    const rows = doc.split('\n').filter((l) => l.startsWith('| ')).map((l) => l.split('|')[1]!);
    for (const s of CORE_OPS) expect(rows.some((r) => r.split(',').map((x) => x.trim()).includes(s.name)), s.name).toBe(true);
  });
});

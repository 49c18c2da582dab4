/**
 * Op conformance suite: every core op, forward and backward (gradients of Σ out·R for a fixed
 * random R, via tf.grads), on every backend available here, compared to the cpu backend; cpu
 * itself is checked against hand-written references (conv, pools, LSTM, GRU) and against
 * numeric gradients (central differences) for the ops whose gradients dlm composes itself.
 *
 * Tolerances (|a − e| ≤ atol + rtol·|e|):
 *   cpu vs reference, forward: 1e-4 / 1e-4 (float32 vs float64 accumulation).
 *   wasm vs cpu: forward 1e-4 / 1e-3, gradients 1e-3 / 1e-3 (XNNPACK sums in another order).
 *   webgpu vs cpu: forward 1e-3 / 1e-2, gradients 2e-3 / 1e-2 (GPU transcendental functions).
 *   numeric gradients (cpu, eps 1e-2, float32): 2e-2 / 5e-2.
 */
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, test } from 'vitest';
import type { AttrValue, Graph, TensorType } from '@dlm/core';
import { GraphExecutor, probeWebGpu, setupBackend } from '../src/index.js';
import { chainGraph, expectClose, opGraph, rand } from './helpers.js';
import { refConv2d, refGru, refLstm, refMaxPool2d } from './reference.js';
import { MATH_CASES, type CaseInput } from './op-cases.js';

type Input = CaseInput;

interface Case {
  name: string;
  inputs: Input[];
  graph: (types: (TensorType | undefined)[]) => Graph;
  training?: boolean;
  /** Check gradients numerically on cpu (the ops whose backward dlm composes). */
  numeric?: boolean;
  ref?: (v: Float32Array[]) => number[][];
}

const f32 = (shape: number[], extra: Partial<NonNullable<Input>> = {}): Input => ({ shape, ...extra });

function op(name: string, o: string, inputs: Input[], attrs: Record<string, AttrValue> = {}, more: Partial<Case> & { outputs?: number } = {}): Case {
  return { name, inputs, graph: (t) => opGraph(o, t, attrs, more.outputs), ...more };
}

const P = (k: number[]) => ({ kernel_shape: k });

const CASES: Case[] = [
  op('Identity', 'Identity', [f32([2, 3])]),
  op('Relu', 'Relu', [f32([2, 3, 4])]),
  op('LeakyRelu', 'LeakyRelu', [f32([2, 5])], { alpha: 0.2 }),
  op('Elu alpha 1', 'Elu', [f32([2, 5])]),
  op('Elu alpha 0.5', 'Elu', [f32([2, 5])], { alpha: 0.5 }, { numeric: true }),
  op('Gelu exact', 'Gelu', [f32([2, 5])], {}, { numeric: true }),
  op('Gelu tanh', 'Gelu', [f32([2, 5])], { approximate: 'tanh' }, { numeric: true }),
  op('Sigmoid', 'Sigmoid', [f32([2, 5])]),
  op('Tanh', 'Tanh', [f32([2, 5])]),
  op('Softmax axis 1 of rank 3', 'Softmax', [f32([2, 4, 3])], { axis: 1 }, { numeric: true }),
  op('LogSoftmax', 'LogSoftmax', [f32([3, 6])]),
  op('Add broadcast [C,1,1]', 'Add', [f32([2, 3, 4, 4]), f32([3, 1, 1])]),
  op('Sub', 'Sub', [f32([2, 3]), f32([2, 3])]),
  op('Mul broadcast', 'Mul', [f32([2, 3]), f32([3])]),
  op('Div', 'Div', [f32([2, 3]), f32([2, 3], { positive: true })]),
  op('MatMul batched x 2-D', 'MatMul', [f32([2, 3, 4]), f32([4, 5])]),
  op('MatMul 2-D x 1-D', 'MatMul', [f32([3, 4]), f32([4])]),
  op('Gemm transB alpha beta', 'Gemm', [f32([3, 4]), f32([5, 4]), f32([5])], { transB: 1, alpha: 0.5, beta: 2 }),
  op('Gemm transA', 'Gemm', [f32([4, 3]), f32([4, 5])], { transA: 1 }),
  op('Conv 2-D', 'Conv', [f32([2, 3, 7, 7]), f32([4, 3, 3, 3]), f32([4])], P([3, 3]), { numeric: true }), // bias: FusedConv2D's registered gradient
  op('Conv stride 2, asymmetric pads', 'Conv', [f32([2, 3, 8, 7]), f32([4, 3, 3, 2])], { ...P([3, 2]), strides: [2, 2], pads: [1, 0, 2, 1] }, { numeric: true }),
  op('Conv dilation 2', 'Conv', [f32([1, 2, 9, 9]), f32([3, 2, 3, 3])], { ...P([3, 3]), dilations: [2, 2], pads: [2, 2, 2, 2] }, { numeric: true }),
  op('Conv stride 2 + dilation 2', 'Conv', [f32([1, 2, 11, 10]), f32([3, 2, 3, 3]), f32([3])], { ...P([3, 3]), strides: [2, 2], dilations: [2, 2], pads: [1, 1, 1, 1] }),
  op('Conv group 2', 'Conv', [f32([2, 4, 6, 6]), f32([6, 2, 3, 3])], { ...P([3, 3]), group: 2, pads: [1, 1, 1, 1] }, { numeric: true }),
  op('Conv depthwise, multiplier 2, stride 2', 'Conv', [f32([2, 3, 7, 7]), f32([6, 1, 3, 3]), f32([6])], { ...P([3, 3]), group: 3, strides: [2, 2], pads: [1, 1, 1, 1] }, { numeric: true }),
  op('Conv 1-D stride 2 pads', 'Conv', [f32([2, 3, 10]), f32([4, 3, 3]), f32([4])], { ...P([3]), strides: [2], pads: [1, 2] }),
  op('ConvTranspose stride 2 pads output_padding', 'ConvTranspose', [f32([2, 3, 4, 4]), f32([3, 2, 3, 3]), f32([2])], { ...P([3, 3]), strides: [2, 2], pads: [1, 1, 1, 1], output_padding: [1, 1] }, { numeric: true }),
  op('ConvTranspose group 2 dilation 2', 'ConvTranspose', [f32([1, 4, 3, 3]), f32([4, 1, 2, 2])], { ...P([2, 2]), group: 2, dilations: [2, 2] }),
  op('ConvTranspose 1-D', 'ConvTranspose', [f32([2, 3, 5]), f32([3, 2, 4])], { ...P([4]), strides: [2], pads: [1, 1] }),
  op('MaxPool k2 s2', 'MaxPool', [f32([2, 3, 8, 8])], { ...P([2, 2]), strides: [2, 2] }),
  op('MaxPool k3 s2 pads ceil', 'MaxPool', [f32([2, 2, 7, 8])], { ...P([3, 3]), strides: [2, 2], pads: [1, 1, 1, 0], ceil_mode: 1 }),
  op('MaxPool 1-D', 'MaxPool', [f32([2, 3, 9])], { ...P([3]), strides: [1], pads: [1, 1] }),
  op('AveragePool k2 s2', 'AveragePool', [f32([2, 3, 6, 6])], { ...P([2, 2]), strides: [2, 2] }),
  op('AveragePool pads, exclude pad', 'AveragePool', [f32([2, 2, 7, 7])], { ...P([3, 3]), strides: [2, 2], pads: [1, 1, 1, 1] }, { numeric: true }),
  op('AveragePool pads, count_include_pad, ceil', 'AveragePool', [f32([1, 2, 6, 7])], { ...P([3, 3]), strides: [2, 2], pads: [1, 1, 1, 1], count_include_pad: 1, ceil_mode: 1 }, { numeric: true }),
  op('GlobalAveragePool', 'GlobalAveragePool', [f32([2, 3, 5, 4])]),
  op('BatchNormalization inference', 'BatchNormalization', [f32([2, 3, 4, 4]), f32([3]), f32([3]), f32([3]), f32([3], { positive: true })]),
  op('BatchNormalization training', 'BatchNormalization', [f32([4, 3, 3, 3]), f32([3]), f32([3]), f32([3], { noGrad: true }), f32([3], { positive: true, noGrad: true })], {}, { training: true, numeric: true }),
  op('BatchNormalization training rank 2', 'BatchNormalization', [f32([6, 3]), f32([3]), f32([3]), f32([3], { noGrad: true }), f32([3], { positive: true, noGrad: true })], {}, { training: true }),
  op('LayerNormalization last axis', 'LayerNormalization', [f32([2, 3, 5]), f32([5]), f32([5])], {}, { numeric: true }),
  op('LayerNormalization axis 1', 'LayerNormalization', [f32([2, 3, 4]), f32([3, 4]), f32([3, 4])], { axis: 1 }),
  op('Dropout at inference is identity', 'Dropout', [f32([3, 4])], { ratio: 0.5 }),
  op('Flatten axis 2', 'Flatten', [f32([2, 3, 4, 2])], { axis: 2 }),
  op('Reshape 0 and -1', 'Reshape', [f32([2, 3, 4])], { shape: [0, -1, 2] }),
  op('Transpose', 'Transpose', [f32([2, 3, 4])], { perm: [1, 2, 0] }),
  op('Concat axis 1', 'Concat', [f32([2, 3, 2, 2]), f32([2, 1, 2, 2])], { axis: 1 }),
  {
    // ONNX Gather counts a negative index from the end. Ids fed straight from a graph input are
    // checked against the table instead (DLM5020, executor.test.ts), so the index is computed here.
    name: 'Gather embeddings (negative computed index)',
    inputs: [f32([6, 4]), { shape: [2, 3], dtype: 'i32', data: Int32Array.from([0, 5, 2, -1, 3, 3]), noGrad: true }],
    graph: (t) =>
      chainGraph(t, (b, [table, ids]) => {
        const [zero] = b.emitNode('ConstantOfShape', [], { shape: [], dtype: 'i32' }, 1);
        const [idx] = b.emitNode('Add', [ids!, zero!], {}, 1);
        return b.emitNode('Gather', [table!, idx!], { axis: 0 }, 1);
      }),
  },
  op('Slice contiguous, negative start, two axes', 'Slice', [f32([2, 5, 7])], { starts: [1, -4], ends: [2147483647, -1], axes: [1, 2], steps: [1, 1] }),
  op('Slice step 2 and step -1', 'Slice', [f32([2, 5, 7])], { starts: [0, -1], ends: [2147483647, -2147483648], axes: [2, 1], steps: [2, -1] }, { numeric: true }),
  op('Slice step -2 from past the end', 'Slice', [f32([2, 5, 7])], { starts: [7], ends: [1], axes: [-1], steps: [-2] }, { numeric: true }),
  op('Split 3 equal parts on the last axis', 'Split', [f32([2, 3, 6])], { axis: -1, split: [2, 2, 2] }, { outputs: 3 }),
  op('Split sizes on axis 1', 'Split', [f32([2, 5, 3])], { axis: 1, split: [3, 2] }, { outputs: 2, numeric: true }),
  op('LSTM forward, all outputs', 'LSTM', [f32([2, 4, 3]), f32([1, 20, 3]), f32([1, 20, 5]), f32([1, 40])], { hidden_size: 5 }, { outputs: 3, numeric: true }),
  op('LSTM bidirectional with initial state', 'LSTM', [f32([2, 3, 3]), f32([2, 16, 3]), f32([2, 16, 4]), f32([2, 32]), undefined, f32([2, 2, 4]), f32([2, 2, 4])], { hidden_size: 4, direction: 'bidirectional' }, { outputs: 3 }),
  op('GRU linear_before_reset 1', 'GRU', [f32([2, 4, 3]), f32([1, 15, 3]), f32([1, 15, 5]), f32([1, 30])], { hidden_size: 5 }, { outputs: 2, numeric: true }),
  op('GRU linear_before_reset 0, reverse', 'GRU', [f32([2, 3, 3]), f32([1, 12, 3]), f32([1, 12, 4]), f32([1, 24])], { hidden_size: 4, linear_before_reset: 0, direction: 'reverse' }, { outputs: 2 }),
  op('RNN bidirectional', 'RNN', [f32([2, 3, 3]), f32([2, 4, 3]), f32([2, 4, 4]), f32([2, 8])], { hidden_size: 4, direction: 'bidirectional' }, { outputs: 2 }),
  op('Resize nearest x2 (PyTorch)', 'Resize', [f32([1, 2, 3, 3])], { scales: [1, 1, 2, 2] }),
  op('Resize nearest 1.5 half_pixel', 'Resize', [f32([1, 2, 4, 4])], { scales: [1, 1, 1.5, 1.5], coordinate_transformation_mode: 'half_pixel', nearest_mode: 'round_prefer_floor' }),
  op('Resize linear x2', 'Resize', [f32([1, 2, 3, 3])], { scales: [1, 1, 2, 2], mode: 'linear', coordinate_transformation_mode: 'half_pixel' }),
  {
    name: 'chain: conv → +bias[C,1,1] → relu → maxpool → concat → flatten (layout changes)',
    inputs: [f32([2, 2, 6, 6]), f32([3, 2, 3, 3]), f32([3, 1, 1])],
    graph: (t) =>
      chainGraph(t, (b, [x, w, bias]) => {
        const [c] = b.emitNode('Conv', [x!, w!], { kernel_shape: [3, 3], pads: [1, 1, 1, 1] }, 1);
        const [a] = b.emitNode('Add', [c!, bias!], {}, 1);
        const [r] = b.emitNode('Relu', [a!], {}, 1);
        const [p] = b.emitNode('MaxPool', [r!], { kernel_shape: [2, 2], strides: [2, 2] }, 1);
        const [q] = b.emitNode('AveragePool', [r!], { kernel_shape: [2, 2], strides: [2, 2] }, 1);
        const [k] = b.emitNode('Concat', [p!, q!], { axis: 1 }, 1);
        const [f] = b.emitNode('Flatten', [k!], { axis: 1 }, 1);
        return [f!, k!];
      }),
  },
  ...MATH_CASES,
];

interface Result {
  outs: Float32Array[];
  grads: (Float32Array | undefined)[];
}

function makeInputs(c: Case): { tensors: (tf.Tensor | undefined)[]; values: (Float32Array | Int32Array | undefined)[] } {
  const values = c.inputs.map((inp, i) => {
    if (!inp) return undefined;
    if (inp.data) return inp.data;
    const n = inp.shape.reduce((a, b) => a + 0 * b, 0) + inp.shape.reduce((a, b) => a * b, 1);
    let v = rand(n, 101 + 17 * i + c.name.length);
    if (inp.positive) v = v.map((x) => 0.5 + Math.abs(x));
    return v;
  });
  const tensors = c.inputs.map((inp, i) => (inp ? tf.tensor(values[i]!, inp.shape, TF_DTYPE[inp.dtype ?? 'f32']) : undefined));
  return { tensors, values };
}

const TF_DTYPE = { f32: 'float32', i32: 'int32', bool: 'bool' } as const;

function typesOf(c: Case): (TensorType | undefined)[] {
  return c.inputs.map((inp) => (inp ? { dtype: inp.dtype ?? 'f32', shape: inp.sym ?? inp.shape } : undefined));
}

/** Forward outputs and the gradients of Σ_k Σ out_k·R_k with respect to every float input. */
function runCase(c: Case, override?: (tf.Tensor | undefined)[]): Result {
  const r = runCaseTensors(c, override);
  const read = (t: tf.Tensor) => t.dataSync() as Float32Array;
  const out = { outs: r.outs.map(read), grads: r.grads.map((g) => g && read(g)) };
  tf.dispose([...r.outs, ...r.grads.filter((g): g is tf.Tensor => !!g)]);
  return out;
}

/** The same, read asynchronously (WebGPU in Node has no synchronous read-back). */
async function runCaseAsync(c: Case): Promise<Result> {
  const r = runCaseTensors(c);
  const read = async (t: tf.Tensor) => (await t.data()) as Float32Array;
  const out = { outs: await Promise.all(r.outs.map(read)), grads: await Promise.all(r.grads.map((g) => (g ? read(g) : undefined))) };
  tf.dispose([...r.outs, ...r.grads.filter((g): g is tf.Tensor => !!g)]);
  return out;
}

function runCaseTensors(c: Case, override?: (tf.Tensor | undefined)[]): { outs: tf.Tensor[]; grads: (tf.Tensor | undefined)[] } {
  const g = c.graph(typesOf(c));
  const { result: exec, diagnostics } = GraphExecutor.create(g);
  if (!exec) throw new Error(diagnostics.map((d) => d.message).join('\n'));
  return tf.tidy(() => {
    const { tensors } = makeInputs(c);
    const ins = override ?? tensors;
    const gradIdx = c.inputs.map((inp, i) => (inp && !inp.noGrad && (inp.dtype ?? 'f32') === 'f32' ? i : -1)).filter((i) => i >= 0);
    const forward = (...gts: tf.Tensor[]) => {
      const feed: Record<string, tf.Tensor> = {};
      ins.forEach((t, i) => {
        if (t) feed[`x${i}`] = t;
      });
      gradIdx.forEach((i, k) => (feed[`x${i}`] = gts[k]!));
      return exec.run(new Map(), feed, { training: c.training ?? false, seed: 1 }).outputs;
    };
    const outs = Object.values(forward(...gradIdx.map((i) => ins[i]!)));
    const weights = outs.map((o, k) => tf.tensor(rand(o.size, 900 + k), o.shape));
    // Only float outputs are differentiable (comparisons give bool, Cast/Range may give integers).
    const loss = (...gts: tf.Tensor[]) =>
      tf.addN(Object.values(forward(...gts)).flatMap((o, k) => (o.dtype === 'float32' ? [tf.sum(tf.mul(o, weights[k]!))] : [tf.scalar(0)]))) as tf.Scalar;
    const differentiable = outs.some((o) => o.dtype === 'float32');
    const grads = gradIdx.length && differentiable ? tf.grads(loss)(gradIdx.map((i) => ins[i]!)) : [];
    const gradByInput: (tf.Tensor | undefined)[] = c.inputs.map(() => undefined);
    gradIdx.forEach((i, k) => (gradByInput[i] = grads[k]!));
    return { outs, grads: gradByInput };
  });
}

/** Numeric gradient of the same loss at a few coordinates of each float input (central differences). */
function numericCheck(c: Case, analytic: Result): void {
  const { values } = makeInputs(c);
  const lossAt = (vals: (Float32Array | Int32Array | undefined)[]) => {
    const ts = c.inputs.map((inp, i) => (inp ? tf.tensor(vals[i]!, inp.shape, TF_DTYPE[inp.dtype ?? 'f32']) : undefined));
    const r = runCase({ ...c }, ts);
    tf.dispose(ts.filter((t): t is tf.Tensor => !!t));
    let s = 0;
    r.outs.forEach((o, k) => {
      const w = rand(o.length, 900 + k);
      for (let j = 0; j < o.length; j++) s += o[j]! * w[j]!;
    });
    return s;
  };
  const eps = 1e-2;
  c.inputs.forEach((inp, i) => {
    if (!inp || inp.noGrad || (inp.dtype ?? 'f32') !== 'f32') return;
    const v = values[i] as Float32Array;
    for (const j of [0, Math.floor(v.length / 3), Math.floor((2 * v.length) / 3), v.length - 1]) {
      const plus = values.map((x) => x && x.slice());
      const minus = values.map((x) => x && x.slice());
      (plus[i] as Float32Array)[j] = v[j]! + eps;
      (minus[i] as Float32Array)[j] = v[j]! - eps;
      const num = (lossAt(plus) - lossAt(minus)) / (2 * eps);
      const an = analytic.grads[i]![j]!;
      expect(Math.abs(num - an), `input ${i} [${j}]: numeric ${num} vs analytic ${an}`).toBeLessThanOrEqual(2e-2 + 5e-2 * Math.abs(num));
    }
  });
}

// ───────────────────────────── cpu: references and numeric gradients ─────────────────────────────

await setupBackend('cpu');
const CPU = new Map<string, Result>();
for (const c of CASES) CPU.set(c.name, runCase(c));

describe('cpu backend', { timeout: 60_000 }, () => {
  test.each(CASES.filter((c) => c.numeric).map((c) => [c.name, c] as const))('numeric gradients: %s', async (_n, c) => {
    await setupBackend('cpu');
    numericCheck(c, CPU.get(c.name)!);
  });

  test('Conv (stride 2, asymmetric pads) matches the naive reference', () => {
    const c = CASES.find((k) => k.name === 'Conv stride 2, asymmetric pads')!;
    const { values } = makeInputs(c);
    const ref = refConv2d(values[0] as Float32Array, [2, 3, 8, 7], values[1] as Float32Array, [4, 3, 3, 2], undefined, [2, 2], [1, 0, 2, 1], [1, 1], 1);
    expectClose(CPU.get(c.name)!.outs[0]!, ref.data, 1e-4, 1e-4, c.name);
  });

  test('Conv (stride 2 + dilation 2) and Conv (group 2) match the naive reference', () => {
    const c1 = CASES.find((k) => k.name === 'Conv stride 2 + dilation 2')!;
    const v1 = makeInputs(c1).values;
    const r1 = refConv2d(v1[0] as Float32Array, [1, 2, 11, 10], v1[1] as Float32Array, [3, 2, 3, 3], v1[2] as Float32Array, [2, 2], [1, 1, 1, 1], [2, 2], 1);
    expectClose(CPU.get(c1.name)!.outs[0]!, r1.data, 1e-4, 1e-4, c1.name);
    const c2 = CASES.find((k) => k.name === 'Conv group 2')!;
    const v2 = makeInputs(c2).values;
    const r2 = refConv2d(v2[0] as Float32Array, [2, 4, 6, 6], v2[1] as Float32Array, [6, 2, 3, 3], undefined, [1, 1], [1, 1, 1, 1], [1, 1], 2);
    expectClose(CPU.get(c2.name)!.outs[0]!, r2.data, 1e-4, 1e-4, c2.name);
    const c3 = CASES.find((k) => k.name === 'Conv depthwise, multiplier 2, stride 2')!;
    const v3 = makeInputs(c3).values;
    const r3 = refConv2d(v3[0] as Float32Array, [2, 3, 7, 7], v3[1] as Float32Array, [6, 1, 3, 3], v3[2] as Float32Array, [2, 2], [1, 1, 1, 1], [1, 1], 3);
    expectClose(CPU.get(c3.name)!.outs[0]!, r3.data, 1e-4, 1e-4, c3.name);
  });

  test('Slice picks the elements NumPy picks', () => {
    // x[:, ::-1, 7:1:-2] of a [2, 5, 7] arange: rows 4..0, columns 6, 4, 2 (numpy.arange(70).reshape(2, 5, 7)[:, ::-1, 7:1:-2]).
    const x = tf.reshape(tf.range(0, 70, 1, 'float32'), [2, 5, 7]);
    const g = opGraph('Slice', [{ dtype: 'f32', shape: [2, 5, 7] }], { starts: [-1, 7], ends: [-2147483648, 1], axes: [1, 2], steps: [-1, -2] });
    const exec = GraphExecutor.create(g).result!;
    const out = Object.values(exec.run(new Map(), { x0: x }, { training: false, seed: 1 }).outputs)[0]!;
    const want: number[] = [];
    for (const b of [0, 1]) for (const r of [4, 3, 2, 1, 0]) for (const c of [6, 4, 2]) want.push(b * 35 + r * 7 + c);
    expect(out.shape).toEqual([2, 5, 3]);
    expect(Array.from(out.dataSync())).toEqual(want);
  });

  test('MaxPool matches the naive reference', () => {
    const c = CASES.find((k) => k.name === 'MaxPool k2 s2')!;
    const v = makeInputs(c).values;
    expectClose(CPU.get(c.name)!.outs[0]!, refMaxPool2d(v[0] as Float32Array, [2, 3, 8, 8], [2, 2], [2, 2]).data, 0, 0, c.name);
  });

  test('LSTM (gates i,o,f,c) matches a naive cell', () => {
    const c = CASES.find((k) => k.name === 'LSTM forward, all outputs')!;
    const v = makeInputs(c).values as Float32Array[];
    const ref = refLstm(v[0]!, 2, 4, 3, v[1]!, v[2]!, v[3]!, 5);
    const [y, yh, yc] = CPU.get(c.name)!.outs;
    expectClose(y!, ref.y, 1e-5, 1e-4, 'Y');
    expectClose(yh!, ref.h, 1e-5, 1e-4, 'Y_h');
    expectClose(yc!, ref.c, 1e-5, 1e-4, 'Y_c');
  });

  test('GRU (gates z,r,h, linear_before_reset 1) matches a naive cell', () => {
    const c = CASES.find((k) => k.name === 'GRU linear_before_reset 1')!;
    const v = makeInputs(c).values as Float32Array[];
    const ref = refGru(v[0]!, 2, 4, 3, v[1]!, v[2]!, v[3]!, 5);
    expectClose(CPU.get(c.name)!.outs[0]!, ref.y, 1e-5, 1e-4, 'Y');
  });

  test('Resize nearest x2 repeats every pixel (PyTorch nn.Upsample)', () => {
    const c = CASES.find((k) => k.name === 'Resize nearest x2 (PyTorch)')!;
    const v = makeInputs(c).values[0]!;
    const out = CPU.get(c.name)!.outs[0]!;
    for (let ch = 0; ch < 2; ch++)
      for (let i = 0; i < 6; i++) for (let j = 0; j < 6; j++) expect(out[(ch * 6 + i) * 6 + j]).toBe(v[(ch * 3 + (i >> 1)) * 3 + (j >> 1)]);
  });

  test.each(CASES.filter((c) => c.ref).map((c) => [c.name, c] as const))('matches its JS reference: %s', (_n, c) => {
    const v = makeInputs(c).values.map((x) => Float32Array.from(x ?? []));
    c.ref!(v).forEach((want, k) => expectClose(CPU.get(c.name)!.outs[k]!, want, 1e-5, 1e-4, `${c.name} output ${k}`));
  });

  test('every core op has a case in this suite', async () => {
    const { OP_NAMES } = await import('@dlm/core');
    const covered = new Set(CASES.flatMap((c) => c.graph(typesOf(c)).nodes.map((n) => n.op)));
    expect(OP_NAMES.filter((o) => !covered.has(o))).toEqual([]);
  });
});

// ───────────────────────────── other backends vs cpu ─────────────────────────────

async function availability(name: 'wasm' | 'webgpu'): Promise<string | undefined> {
  try {
    if (name === 'webgpu') {
      const p = await probeWebGpu();
      if (!p.available) return p.why ?? 'no adapter';
    }
    await setupBackend(name);
    return undefined;
  } catch (e) {
    return e instanceof Error ? e.message : String(e);
  }
}

const TOL = { wasm: { f: [1e-4, 1e-3], g: [1e-3, 1e-3] }, webgpu: { f: [1e-3, 1e-2], g: [2e-3, 1e-2] } } as const;

for (const name of ['wasm', 'webgpu'] as const) {
  const why = process.env['DLM_SKIP_WEBGPU'] && name === 'webgpu' ? 'DLM_SKIP_WEBGPU is set' : await availability(name);
  describe.skipIf(why !== undefined)(`${name} backend vs cpu${why ? ` (skipped: ${why})` : ''}`, { timeout: 60_000 }, () => {
    test.each(CASES.map((c) => [c.name, c] as const))('%s', async (_n, c) => {
      await setupBackend(name);
      const r = await runCaseAsync(c);
      const ref = CPU.get(c.name)!;
      const [fa, fr] = TOL[name].f;
      const [ga, gr] = TOL[name].g;
      r.outs.forEach((o, k) => expectClose(o, ref.outs[k]!, fa, fr, `output ${k}`));
      r.grads.forEach((g, i) => {
        if (g) expectClose(g, ref.grads[i]!, ga, gr, `gradient of input ${i}`);
      });
    });
  });
}

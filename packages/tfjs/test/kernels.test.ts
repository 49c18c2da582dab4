/**
 * dlm's registered kernels (src/kernels/), on wasm and on cpu, against tfjs-backend-cpu's own
 * kernels (the originals, even where dlm replaced them on cpu), called directly by name with
 * strides, paddings ('valid', 'same', explicit asymmetric) and odd sizes, plus max-pool ties (the
 * gradient must go to the first maximum, as tfjs' cpu kernel does).
 * Tolerance: 1e-4 absolute + 1e-4 relative (float32, different summation order).
 */
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, test } from 'vitest';
import { replacedKernel, setupBackend } from '../src/index.js';
import { expectClose, rand } from './helpers.js';

type Attrs = Record<string, unknown>;
interface KCase {
  name: string;
  kernel: string;
  inputs: Record<string, { shape: number[]; data?: Float32Array }>;
  attrs: Attrs;
}

const cases: KCase[] = [];
const pads: [string, unknown][] = [
  ['valid', 'valid'],
  ['same', 'same'],
  ['explicit asymmetric', [[0, 0], [1, 2], [0, 1], [0, 0]]],
];
for (const stride of [1, 2, 3]) {
  for (const [pn, pad] of pads) {
    const x = [2, 9, 8, 3];
    const f = [3, 2, 3, 4];
    const info = tf.backend_util.computeConv2DInfo(x as [number, number, number, number], f as [number, number, number, number], stride, 1, pad as 'valid');
    const dy = [2, info.outHeight, info.outWidth, 4];
    cases.push({ name: `Conv2DBackpropFilter stride ${stride}, ${pn}`, kernel: 'Conv2DBackpropFilter', inputs: { x: { shape: x }, dy: { shape: dy } }, attrs: { strides: stride, pad, dataFormat: 'NHWC', filterShape: f } });
    cases.push({ name: `Conv2DBackpropInput stride ${stride}, ${pn}`, kernel: 'Conv2DBackpropInput', inputs: { dy: { shape: dy }, filter: { shape: f } }, attrs: { strides: stride, pad, dataFormat: 'NHWC', inputShape: x } });
  }
}
// Conv2DBackpropInput takes a GEMM + col2im path where the input is much larger than dy (the
// cases above with stride ≥ 2, and these) and the flipped convolution elsewhere (stride 1 above).
for (const [f, pad] of [[[5, 5, 3, 4], 'valid'], [[5, 4, 3, 2], [[0, 0], [1, 0], [0, 1], [0, 0]]]] as [number[], unknown][]) {
  const x = [2, 9, 8, 3];
  const info = tf.backend_util.computeConv2DInfo(x as [number, number, number, number], f as [number, number, number, number], 1, 1, pad as 'valid');
  const dy = [2, info.outHeight, info.outWidth, f[3]!];
  cases.push({ name: `Conv2DBackpropInput stride 1, ${f.slice(0, 2).join('×')} kernel, ${JSON.stringify(pad)}`, kernel: 'Conv2DBackpropInput', inputs: { dy: { shape: dy }, filter: { shape: f } }, attrs: { strides: 1, pad, dataFormat: 'NHWC', inputShape: x } });
}
for (const [k, s, pad] of [[2, 2, 'valid'], [3, 2, 'same'], [3, 1, [[0, 0], [1, 1], [0, 1], [0, 0]]], [2, 2, [[0, 0], [0, 1], [0, 1], [0, 0]]]] as [number, number, unknown][]) {
  const x = [2, 7, 6, 3];
  const info = tf.backend_util.computePool2DInfo(x as [number, number, number, number], k, s, 1, pad as 'valid');
  cases.push({ name: `MaxPoolGrad k${k} s${s} ${JSON.stringify(pad)}`, kernel: 'MaxPoolGrad', inputs: { dy: { shape: [2, info.outHeight, info.outWidth, 3] }, input: { shape: x } }, attrs: { filterSize: k, strides: s, pad } });
}
// Ties: a constant input and a 0/1 pattern; every window has several maxima.
const tieX = new Float32Array(2 * 6 * 6 * 2).map((_, i) => (i % 3 === 0 ? 1 : 0));
cases.push({ name: 'MaxPoolGrad ties (first maximum wins)', kernel: 'MaxPoolGrad', inputs: { dy: { shape: [2, 3, 3, 2] }, input: { shape: [2, 6, 6, 2], data: tieX } }, attrs: { filterSize: 2, strides: 2, pad: 'valid' } });
cases.push({ name: 'MaxPoolGrad all-equal input', kernel: 'MaxPoolGrad', inputs: { dy: { shape: [1, 2, 2, 1] }, input: { shape: [1, 5, 5, 1], data: new Float32Array(25).fill(0.5) } }, attrs: { filterSize: 3, strides: 2, pad: 'valid' } });
for (const [stride, pad] of [[1, 'same'], [2, 'valid'], [2, [[0, 0], [1, 0], [1, 1], [0, 0]]]] as [number, unknown][]) {
  const x = [2, 7, 7, 3];
  const f = [3, 3, 3, 2];
  const info = tf.backend_util.computeConv2DInfo(x as [number, number, number, number], f as [number, number, number, number], stride, 1, pad as 'valid', undefined, true);
  const dy = [2, info.outHeight, info.outWidth, 6];
  cases.push({ name: `DepthwiseConv2dNativeBackpropFilter stride ${stride} ${JSON.stringify(pad)}`, kernel: 'DepthwiseConv2dNativeBackpropFilter', inputs: { x: { shape: x }, dy: { shape: dy } }, attrs: { strides: stride, pad, filterShape: f, dilations: 1 } });
  cases.push({ name: `DepthwiseConv2dNativeBackpropInput stride ${stride} ${JSON.stringify(pad)}`, kernel: 'DepthwiseConv2dNativeBackpropInput', inputs: { dy: { shape: dy }, filter: { shape: f } }, attrs: { strides: stride, pad, inputShape: x, dilations: 1 } });
}
// BatchMatMul (wasm routes transposes and large batches onto its one-matrix fast path): every
// transpose combination, one matrix, a batch (per-matrix path), a broadcast operand, rank 4, and a
// batch too small for the per-matrix path.
for (const [ta, tb] of [[false, false], [true, false], [false, true], [true, true]] as [boolean, boolean][]) {
  const sh = (outer: number[], r: number, c: number, t: boolean) => [...outer, t ? c : r, t ? r : c];
  const mm = (label: string, ao: number[], bo: number[], m: number, k: number, n: number) =>
    cases.push({ name: `BatchMatMul ${label} tA=${ta} tB=${tb}`, kernel: 'BatchMatMul', inputs: { a: { shape: sh(ao, m, k, ta) }, b: { shape: sh(bo, k, n, tb) } }, attrs: { transposeA: ta, transposeB: tb } });
  mm('one matrix', [], [], 37, 50, 29);
  mm('batch of 3', [3], [3], 41, 50, 33);
  mm('batch × one (broadcast)', [3], [], 41, 50, 33);
  mm('one × batch (broadcast)', [1], [2], 41, 50, 33);
  mm('rank 4', [2, 2], [2, 2], 40, 40, 30);
  mm('small batch', [4], [4], 5, 6, 7);
}
cases.push({ name: 'UnsortedSegmentSum (out-of-range ids dropped)', kernel: 'UnsortedSegmentSum', inputs: { x: { shape: [6, 3] }, segmentIds: { shape: [6], data: Float32Array.from([0, 2, 2, 4, 1, 0]) } }, attrs: { numSegments: 4 } });

async function runOn(backend: 'cpu' | 'wasm' | 'tfjs-cpu', c: KCase): Promise<Float32Array> {
  const original = backend === 'tfjs-cpu' ? replacedKernel(c.kernel, 'cpu') : undefined;
  if (backend === 'tfjs-cpu') backend = 'cpu';
  await setupBackend(backend);
  const ins: Record<string, tf.Tensor> = {};
  let seed = 1;
  for (const [k, v] of Object.entries(c.inputs)) {
    const n = v.shape.reduce((a, b) => a * b, 1);
    ins[k] = k === 'segmentIds' ? tf.tensor(v.data!, v.shape, 'int32') : tf.tensor(v.data ?? rand(n, seed++ * 31 + c.name.length), v.shape);
  }
  if (c.kernel === 'MaxPoolGrad') {
    const a = c.attrs as { filterSize: number; strides: number; pad: 'valid' };
    ins['output'] = tf.maxPool(ins['input'] as tf.Tensor4D, a.filterSize, a.strides, a.pad);
  }
  let data: Float32Array;
  if (original) {
    // Call tfjs' own cpu kernel function directly (dlm replaced it in the registry).
    const b = tf.backend() as tf.KernelBackend & { disposeData(id: object): void };
    const info = original.kernelFunc({ inputs: ins, backend: b, attrs: c.attrs as tf.NamedAttrMap }) as tf.TensorInfo;
    data = b.readSync(info.dataId) as Float32Array;
    b.disposeData(info.dataId);
  } else {
    const out = tf.engine().runKernel(c.kernel, ins as unknown as tf.NamedTensorMap, c.attrs as tf.NamedAttrMap) as tf.Tensor;
    data = (await out.data()) as Float32Array;
    out.dispose();
  }
  tf.dispose(Object.values(ins));
  return data;
}

describe('dlm kernels vs tfjs-backend-cpu', { timeout: 60_000 }, () => {
  beforeAll(async () => {
    await setupBackend('wasm');
    await setupBackend('cpu');
  }, 120_000);
  test.each(cases.map((c) => [c.name, c] as const))('wasm: %s', async (_n, c) => {
    const expected = await runOn('tfjs-cpu', c);
    const actual = await runOn('wasm', c);
    expectClose(actual, expected, 1e-4, 1e-4, c.name);
  });
  test('wasm: BatchMatMul is dlm\'s routing kernel', () => expect(replacedKernel('BatchMatMul', 'wasm')).toBeDefined());
  const onCpu = cases.filter((c) => ['Conv2DBackpropFilter', 'MaxPoolGrad'].includes(c.kernel));
  test.each(onCpu.map((c) => [c.name, c] as const))('cpu: %s', async (_n, c) => {
    await setupBackend('cpu');
    expect(replacedKernel(c.kernel, 'cpu')).toBeDefined();
    const expected = await runOn('tfjs-cpu', c);
    const actual = await runOn('cpu', c);
    expectClose(actual, expected, 1e-4, 1e-4, c.name);
  });
});

describe('wasm Identity and same-dtype Cast share the buffer', { timeout: 60_000 }, () => {
  beforeAll(async () => {
    await setupBackend('wasm');
  }, 120_000);
  test('clone, cast and the tensors saved for the backward pass keep their values after the source is freed', async () => {
    await setupBackend('wasm');
    expect(replacedKernel('Identity', 'wasm')).toBeDefined();
    expect(replacedKernel('Cast', 'wasm')).toBeDefined();
    const before = tf.memory().numDataBuffers;
    const x = tf.tensor([1.5, -2, 3.25, 4], [2, 2]);
    const c = x.clone();
    const f = tf.cast(x, 'float32');
    const i = tf.cast(x, 'int32'); // a real conversion still converts
    expect(tf.memory().numDataBuffers - before).toBe(2); // x's buffer, shared by c and f, and the int32 copy
    x.dispose();
    expect(Array.from(await c.data())).toEqual([1.5, -2, 3.25, 4]);
    expect(Array.from(await f.data())).toEqual([1.5, -2, 3.25, 4]);
    expect(Array.from(await i.data())).toEqual([1, -2, 3, 4]);
    tf.dispose([c, f, i]);
    expect(tf.memory().numDataBuffers).toBe(before);
    // Gradients through ops whose inputs the tape saves (clones), with the inputs disposed early.
    const w = tf.variable(tf.tensor([0.5, -1, 2], [3]));
    const { value, grads } = tf.variableGrads(() => tf.sum(tf.mul(tf.square(w), tf.exp(w))) as tf.Scalar, [w]);
    const dw = await grads[w.name]!.data();
    const wv = [0.5, -1, 2];
    wv.forEach((v, k) => expect(dw[k]).toBeCloseTo(2 * v * Math.exp(v) + v * v * Math.exp(v), 5));
    tf.dispose([value, ...Object.values(grads), w]);
  });
});

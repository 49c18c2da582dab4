/**
 * ONNX's own backend test cases (Debian's libonnx-testdata): model.onnx plus input/output .pb.
 *  1. Each model is decoded with onnx-proto, re-encoded and run in onnxruntime-node against its
 *     expected outputs: this checks dlm's TensorProto reader and the proto round trip.
 *  2. For the ops dlm lowers, the same configuration is rebuilt as a dlm graph (weights from the
 *     test's .pb inputs), exported with exportOnnx and run: dlm's lowering must reproduce ONNX's
 *     reference outputs.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { AttrValue, Graph } from '@dlm/core';
import { decodeTensor, exportOnnx, onnx, runCheckerFriendlyName, type DecodedTensor } from './helpers/backend.js';
import { TestGraph } from './helpers/build.js';
import { maxAbsDiff, ort, runChecker, type HostTensor } from './helpers/run.js';
import { needs } from '../../../tools/test-support/system-tools.js';

const ROOT = '/usr/share/libonnx-testdata/data/node';
const HAVE_DATA = existsSync(ROOT);

interface TestCase {
  model: Uint8Array;
  inputs: DecodedTensor[];
  outputs: DecodedTensor[];
  inputNames: string[];
  outputNames: string[];
}

function load(name: string): TestCase {
  const dir = join(ROOT, name);
  const model = new Uint8Array(readFileSync(join(dir, 'model.onnx')));
  const m = onnx.ModelProto.decode(model);
  const set = join(dir, 'test_data_set_0');
  const read = (prefix: string) =>
    readdirSync(set)
      .filter((f) => f.startsWith(prefix))
      .sort((a, b) => Number(a.match(/\d+/)![0]) - Number(b.match(/\d+/)![0]))
      .map((f) => decodeTensor(new Uint8Array(readFileSync(join(set, f)))));
  const inits = new Set(m.graph!.initializer!.map((t) => t.name));
  return {
    model,
    inputs: read('input_'),
    outputs: read('output_'),
    inputNames: m.graph!.input!.map((v) => v.name!).filter((n) => !inits.has(n)),
    outputNames: m.graph!.output!.map((v) => v.name!),
  };
}

const ORT_TYPES: Record<number, string> = { 1: 'float32', 6: 'int32', 7: 'int64', 9: 'bool', 2: 'uint8' };

async function runModel(bytes: Uint8Array, feeds: Record<string, DecodedTensor | HostTensor>): Promise<Record<string, Float32Array>> {
  const session = await ort.InferenceSession.create(bytes, { logSeverityLevel: 3 });
  const f: Record<string, InstanceType<typeof ort.Tensor>> = {};
  for (const [k, v] of Object.entries(feeds)) {
    const type = 'dataType' in v ? ORT_TYPES[v.dataType]! : v.data instanceof Float32Array ? 'float32' : 'int64';
    f[k] = new ort.Tensor(type as 'float32', v.data as Float32Array, v.dims);
  }
  const r = await session.run(f);
  await session.release();
  return Object.fromEntries(Object.entries(r).map(([k, t]) => [k, t.data as Float32Array]));
}

/** ONNX's backend tests compare with rtol 1e-3, atol 1e-7; dlm holds itself to 1e-4 absolute on these small values. */
function expectClose(actual: Float32Array, expected: DecodedTensor, what: string): number {
  const d = maxAbsDiff(actual, expected.data as Float32Array);
  expect(d, what).toBeLessThanOrEqual(1e-4);
  return d;
}

const ROUND_TRIP = [
  'test_conv_with_strides_padding', 'test_conv_with_strides_and_asymmetric_padding', 'test_convtranspose', 'test_convtranspose_pads',
  'test_gemm_all_attributes', 'test_gemm_default_vector_bias', 'test_matmul_3d', 'test_add_bcast',
  'test_lstm_defaults', 'test_lstm_with_initial_bias', 'test_gru_defaults', 'test_gru_with_initial_bias', 'test_rnn_seq_length',
  'test_maxpool_2d_pads', 'test_maxpool_2d_ceil', 'test_averagepool_2d_pads_count_include_pad', 'test_globalaveragepool',
  'test_batchnorm_example', 'test_batchnorm_epsilon', 'test_layer_normalization_default_axis',
  'test_relu', 'test_leakyrelu', 'test_elu', 'test_sigmoid', 'test_tanh', 'test_erf', 'test_softmax_axis_1', 'test_logsoftmax_axis_1',
  'test_flatten_axis1', 'test_reshape_negative_dim', 'test_transpose_default', 'test_concat_2d_axis_1', 'test_gather_0',
  'test_resize_upsample_scales_nearest', 'test_identity',
];

describe.skipIf(!HAVE_DATA)('ONNX backend test data through dlm’s proto reader and onnxruntime', () => {
  it.each(ROUND_TRIP)('%s', async (name) => {
    const tc = load(name);
    // Decode and re-encode with onnx-proto: the bytes onnxruntime gets went through dlm's proto layer.
    const again = onnx.ModelProto.encode(onnx.ModelProto.decode(tc.model)).finish();
    const feeds = Object.fromEntries(tc.inputNames.map((n, i) => [n, tc.inputs[i]!]));
    const out = await runModel(again, feeds);
    tc.outputNames.forEach((n, i) => expectClose(out[n]!, tc.outputs[i]!, `${name} ${n}`));
  });
});

/** Rebuilds an ONNX test configuration as a dlm graph; tensors named in `params` become weights. */
interface Rebuild {
  test: string;
  build: (tc: TestCase) => { graph: Graph; weights: Map<string, Float32Array>; feeds: Record<string, HostTensor>; compare: [string, number][] };
}

/** A one-layer graph: `x` is input `xi` of the test; the other listed test inputs become params. */
function oneLayer(tc: TestCase, xi: number, paramIdx: number[], emit: (p: string[], x: string, ctx: Parameters<Parameters<TestGraph['layer']>[2]>[0]) => string[], xData?: HostTensor, outputs = 1) {
  const g = new TestGraph('Rebuilt');
  const xt = xData ?? { data: tc.inputs[xi]!.data as Float32Array, dims: tc.inputs[xi]!.dims };
  const x = g.input('x', xt.dims, xt.data instanceof BigInt64Array ? 'i64' : 'f32');
  const names: string[] = [];
  const outs = g.layer('rebuilt', [x], (ctx, [v]) => {
    const ps = paramIdx.map((i, k) => ctx.param(`p${k}`, tc.inputs[i]!.dims, { kind: 'zeros', args: {} }));
    names.push(...ps);
    return emit(ps, v!, ctx);
  });
  outs.slice(0, outputs).forEach((o, i) => g.output(`y${i}`, o));
  const graph = g.finish();
  const weights = new Map(names.map((n, k) => [n, tc.inputs[paramIdx[k]!]!.data as Float32Array]));
  return { graph, weights, feeds: { x: xt } };
}

/** [seq, batch, input] → [batch, seq, input] (dlm's recurrent ops are batch-first). */
function batchFirst(t: DecodedTensor): HostTensor {
  const [s, b, i] = t.dims as [number, number, number];
  const out = new Float32Array(t.data.length);
  for (let a = 0; a < s; a++) for (let c = 0; c < b; c++) for (let k = 0; k < i; k++) out[(c * s + a) * i + k] = (t.data as Float32Array)[(a * b + c) * i + k]!;
  return { data: out, dims: [b, s, i] };
}

const rec = (op: string, attrs: Record<string, AttrValue>, outputs: number) => (p: string[], x: string, ctx: Parameters<Parameters<TestGraph['layer']>[2]>[0]) =>
  ctx.op(op, [x, ...p], attrs, { outputs });

const REBUILDS: Rebuild[] = [
  { test: 'test_conv_with_strides_padding', build: (tc) => ({ ...oneLayer(tc, 0, [1], ([w], x, ctx) => ctx.op('Conv', [x, w!], { kernel_shape: [3, 3], pads: [1, 1, 1, 1], strides: [2, 2] })), compare: [['y0', 0]] }) },
  { test: 'test_conv_with_strides_and_asymmetric_padding', build: (tc) => ({ ...oneLayer(tc, 0, [1], ([w], x, ctx) => ctx.op('Conv', [x, w!], { kernel_shape: [3, 3], pads: [1, 0, 1, 0], strides: [2, 2] })), compare: [['y0', 0]] }) },
  { test: 'test_convtranspose', build: (tc) => ({ ...oneLayer(tc, 0, [1], ([w], x, ctx) => ctx.op('ConvTranspose', [x, w!], { kernel_shape: [3, 3] })), compare: [['y0', 0]] }) },
  { test: 'test_convtranspose_pads', build: (tc) => ({ ...oneLayer(tc, 0, [1], ([w], x, ctx) => ctx.op('ConvTranspose', [x, w!], { kernel_shape: [3, 3], strides: [3, 2], pads: [1, 2, 1, 2] })), compare: [['y0', 0]] }) },
  { test: 'test_gemm_all_attributes', build: (tc) => ({ ...oneLayer(tc, 0, [1, 2], ([b, c], x, ctx) => ctx.op('Gemm', [x, b!, c!], { alpha: 0.25, beta: 0.35, transA: 1, transB: 1 })), compare: [['y0', 0]] }) },
  { test: 'test_maxpool_2d_precomputed_pads', build: (tc) => ({ ...oneLayer(tc, 0, [], (_p, x, ctx) => ctx.op('MaxPool', [x], { kernel_shape: [5, 5], pads: [2, 2, 2, 2] })), compare: [['y0', 0]] }) },
  { test: 'test_maxpool_2d_ceil', build: (tc) => ({ ...oneLayer(tc, 0, [], (_p, x, ctx) => ctx.op('MaxPool', [x], { kernel_shape: [3, 3], strides: [2, 2], ceil_mode: 1 })), compare: [['y0', 0]] }) },
  { test: 'test_averagepool_2d_precomputed_pads_count_include_pad', build: (tc) => ({ ...oneLayer(tc, 0, [], (_p, x, ctx) => ctx.op('AveragePool', [x], { kernel_shape: [5, 5], pads: [2, 2, 2, 2], count_include_pad: 1 })), compare: [['y0', 0]] }) },
  { test: 'test_averagepool_2d_precomputed_strides', build: (tc) => ({ ...oneLayer(tc, 0, [], (_p, x, ctx) => ctx.op('AveragePool', [x], { kernel_shape: [2, 2], strides: [2, 2] })), compare: [['y0', 0]] }) },
  { test: 'test_batchnorm_example', build: (tc) => ({ ...oneLayer(tc, 0, [1, 2, 3, 4], (p, x, ctx) => ctx.op('BatchNormalization', [x, ...p])), compare: [['y0', 0]] }) },
  { test: 'test_batchnorm_epsilon', build: (tc) => ({ ...oneLayer(tc, 0, [1, 2, 3, 4], (p, x, ctx) => ctx.op('BatchNormalization', [x, ...p], { epsilon: 0.01 })), compare: [['y0', 0]] }) },
  { test: 'test_layer_normalization_default_axis', build: (tc) => ({ ...oneLayer(tc, 0, [1, 2], (p, x, ctx) => ctx.op('LayerNormalization', [x, ...p])), compare: [['y0', 0]] }) },
  { test: 'test_gather_0', build: (tc) => ({ ...oneLayer(tc, 1, [0], ([d], x, ctx) => ctx.op('Gather', [d!, x], { axis: 0 })), compare: [['y0', 0]] }) },
  { test: 'test_resize_upsample_scales_nearest', build: (tc) => ({ ...oneLayer(tc, 0, [], (_p, x, ctx) => ctx.op('Resize', [x], { scales: Array.from(tc.inputs[tc.inputs.length - 1]!.data as Float32Array) })), compare: [['y0', 0]] }) },
  // Batch-first ONNX tests (layout=1) are exactly dlm's recurrent layout.
  { test: 'test_lstm_batchwise', build: (tc) => ({ ...oneLayer(tc, 0, [1, 2], rec('LSTM', { hidden_size: 7 }, 2), undefined, 2), compare: [['y0', 0], ['y1', 1]] }) },
  { test: 'test_gru_batchwise', build: (tc) => ({ ...oneLayer(tc, 0, [1, 2], rec('GRU', { hidden_size: 6, linear_before_reset: 0 }, 2), undefined, 2), compare: [['y0', 0], ['y1', 1]] }) },
  // Sequence-first tests: feed X transposed; Y_h [dirs=1, batch, hidden] has the same element order as dlm's [batch, 1, hidden].
  { test: 'test_lstm_defaults', build: (tc) => ({ ...oneLayer(tc, 0, [1, 2], rec('LSTM', { hidden_size: 3 }, 2), batchFirst(tc.inputs[0]!), 2), compare: [['y1', 0]] }) },
  { test: 'test_gru_defaults', build: (tc) => ({ ...oneLayer(tc, 0, [1, 2], rec('GRU', { hidden_size: 5, linear_before_reset: 0 }, 2), batchFirst(tc.inputs[0]!), 2), compare: [['y1', 0]] }) },
  { test: 'test_rnn_seq_length', build: (tc) => ({ ...oneLayer(tc, 0, [1, 2, 3], rec('RNN', { hidden_size: 5 }, 2), batchFirst(tc.inputs[0]!), 2), compare: [['y1', 0]] }) },
];

describe.skipIf(!HAVE_DATA)('dlm’s lowering of the same configurations reproduces ONNX’s reference outputs', () => {
  const exported: Record<string, Uint8Array> = {};
  it.each(REBUILDS.map((r) => [r.test, r] as const))('%s', async (_name, r) => {
    const tc = load(r.test);
    const { graph, weights, feeds, compare } = r.build(tc);
    const { result, diagnostics } = exportOnnx(graph, weights);
    expect(diagnostics).toEqual([]);
    exported[runCheckerFriendlyName(r.test)] = result!;
    const out = await runModel(result!, feeds);
    for (const [ours, idx] of compare) expectClose(out[ours]!, tc.outputs[idx]!, `${r.test} ${ours}`);
  });

  it('and every one of those exports passes onnx.checker', (ctx) => {
    needs('python3-onnx')(ctx);
    const r = runChecker(exported);
    expect(r.status, r.output).toBe(0);
    expect(r.output.match(/^ok:/gm)?.length).toBe(REBUILDS.length);
  });
});

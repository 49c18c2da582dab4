import { describe, expect, it } from 'vitest';
import { DiagnosticBag, formatShape, GraphBuilder, type Dim, type DType, type TensorType } from '@dlm/core';
import { STD_LAYERS } from '../src/layers/index.js';
import { stdPlugin } from '../src/index.js';
import { chain, layerRegistry, type LayerCall } from './helpers.js';

const f = (...shape: Dim[]): TensorType => ({ dtype: 'f32', shape });
const t = (dtype: DType, ...shape: Dim[]): TensorType => ({ dtype, shape });

function shapeOf(input: TensorType, ...calls: LayerCall[]): string {
  const r = chain(input, calls);
  expect(r.bag.items.map((d) => `${d.code} ${d.message}`)).toEqual([]);
  return formatShape(r.type(r.out).shape);
}

function errorOf(input: TensorType, ...calls: LayerCall[]): string {
  const r = chain(input, calls);
  expect(r.bag.items.length).toBeGreaterThan(0);
  return r.bag.items.map((d) => `${d.code} ${d.message}`).join('\n');
}

describe('the layer list', () => {
  it('registers without problems and is part of stdPlugin', () => {
    expect(() => layerRegistry()).not.toThrow();
    expect(stdPlugin.layers).toBe(STD_LAYERS);
    expect(stdPlugin.name).toBe('@dlm/plugin-std');
  });
  it('has every layer of the brief, each documented with a label', () => {
    const names = STD_LAYERS.map((l) => l.name).sort();
    expect(names).toEqual(
      ['add', 'avg_pool', 'batch_norm', 'concat', 'conv1d', 'conv2d', 'conv2d_transpose', 'dense', 'dropout', 'elu', 'embedding', 'flatten', 'gelu', 'global_avg_pool',
        'gru', 'layer_norm', 'leaky_relu', 'log_softmax', 'lstm', 'max_pool', 'relu', 'reshape', 'sigmoid', 'simple_rnn', 'softmax', 'tanh', 'upsample',
        'sqrt', 'exp', 'log', 'abs', 'erf', 'pow', 'clip', 'equal', 'less', 'greater', 'less_equal', 'greater_equal', 'where', 'cast', 'matmul',
        'mean', 'sum', 'max', 'permute', 'transpose', 'unsqueeze', 'squeeze', 'expand', 'arange', 'ones', 'zeros', 'tril', 'slice', 'split', 'multi_head_attention', 'transformer_encoder_layer', 'transformer_decoder_layer', 'positional_embedding', 'sinusoidal_positions', 'class_token'].sort(),
    );
    for (const l of STD_LAYERS) {
      expect(l.doc.length, l.name).toBeGreaterThan(15);
      expect(typeof l.label, l.name).toBe('function');
      for (const a of l.args) expect(a.doc.length, `${l.name}.${a.name}`).toBeGreaterThan(3);
    }
  });
  it('labels read like the diagram wants them', () => {
    const r = chain(f('batch', 1, 28, 28), [
      { layer: 'conv2d', args: { filters: 10, kernel: 5 } },
      { layer: 'max_pool', args: { kernel: 2 } },
      { layer: 'flatten' },
      { layer: 'dense', args: { units: 50 } },
      { layer: 'dropout', args: { rate: 0.5 } },
    ]);
    expect(r.graph.layers.map((l) => l.label)).toEqual(['conv2d 10×5×5', 'max_pool 2', 'flatten', 'dense 50', 'dropout 0.5']);
    expect(r.graph.layers.map((l) => l.family)).toEqual(['conv', 'pooling', 'shape', 'dense', 'regularization']);
    const s = chain(f('batch', 10, 8), [{ layer: 'lstm', args: { hidden: 128 } }]);
    expect(s.graph.layers[0]!.label).toBe('lstm 128');
  });
});

describe('dense', () => {
  it('2-D input lowers to one Gemm with transB and a [units, in] weight, torch_default init', () => {
    const r = chain(f('batch', 320), [{ layer: 'dense', args: { units: 50 } }]);
    expect(r.graph.nodes.map((n) => n.op)).toEqual(['Gemm']);
    expect(r.graph.nodes[0]!.attrs['transB']).toBe(1);
    expect(r.graph.params.map((p) => [p.name, formatShape(p.type.shape), p.init.kind, p.init.args['fan_in']])).toEqual([
      ['dense_1.weight', '[50, 320]', 'torch_default', 320],
      ['dense_1.bias', '[50]', 'torch_default', 320],
    ]);
  });
  it('higher ranks apply to the last axis (MatMul + Add)', () => {
    const r = chain(f('batch', 'time', 16), [{ layer: 'dense', args: { units: 8 } }]);
    expect(r.graph.nodes.map((n) => n.op)).toEqual(['Transpose', 'MatMul', 'Add']);
    expect(formatShape(r.type(r.out).shape)).toBe('[batch, time, 8]');
  });
  it('rejects rank-1 input and symbolic features', () => {
    expect(errorOf(f(16), { layer: 'dense', args: { units: 8 } })).toMatch(/DLM3005 dense: expects an input of rank ≥ 2/);
    expect(errorOf(f('batch', 'feat'), { layer: 'dense', args: { units: 8 } })).toMatch(/feature dim \(last axis\) of the input f32\[batch, feat\] must be a fixed size/);
  });
});

describe('conv', () => {
  it("'same' with stride 1 keeps the size, also for symbolic lengths", () => {
    expect(shapeOf(f('batch', 3, 'h', 'w'), { layer: 'conv2d', args: { filters: 8, kernel: 3, padding: 'same' } })).toBe('[batch, 8, h, w]');
    expect(shapeOf(f('batch', 3, 'time'), { layer: 'conv1d', args: { filters: 8, kernel: 4, padding: 'same' } })).toBe('[batch, 8, time]');
  });
  it("'same' with stride 2 pads like TensorFlow SAME: out = ceil(in/stride), asymmetric when needed", () => {
    // in 32, k 3, s 2: out 16, total pad = 15·2 + 3 − 32 = 1 → [0 before, 1 after]
    const r = chain(f('batch', 3, 32, 31), [{ layer: 'conv2d', args: { filters: 8, kernel: 3, stride: 2, padding: 'same' } }]);
    expect(formatShape(r.type(r.out).shape)).toBe('[batch, 8, 16, 16]');
    // width 31: out 16, total = 15·2 + 3 − 31 = 2 → [1, 1]
    expect(r.graph.nodes[0]!.attrs['pads']).toEqual([0, 1, 1, 1]);
    const t5 = chain(f('batch', 1, 10, 10), [{ layer: 'conv2d', args: { filters: 1, kernel: 5, stride: 3, padding: 'same' } }]);
    expect(formatShape(t5.type(t5.out).shape)).toBe('[batch, 1, 4, 4]');
    expect(t5.graph.nodes[0]!.attrs['pads']).toEqual([2, 2, 2, 2]); // total (4−1)·3 + 5 − 10 = 4
  });
  it("'same' with stride > 1 on a symbolic size is rejected clearly", () => {
    expect(errorOf(f('batch', 3, 'time'), { layer: 'conv1d', args: { filters: 8, kernel: 3, stride: 2, padding: 'same' } })).toMatch(
      /conv1d: padding 'same' with stride 2 needs a fixed input size on spatial axis 0, got time/,
    );
  });
  it('explicit padding forms: one int, per axis, begin/end', () => {
    const pads = (padding: number[]) => chain(f('batch', 3, 9, 9), [{ layer: 'conv2d', args: { filters: 2, kernel: 3, padding } }]).graph.nodes[0]!.attrs['pads'];
    expect(pads([1])).toEqual([1, 1, 1, 1]);
    expect(pads([1, 2])).toEqual([1, 2, 1, 2]);
    expect(pads([0, 1, 2, 3])).toEqual([0, 1, 2, 3]);
    expect(errorOf(f('batch', 3, 9, 9), { layer: 'conv2d', args: { filters: 2, kernel: 3, padding: [1, 2, 3] } })).toMatch(/padding has 3 values; give 1, 2 \(per axis\) or 4/);
  });
  it('weights are [filters, in/groups, k…] with fan_in = in/groups·k·k', () => {
    const r = chain(f('batch', 8, 16, 16), [{ layer: 'conv2d', args: { filters: 16, kernel: 3, groups: 4 } }]);
    const w = r.graph.params[0]!;
    expect(formatShape(w.type.shape)).toBe('[16, 2, 3, 3]');
    expect(w.init).toEqual({ kind: 'torch_default', args: { fan_in: 18, fan_out: 36 } });
  });
  it('rejects wrong rank, indivisible groups, an input smaller than the kernel', () => {
    expect(errorOf(f('batch', 784), { layer: 'conv2d', args: { filters: 8, kernel: 3 } })).toMatch(/conv2d: expects \[batch, channels, height, width\] \(rank 4\), got f32\[batch, 784\]/);
    expect(errorOf(f('batch', 6, 8, 8), { layer: 'conv2d', args: { filters: 8, kernel: 3, groups: 4 } })).toMatch(/input channels 6 are not divisible by groups 4/);
    expect(errorOf(f('batch', 8, 8, 8), { layer: 'conv2d', args: { filters: 6, kernel: 3, groups: 4 } })).toMatch(/filters 6 are not divisible by groups 4/);
    expect(errorOf(f('batch', 1, 4, 4), { layer: 'conv2d', args: { filters: 8, kernel: 5 } })).toMatch(/DLM3001 Conv: spatial dim 0 of X \[batch, 1, 4, 4\]: the window spans 5/);
    expect(errorOf(f('batch', 1, 8, 8), { layer: 'conv2d', args: { filters: 8, kernel: [3, 3, 3] } })).toMatch(/kernel has 3 values but the input has 2 spatial dim/);
  });
  it('conv2d_transpose weight is [in, filters/groups, k, k] with PyTorch fan_in', () => {
    const r = chain(f('batch', 16, 7, 7), [{ layer: 'conv2d_transpose', args: { filters: 8, kernel: 4, stride: 2, padding: 1 } }]);
    expect(formatShape(r.type(r.out).shape)).toBe('[batch, 8, 14, 14]');
    expect(formatShape(r.graph.params[0]!.type.shape)).toBe('[16, 8, 4, 4]');
    expect(r.graph.params[0]!.init.args['fan_in']).toBe(128);
  });
});

describe('pooling', () => {
  it('stride defaults to the kernel; avg_pool counts padding like PyTorch', () => {
    const r = chain(f('batch', 3, 10, 10), [{ layer: 'max_pool', args: { kernel: 2 } }, { layer: 'avg_pool', args: { kernel: 3, stride: 1, padding: 1 } }]);
    expect(r.graph.nodes.map((n) => [n.op, n.attrs['strides']])).toEqual([['MaxPool', [2, 2]], ['AveragePool', [1, 1]]]);
    expect(r.graph.nodes[1]!.attrs['count_include_pad']).toBe(1);
    expect(formatShape(r.type(r.out).shape)).toBe('[batch, 3, 5, 5]');
  });
  it('global_avg_pool keeps [N, C, 1, 1]', () => {
    expect(shapeOf(f('batch', 64, 7, 7), { layer: 'global_avg_pool' })).toBe('[batch, 64, 1, 1]');
  });
});

describe('normalization', () => {
  it('batch_norm: weight and bias are parameters, running stats are buffers, momentum converted', () => {
    const r = chain(f('batch', 16, 8, 8), [{ layer: 'batch_norm', args: { momentum: 0.2 } }]);
    expect(r.graph.params.map((p) => [p.name.split('.').pop(), p.trainable, p.buffer ?? false, p.init.kind])).toEqual([
      ['weight', true, false, 'ones'],
      ['bias', true, false, 'zeros'],
      ['running_mean', false, true, 'zeros'],
      ['running_var', false, true, 'ones'],
    ]);
    expect(r.graph.nodes[0]!.attrs['momentum']).toBeCloseTo(0.8, 12);
  });
  it('layer_norm over the last axis', () => {
    const r = chain(f('batch', 'time', 32), [{ layer: 'layer_norm' }]);
    expect(formatShape(r.type(r.out).shape)).toBe('[batch, time, 32]');
    expect(r.graph.params.map((p) => formatShape(p.type.shape))).toEqual(['[32]', '[32]']);
  });
});

describe('shape layers', () => {
  it('flatten, reshape with the batch symbol, upsample', () => {
    expect(shapeOf(f('batch', 20, 4, 4), { layer: 'flatten' })).toBe('[batch, 320]');
    expect(shapeOf(f('batch', 320), { layer: 'reshape', args: { shape: ['batch', 20, -1, 4] } })).toBe('[batch, 20, 4, 4]');
    expect(shapeOf(f('batch', 8, 7, 7), { layer: 'upsample' })).toBe('[batch, 8, 14, 14]');
  });
  it('reshape rejects a symbol that is not the input dim, and element-count changes', () => {
    expect(errorOf(f('batch', 320), { layer: 'reshape', args: { shape: ['time', 320] } })).toMatch(/the symbol 'time' at position 0 .* f32\[batch, 320\]/);
    expect(errorOf(f('batch', 320), { layer: 'reshape', args: { shape: ['batch', 20, 4, 5] } })).toMatch(/DLM3001 Reshape: cannot reshape \[batch, 320\]/);
  });
  it('dropout is a training-only node', () => {
    const r = chain(f('batch', 50), [{ layer: 'dropout', args: { rate: 0.3 } }]);
    expect(r.graph.nodes[0]).toMatchObject({ op: 'Dropout', trainingOnly: true, attrs: { ratio: 0.3 } });
  });
});

describe('embedding and recurrent', () => {
  it('embedding needs integer ids and initializes N(0, 1)', () => {
    const r = chain(t('i32', 'batch', 'time'), [{ layer: 'embedding', args: { vocab: 100, dim: 8 } }]);
    expect(formatShape(r.type(r.out).shape)).toBe('[batch, time, 8]');
    expect(r.graph.params[0]!.init).toEqual({ kind: 'normal', args: { mean: 0, std: 1 } });
    expect(errorOf(f('batch', 10), { layer: 'embedding', args: { vocab: 100, dim: 8 } })).toMatch(/embedding: expects integer token ids \(i32 or i64\), got f32\[batch, 10\]/);
  });
  it('recurrent layers keep a symbolic sequence length and use ONNX parameter shapes', () => {
    const r = chain(f('batch', 'time', 32), [{ layer: 'gru', args: { hidden: 16, bidirectional: true, return_sequences: true } }]);
    expect(formatShape(r.type(r.out).shape)).toBe('[batch, time, 32]');
    expect(r.graph.params.map((p) => `${p.name.split('.').pop()}${formatShape(p.type.shape)}`)).toEqual(['W[2, 48, 32]', 'R[2, 48, 16]', 'B[2, 96]']);
    expect(r.graph.nodes[0]!.attrs).toMatchObject({ hidden_size: 16, direction: 'bidirectional', linear_before_reset: 1, layout: 1 });
    for (const p of r.graph.params) expect(p.init).toEqual({ kind: 'uniform', args: { low: -0.25, high: 0.25 } });
  });
  it('rejects non-sequence input', () => {
    expect(errorOf(f('batch', 32), { layer: 'lstm', args: { hidden: 8 } })).toMatch(/lstm: expects \[batch, seq, features\] \(rank 3\), got f32\[batch, 32\]/);
  });
});

describe('merge layers', () => {
  it('add chains Add ops and broadcasts; concat joins channels', () => {
    const bag = new DiagnosticBag();
    const b = new GraphBuilder('M', layerRegistry(), bag);
    const a = b.addInput('a', f('batch', 16, 8, 8));
    const c = b.addInput('c', f('batch', 16, 8, 8));
    const d = b.addInput('d', f('batch', 32, 8, 8));
    const [sum] = b.callLayer('add', [a, c, a], [], undefined);
    const [cat] = b.callLayer('concat', [sum!, d], [], undefined);
    const [bad] = b.callLayer('add', [a, d], [], undefined);
    const [one] = b.callLayer('concat', [a], [], undefined);
    expect(formatShape(b.typeOf(sum!).shape)).toBe('[batch, 16, 8, 8]');
    expect(formatShape(b.typeOf(cat!).shape)).toBe('[batch, 48, 8, 8]');
    expect(b.typeOf(bad!).unknown).toBe(true);
    expect(b.typeOf(one!).unknown).toBe(true);
    expect(bag.items.map((x) => `${x.code} ${x.message}`)).toEqual([
      'DLM3001 Add: cannot broadcast [batch, 16, 8, 8] with [batch, 32, 8, 8]: dim -3 is 16 vs 32',
      "DLM3004 'concat' takes at least 2 input(s), got 1.",
    ]);
    expect(bag.items[0]!.notes.map((n) => n.message)).toEqual([
      'input 1 (A) has shape f32[batch, 16, 8, 8], from input a',
      'input 2 (B) has shape f32[batch, 32, 8, 8], from input d',
    ]);
  });
});

describe('docs/layers.md', () => {
  it('documents every layer and every argument', async () => {
    const { readFileSync } = await import('node:fs');
    const doc = readFileSync(new URL('../../../docs/layers.md', import.meta.url), 'utf8');
    for (const l of STD_LAYERS) {
      const heading = doc.split('\n').find((line) => new RegExp(`(^#+ |^\\| |/ )${l.name}\\(`).test(line) || new RegExp(`^#+ .*\\b${l.name}\\b.*\\(`).test(line));
      expect(heading, `docs/layers.md has no entry for ${l.name}`).toBeDefined();
      for (const a of l.args) expect(heading!.includes(a.name) || doc.includes(`${l.name}(${a.name}`), `${l.name}.${a.name} is not documented`).toBe(true);
    }
  });
});

describe('slice and split', () => {
  it('slice removes the squeezed axes, keeping symbolic dims', () => {
    const r = chain(f('batch', 'time', 8), [{ layer: 'slice', args: { starts: [0], ends: [1], axes: [0], squeeze: [0] } }]);
    expect(r.bag.items.map((d) => d.message)).toEqual([]);
    expect(r.type(r.out).shape).toEqual(['time', 8]);
    const last = chain(f('batch', 'time', 8), [{ layer: 'slice', args: { starts: [-1], ends: [2147483647], axes: [1], squeeze: [1] } }]);
    expect(last.type(last.out).shape).toEqual(['batch', 8]);
    const bad = chain(f('batch', 'time', 8), [{ layer: 'slice', args: { starts: [0], ends: [2], axes: [2], squeeze: [2] } }]);
    expect(bad.bag.items.map((d) => d.message)).toEqual([expect.stringMatching(/axis 2 of f32\[batch, time, 2\] has size 2, not 1, so it cannot be squeezed/)]);
  });
  it('split needs parts that divide a known axis, or sizes', () => {
    const sym = chain(f('batch', 'time'), [{ layer: 'split', args: { parts: 2, axis: 1 } }]);
    expect(sym.bag.items.map((d) => d.message)).toEqual([expect.stringMatching(/axis 1 of f32\[batch, time\] is symbolic/)]);
    const odd = chain(f('batch', 7), [{ layer: 'split', args: { parts: 2 } }]);
    expect(odd.bag.items.map((d) => d.message)).toEqual([expect.stringMatching(/has length 7, which does not split into 2 equal parts/)]);
    const none = chain(f('batch', 8), [{ layer: 'split', args: {} }]);
    expect(none.bag.items.map((d) => d.message)).toEqual([expect.stringMatching(/either the number of equal parts or their sizes/)]);
  });
});

describe('error recovery', () => {
  it('one failing layer gives one diagnostic, not one per later layer', () => {
    const r = chain(f('batch', 1, 4, 4), [
      { layer: 'conv2d', args: { filters: 10, kernel: 5 } },
      { layer: 'conv2d', args: { filters: 10, kernel: 5 } },
      { layer: 'max_pool', args: { kernel: 2 } },
      { layer: 'flatten' },
      { layer: 'dense', args: { units: 5 } },
      { layer: 'lstm', args: { hidden: 5 } },
      { layer: 'embedding', args: { vocab: 5, dim: 3 } },
    ]);
    expect(r.bag.items.map((d) => d.code)).toEqual(['DLM3001']);
    expect(r.graph.layers.length).toBe(7);
  });
});

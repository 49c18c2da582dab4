import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, test } from 'vitest';
import type { Graph } from '@dlm/core';
import { DlmExecutionError, GraphExecutor, runInference, setupBackend } from '../src/index.js';
import { compileModel, expectClose, MNIST_CNN, paramTensors, rand, randomWeights } from './helpers.js';
import { refConv2d, refDense, refLogSoftmax, refMaxPool2d, refRelu } from './reference.js';

beforeAll(async () => {
  await setupBackend('cpu');
});

/** The MNIST CNN written out with the naive NCHW references: checks layout and flatten order. */
function mnistReference(g: Graph, w: Map<string, Float32Array>, x: Float32Array, n: number): Float32Array {
  const p = (suffix: string, i: number) => {
    const ps = g.params.filter((q) => q.name.endsWith(suffix));
    return w.get(ps[i]!.name)!;
  };
  let a = refConv2d(x, [n, 1, 28, 28], p('weight', 0), [10, 1, 5, 5], p('bias', 0), [1, 1], [0, 0, 0, 0], [1, 1], 1);
  a = refMaxPool2d(a.data, a.shape, [2, 2], [2, 2]);
  a = { data: refRelu(a.data), shape: a.shape };
  a = refConv2d(a.data, a.shape, p('weight', 1), [20, 10, 5, 5], p('bias', 1), [1, 1], [0, 0, 0, 0], [1, 1], 1);
  a = refMaxPool2d(a.data, a.shape, [2, 2], [2, 2]);
  const flat = refRelu(a.data); // NCHW flatten order: [n, 320]
  const h = refRelu(refDense(flat, n, 320, p('weight', 2), 50, p('bias', 2)));
  const o = refDense(h, n, 50, p('weight', 3), 10, p('bias', 3));
  return refLogSoftmax(o, n, 10);
}

describe('GraphExecutor', () => {
  const g = compileModel(MNIST_CNN);

  test('MNIST CNN inference matches a naive NCHW reference (flatten order included)', async () => {
    const w = randomWeights(g, 3);
    const x = rand(3 * 784, 9);
    const out = await runInference(g, w, { image: { data: x, shape: [3, 1, 28, 28] } });
    expect(out['logits']!.shape).toEqual([3, 10]);
    expectClose(out['logits']!.data, mnistReference(g, w, x, 3), 1e-4, 1e-4, 'logits');
  });

  test('reports every op without a lowering, with its node span', () => {
    const bad: Graph = structuredClone(g);
    const span = { file: 'm.dlm', start: 1, end: 5, line: 2, col: 3, endLine: 2, endCol: 7 };
    bad.nodes[1] = { ...bad.nodes[1]!, op: 'FancyOp', span };
    bad.nodes[3] = { ...bad.nodes[3]!, op: 'OtherOp' };
    const { result, diagnostics } = GraphExecutor.create(bad);
    expect(result).toBeUndefined();
    expect(diagnostics.map((d) => d.code)).toEqual(['DLM5001', 'DLM5001']);
    expect(diagnostics[0]!.message).toContain('FancyOp');
    expect(diagnostics[0]!.span).toEqual(span);
  });

  test('reports unsupported configurations (DLM5002)', () => {
    const bad: Graph = structuredClone(g);
    bad.nodes[0] = { ...bad.nodes[0]!, attrs: { ...bad.nodes[0]!.attrs, kernel_shape: [5, 5, 5] } };
    const { diagnostics } = GraphExecutor.create(bad);
    expect(diagnostics.map((d) => d.code)).toEqual(['DLM5002']);
  });

  test('rejects an enum attribute value the op schema does not list (IR not built by the compiler)', () => {
    const bad: Graph = structuredClone(g);
    const relu = bad.nodes.findIndex((n) => n.op === 'Relu');
    bad.nodes[relu] = { ...bad.nodes[relu]!, op: 'Gelu', attrs: { approximate: 'fast' } };
    const { result, diagnostics } = GraphExecutor.create(bad);
    expect(result).toBeUndefined();
    expect(diagnostics.map((d) => [d.code, d.message.includes(`attribute approximate must be one of 'none', 'tanh', got "fast"`)])).toEqual([['DLM5002', true]]);
  });

  test('missing parameters and wrong input shapes raise coded errors', () => {
    const exec = GraphExecutor.create(g).result!;
    const params = paramTensors(g, randomWeights(g));
    const first = g.params[0]!.name;
    const partial = new Map(params);
    partial.delete(first);
    const x = tf.zeros([2, 1, 28, 28]);
    expect(() => exec.run(partial, { image: x }, { training: false })).toThrow(DlmExecutionError);
    try {
      exec.run(params, { image: tf.zeros([2, 1, 27, 28]) }, { training: false });
      expect.fail('no error');
    } catch (e) {
      expect((e as DlmExecutionError).code).toBe('DLM5004');
    }
    tf.dispose([...params.values(), x]);
  });

  test('training: dropout depends on the seed, inference is deterministic, gradients reach every param', () => {
    const exec = GraphExecutor.create(g).result!;
    const params = paramTensors(g, randomWeights(g, 4));
    const x = tf.tensor(rand(4 * 784, 2), [4, 1, 28, 28]);
    const run = (training: boolean, seed?: number) =>
      tf.tidy(() => Array.from(exec.run(params, { image: x }, { training, ...(seed === undefined ? {} : { seed }) }).outputs['logits']!.dataSync()));
    expect(run(false)).toEqual(run(false));
    expect(run(true, 1)).toEqual(run(true, 1));
    expect(run(true, 1)).not.toEqual(run(true, 2));
    expect(run(true, 1)).not.toEqual(run(false));
    const names = g.params.map((p) => p.name);
    const grads = tf.tidy(() => {
      const f = (...ts: tf.Tensor[]) => {
        const m = new Map(names.map((n, i) => [n, ts[i]!]));
        return tf.mean(exec.run(m, { image: x }, { training: true, seed: 7 }).outputs['logits']!) as tf.Scalar;
      };
      return tf.grads(f)(names.map((n) => params.get(n)!)).map((t) => tf.sum(tf.abs(t)).dataSync()[0]!);
    });
    for (const s of grads) expect(s).toBeGreaterThan(0);
    tf.dispose([...params.values(), x]);
  });

  test.each(['cpu', 'wasm'] as const)('repeated training steps leak no tensors or backend buffers (%s)', async (backend) => {
    await setupBackend(backend);
    const exec = GraphExecutor.create(g).result!;
    const w = randomWeights(g, 5);
    const vars = new Map(g.params.map((p) => [p.name, tf.variable(tf.tensor(w.get(p.name)!, p.type.shape as number[]))]));
    const x = tf.tensor(rand(8 * 784, 2), [8, 1, 28, 28]);
    const step = (seed: number) =>
      tf.tidy(() => {
        const { grads } = tf.variableGrads(() => {
          const { outputs } = exec.run(vars, { image: x }, { training: true, seed });
          return tf.neg(tf.mean(outputs['logits']!)) as tf.Scalar;
        });
        for (const [name, v] of vars) v.assign(tf.sub(v, tf.mul(0.01, grads[v.name] ?? grads[name]!)));
      });
    step(0);
    const before = tf.memory().numTensors;
    // Backend buffers too: dlm's kernels allocate intermediates directly on the backend.
    const buffers = () => (tf.backend() as unknown as { numDataIds(): number }).numDataIds();
    const buffersBefore = buffers();
    for (let i = 1; i < 4; i++) step(i);
    expect(tf.memory().numTensors).toBe(before);
    expect(buffers()).toBe(buffersBefore);
    tf.dispose([...vars.values(), x]);
    await setupBackend('cpu');
  });
});

describe('BatchNormalization in the executor', () => {
  const src = `
model BnNet {
  input x: f32[batch, 3, 6, 6]
  output y: f32[batch, 4, 6, 6]
  y = x |> conv2d(filters: 4, kernel: 3, padding: same) |> batch_norm |> relu
}`;
  const g = compileModel(src);

  test('training uses batch statistics and returns updated running buffers; inference uses the buffers', () => {
    const exec = GraphExecutor.create(g).result!;
    const w = randomWeights(g, 6);
    const params = paramTensors(g, w);
    const x = tf.tensor(rand(5 * 3 * 36, 8, 2), [5, 3, 6, 6]);
    const buffers = g.params.filter((p) => p.buffer).map((p) => p.name);
    expect(buffers.length).toBe(2);
    const convOut = tf.tidy(() => {
      const convOnly: Graph = { ...g, nodes: g.nodes.slice(0, 1), outputs: [{ name: g.nodes[0]!.outputs[0]!, type: g.values[0]!.type }] };
      const e = GraphExecutor.create(convOnly).result!;
      return Array.from(e.run(params, { x }, { training: false }).outputs[g.nodes[0]!.outputs[0]!]!.dataSync());
    });
    // Per-channel batch mean and unbiased variance over N·H·W.
    const n = 5 * 36;
    const mean = [0, 1, 2, 3].map((c) => {
      let s = 0;
      for (let b = 0; b < 5; b++) for (let i = 0; i < 36; i++) s += convOut[(b * 4 + c) * 36 + i]!;
      return s / n;
    });
    const uvar = [0, 1, 2, 3].map((c) => {
      let s = 0;
      for (let b = 0; b < 5; b++) for (let i = 0; i < 36; i++) s += (convOut[(b * 4 + c) * 36 + i]! - mean[c]!) ** 2;
      return s / (n - 1);
    });
    const { bufferUpdates } = exec.run(params, { x }, { training: true });
    const meanName = buffers.find((b) => /mean/.test(b))!;
    const varName = buffers.find((b) => /var/.test(b))!;
    const m0 = w.get(meanName)!;
    const v0 = w.get(varName)!;
    const momentum = g.nodes.find((nd) => nd.op === 'BatchNormalization')!.attrs['momentum'] as number;
    expectClose(bufferUpdates.get(meanName)!.dataSync(), mean.map((m, c) => m0[c]! * momentum + m * (1 - momentum)), 1e-5, 1e-4, 'running mean');
    expectClose(bufferUpdates.get(varName)!.dataSync(), uvar.map((v, c) => v0[c]! * momentum + v * (1 - momentum)), 1e-5, 1e-4, 'running var');
    tf.dispose([...bufferUpdates.values()]);
    const inf = exec.run(params, { x }, { training: false });
    expect(inf.bufferUpdates.size).toBe(0);
    tf.dispose([...params.values(), x]);
  });
});

describe('fixed slice bounds on a symbolic dim', () => {
  const src = `
model Last {
  input x: f32[batch, time, 2]
  output y: f32[batch, 2]
  output z: f32[batch, 3, 2]
  y = x[:, 4]
  z = x[:, -3:]
}`;
  const run = (time: number) => {
    const g = compileModel(src);
    const { result: exec } = GraphExecutor.create(g);
    return tf.tidy(() => exec!.run(new Map(), { x: tf.reshape(tf.range(0, 2 * time * 2, 1, 'float32'), [2, time, 2]) }, { training: false }).outputs);
  };

  test('a long enough input gives what NumPy gives', async () => {
    await setupBackend('cpu');
    const out = run(5);
    // numpy.arange(20).reshape(2, 5, 2)[:, 4] and [:, -3:]
    expect(Array.from(out['y']!.dataSync())).toEqual([8, 9, 18, 19]);
    expect(out['z']!.shape).toEqual([2, 3, 2]);
    expect(Array.from(out['z']!.dataSync())).toEqual([4, 5, 6, 7, 8, 9, 14, 15, 16, 17, 18, 19]);
  });

  test.each([
    [4, "takes the index 4 on axis 1, which needs that axis to have at least 5 entries, but this input's axis 1 has 4", 6],
    [2, "takes the index 4 on axis 1, which needs that axis to have at least 5 entries, but this input's axis 1 has 2", 6],
  ])('time = %i is DLM5021 at the brackets, not a clamped or empty tensor', async (time, what, line) => {
    await setupBackend('cpu');
    let caught: unknown;
    try {
      run(time);
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(DlmExecutionError);
    const d = (caught as DlmExecutionError).diagnostic;
    expect(d.code).toBe('DLM5021');
    expect(d.message).toContain(what);
    expect(d.span?.line).toBe(line);
  });

  test('a bound counted from the end on a short input is DLM5021 too (x[:, -3:] of 2 steps)', async () => {
    await setupBackend('cpu');
    const g = compileModel(src.replace('  y = x[:, 4]\n', '  y = x[:, 0]\n'));
    const { result: exec } = GraphExecutor.create(g);
    expect(() => tf.tidy(() => exec!.run(new Map(), { x: tf.zeros([1, 2, 2]) }, { training: false }).outputs)).toThrow(/DLM5021: Node '[^']+' takes -3: on axis 1, which needs that axis to have at least 3 entries, but this input's axis 1 has 2/);
  });
});

describe('token ids outside the vocabulary', () => {
  const src = `
model Tokens {
  input ids: i64[batch, time]
  output y: f32[batch, time, 4]
  y = ids |> reshape([batch, time]) |> embedding(10, 4)
}`;

  test.each([
    [10, 'the id 10 (at flat position 1)'],
    [-1, 'the id -1 (at flat position 1)'],
  ])('id %i is DLM5020 naming the id and the vocabulary size, from run and from runInference', async (bad, what) => {
    await setupBackend('cpu');
    const g = compileModel(src);
    const w = randomWeights(g);
    const want = `Input 'ids' holds ${what}, outside the vocabulary of 10 that node 'embedding_1/gather' looks up: ids must be 0..9.`;
    const { result: exec } = GraphExecutor.create(g);
    let caught: unknown;
    try {
      tf.tidy(() => exec!.run(paramTensors(g, w), { ids: tf.tensor([[3, bad, 0]], [1, 3], 'int32') }, { training: false }).outputs);
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(DlmExecutionError);
    expect((caught as DlmExecutionError).diagnostic.message).toBe(want);
    expect((caught as DlmExecutionError).diagnostic.span?.line).toBe(5);
    await expect(runInference(g, w, { ids: { data: Int32Array.from([3, bad, 0]), shape: [1, 3] } })).rejects.toThrow(want);
  });

  test('ids 0..vocab−1 run, and the rows they pick are the table rows', async () => {
    await setupBackend('cpu');
    const g = compileModel(src);
    const w = randomWeights(g);
    const out = await runInference(g, w, { ids: { data: Int32Array.from([9, 0]), shape: [1, 2] } });
    const table = w.get(g.params[0]!.name)!;
    expectClose(out['y']!.data, [...table.slice(36, 40), ...table.slice(0, 4)], 0, 0, 'rows 9 and 0');
  });
});

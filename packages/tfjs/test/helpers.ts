/**
 * Test helpers: graphs compiled from .dlm text with the real language and standard layers, graphs
 * built op by op with core's GraphBuilder, seeded random weights, and a reference comparison.
 */
import * as tf from '@tensorflow/tfjs-core';
import { DiagnosticBag, GraphBuilder, PluginRegistry, mulberry32, type Graph, type AttrValue, type TensorType } from '@dlm/core';
import { compileSource } from '@dlm/language';
import { stdPlugin } from '@dlm/plugin-std';
import { expect } from 'vitest';

export function stdRegistry(): PluginRegistry {
  const r = new PluginRegistry();
  const ds = r.register(stdPlugin);
  if (ds.length) throw new Error(ds.map((d) => d.message).join('\n'));
  return r;
}

/** Compiles .dlm source and returns the named model's graph (throws on diagnostics). */
export function compileModel(src: string, model?: string): Graph {
  const out = compileSource(src, 'test.dlm', { registry: stdRegistry() });
  const errs = out.diagnostics.filter((d) => d.severity === 'error');
  if (errs.length) throw new Error(errs.map((d) => `${d.code} ${d.message}`).join('\n'));
  const g = model ? out.program.models.find((m) => m.name === model) : out.program.models[0];
  if (!g) throw new Error(`no model ${model ?? ''}`);
  return g;
}

export const MNIST_CNN = `
model MnistCnn {
  input image: f32[batch, 1, 28, 28]
  output logits: f32[batch, 10]
  logits = image
    |> conv2d(filters: 10, kernel: 5) |> max_pool(2) |> relu
    |> conv2d(filters: 20, kernel: 5) |> max_pool(2) |> relu
    |> flatten |> dropout(0.2)
    |> dense(50) |> relu |> dropout(0.5)
    |> dense(10) |> log_softmax
}
`;

/** Deterministic pseudo-random numbers in [-scale, scale) (mulberry32 of @dlm/core). */
export function rand(n: number, seed: number, scale = 1): Float32Array {
  const next = mulberry32(seed);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = (2 * next() - 1) * scale;
  return out;
}

/** dy with about `zeros` of its entries set to exact zeros (±0 alike: -0 is skipped too). */
export function withZeros(size: number, seed: number, zeros: number): Float32Array {
  const v = rand(size, seed);
  const next = mulberry32(seed + 1);
  return v.map((x, k) => (next() < zeros ? (k % 2 ? -0 : 0) : x));
}

/**
 * What max_pool(2) and relu leave: in each 2×2 window of each channel, one cell gets the
 * gradient (about half of them zero again, relu), the other three are zero.
 */
export function maxPoolShaped(g: { n: number; oh: number; ow: number; m: number }, seed: number): Float32Array {
  const dy = new Float32Array(g.n * g.oh * g.ow * g.m);
  const next = mulberry32(seed);
  for (let b = 0; b < g.n; b++)
    for (let i = 0; i < g.oh; i += 2)
      for (let j = 0; j < g.ow; j += 2)
        for (let q = 0; q < g.m; q++) {
          const [di, dj] = [Math.floor(next() * 2), Math.floor(next() * 2)];
          if (i + di < g.oh && j + dj < g.ow && next() < 0.5) dy[((b * g.oh + i + di) * g.ow + j + dj) * g.m + q] = 2 * next() - 1;
        }
  return dy;
}

/** Random weights for every parameter (buffers: running mean 0-ish, running var positive). */
export function randomWeights(g: Graph, seed = 1): Map<string, Float32Array> {
  const m = new Map<string, Float32Array>();
  g.params.forEach((p, i) => {
    const n = (p.type.shape as number[]).reduce((a, b) => a * b, 1);
    let v = rand(n, seed * 1000 + i, 0.3);
    if (p.buffer && /var/.test(p.name)) v = v.map((x) => 1 + Math.abs(x));
    m.set(p.name, v);
  });
  return m;
}

export function paramTensors(g: Graph, w: Map<string, Float32Array>): Map<string, tf.Tensor> {
  const m = new Map<string, tf.Tensor>();
  for (const p of g.params) m.set(p.name, tf.tensor(w.get(p.name)!, p.type.shape as number[]));
  return m;
}

/** A one-op graph: inputs x0..xn (undefined = omitted optional input), attrs; no params. */
export function opGraph(op: string, inputs: (TensorType | undefined)[], attrs: Record<string, AttrValue>, outputs?: number): Graph {
  return chainGraph(inputs, (b, names) => b.emitNode(op, names, attrs, outputs));
}

/** A graph from a builder callback over inputs x0..xn; every value it returns becomes an output. */
export function chainGraph(inputs: (TensorType | undefined)[], build: (b: GraphBuilder, inputs: string[]) => string[]): Graph {
  const bag = new DiagnosticBag();
  const b = new GraphBuilder('T', stdRegistry(), bag);
  const names = inputs.map((t, i) => (t ? b.addInput(`x${i}`, t) : ''));
  const outs = build(b, names);
  if (bag.items.length) throw new Error(bag.items.map((d) => d.message).join('\n'));
  outs.forEach((o, i) => b.addOutput(`y${i}`, o, b.typeOf(o)));
  return b.finish();
}

export function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, atol: number, rtol: number, what = ''): void {
  expect(actual.length, `${what} length`).toBe(expected.length);
  let worst = 0;
  let at = -1;
  for (let i = 0; i < actual.length; i++) {
    const err = Math.abs(actual[i]! - expected[i]!) - (atol + rtol * Math.abs(expected[i]!));
    if (err > worst || Number.isNaN(actual[i]!)) {
      worst = Number.isNaN(actual[i]!) ? Infinity : err;
      at = i;
    }
  }
  if (at >= 0) {
    expect.fail(`${what}: element ${at} is ${actual[at]}, expected ${expected[at]} (atol ${atol}, rtol ${rtol})`);
  }
}

/**
 * Forward and backward of one graph on both engines from the same weights and inputs:
 * @dlm/tfjs' GraphExecutor (tf.grads) and the generated PyTorch module (autograd, via
 * parity.py). Gradients are of Σ_k Σ out_k·R_k for fixed random cotangents R_k, with respect to
 * every float input and every trainable parameter; buffers (batch-norm statistics) after the step.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import { numelStatic, writeSafetensors, type Graph, type SafetensorsTensor } from '@dlm/core';
import { GraphExecutor, setupBackend } from '@dlm/tfjs';
import { exportPytorch } from '../../src/index.js';
import type { TorchPython } from '../../src/node.js';
import { mulberry32 } from '@dlm/core';

/** The shared seeded generator (mulberry32 of @dlm/core), under the name these tests use. */
export const rng = mulberry32;

const HERE = dirname(fileURLToPath(import.meta.url));

export interface HostTensor {
  data: Float32Array | Int32Array;
  shape: number[];
}

/** Uniform weights in [-0.5, 0.5); variances in [0.5, 1.5) so they stay positive. */
export function randomWeights(graph: Graph, seed = 1): Map<string, Float32Array> {
  const r = rng(seed);
  const out = new Map<string, Float32Array>();
  for (const p of graph.params) {
    const n = numelStatic(p.type.shape)!;
    out.set(p.name, Float32Array.from({ length: n }, () => (/var$/.test(p.name) ? 0.5 + r() : r() - 0.5)));
  }
  return out;
}

/** Inputs with symbolic dims bound from `bind` (default 2); integer inputs in [0, intHigh). */
export function randomInputs(graph: Graph, bind: Record<string, number> = {}, seed = 7, intHigh = 4): Record<string, HostTensor> {
  const r = rng(seed);
  const out: Record<string, HostTensor> = {};
  for (const v of graph.inputs) {
    const shape = v.type.shape.map((d) => (typeof d === 'number' ? d : (bind[d] ?? 2)));
    const n = shape.reduce((a, b) => a * b, 1);
    out[v.name] = v.type.dtype === 'f32' ? { shape, data: Float32Array.from({ length: n }, () => r() * 2 - 1) } : { shape, data: Int32Array.from({ length: n }, () => Math.floor(r() * intHigh)) };
  }
  return out;
}

export interface EngineResult {
  /** out:<name>, grad:<input|param>, buffer:<name> → flat values. */
  values: Map<string, Float32Array>;
  shapes: Map<string, number[]>;
}

/**
 * tfjs: forward, then gradients of Σ out·R with R drawn (seeded) once the output shapes are
 * known; buffers are the updated statistics in training mode. Returns R for the other engine.
 */
export async function runTfjs(graph: Graph, weights: Map<string, Float32Array>, inputs: Record<string, HostTensor>, training: boolean): Promise<EngineResult & { cotangents: Record<string, HostTensor> }> {
  await setupBackend('cpu');
  const { result: exec, diagnostics } = GraphExecutor.create(graph);
  if (!exec) throw new Error(JSON.stringify(diagnostics));
  const values = new Map<string, Float32Array>();
  const shapes = new Map<string, number[]>();
  const cotangents: Record<string, HostTensor> = {};
  const params = new Map<string, tf.Tensor>();
  for (const p of graph.params) params.set(p.name, tf.tensor(weights.get(p.name)!, p.type.shape as number[], p.type.dtype === 'f32' ? 'float32' : 'int32'));
  const feeds: Record<string, tf.Tensor> = {};
  for (const [k, v] of Object.entries(inputs)) feeds[k] = tf.tensor(v.data, v.shape, v.data instanceof Int32Array ? 'int32' : 'float32');
  const floatInputs = graph.inputs.filter((v) => v.type.dtype === 'f32').map((v) => v.name);
  const trainable = graph.params.filter((p) => p.trainable && !p.buffer && p.type.dtype === 'f32').map((p) => p.name);
  const xs = [...floatInputs.map((n) => feeds[n]!), ...trainable.map((n) => params.get(n)!)];
  let updates = new Map<string, tf.Tensor>();
  const r = rng(99);
  const f = (...ts: tf.Tensor[]) => {
    const ps = new Map(params);
    const ins = { ...feeds };
    floatInputs.forEach((n, i) => (ins[n] = ts[i]!));
    trainable.forEach((n, i) => ps.set(n, ts[floatInputs.length + i]!));
    const res = exec.run(ps, ins, { training, seed: 1 });
    updates = res.bufferUpdates;
    const terms = graph.outputs.map((o) => {
      const t = res.outputs[o.name]!;
      values.set(`out:${o.name}`, t.dataSync() as Float32Array);
      shapes.set(o.name, t.shape);
      cotangents[o.name] = { shape: t.shape, data: Float32Array.from({ length: t.size }, () => r() * 2 - 1) };
      return tf.sum(tf.mul(t, tf.tensor(cotangents[o.name]!.data, t.shape)));
    });
    return terms.reduce((a, b) => tf.add(a, b)) as tf.Scalar;
  };
  const grads = tf.grads(f)(xs);
  [...floatInputs, ...trainable].forEach((n, i) => values.set(`grad:${n}`, grads[i]!.dataSync() as Float32Array));
  for (const p of graph.params) {
    if (!p.buffer) continue;
    const t = updates.get(p.name) ?? params.get(p.name)!;
    values.set(`buffer:${p.name}`, t.dataSync() as Float32Array);
  }
  tf.dispose([...grads, ...params.values(), ...Object.values(feeds), ...updates.values()]);
  return { values, shapes, cotangents };
}

function safetensors(tensors: Record<string, HostTensor> | Map<string, HostTensor>): Uint8Array {
  const m = new Map<string, SafetensorsTensor>();
  for (const [k, v] of tensors instanceof Map ? tensors : Object.entries(tensors)) {
    m.set(k, { dtype: v.data instanceof Int32Array ? 'I32' : 'F32', shape: v.shape, data: v.data } as SafetensorsTensor);
  }
  return writeSafetensors(m);
}

export interface TorchJob {
  graph: Graph;
  weights: Map<string, Float32Array>;
  inputs: Record<string, HostTensor>;
  cotangents: Record<string, HostTensor>;
  training: boolean;
}

/**
 * PyTorch: each job's generated module, run by parity.py with the same weights, inputs and
 * cotangents, all in one Python process. A job that fails in Python comes back as `error`.
 */
export function runTorch(python: TorchPython, jobs: readonly TorchJob[]): (EngineResult & { source: string; error?: string })[] {
  const dir = mkdtempSync(join(tmpdir(), 'dlm-torch-parity-'));
  const sources: string[] = [];
  const manifest = jobs.map((job, i) => {
    const { result: source, diagnostics } = exportPytorch(job.graph);
    if (!source) throw new Error(`${job.graph.name} is not lowerable: ${JSON.stringify(diagnostics)}`);
    sources.push(source);
    const file = (name: string) => join(dir, `${i}_${name}`);
    writeFileSync(file('model.py'), source);
    const w = new Map<string, HostTensor>();
    for (const p of job.graph.params) {
      const data = job.weights.get(p.name)!;
      w.set(p.name, { shape: p.type.shape as number[], data: p.type.dtype === 'f32' ? data : Int32Array.from(data) });
    }
    writeFileSync(file('w.safetensors'), safetensors(w));
    writeFileSync(file('x.safetensors'), safetensors(job.inputs));
    writeFileSync(file('r.safetensors'), safetensors(job.cotangents));
    const className = /^class (\w+)\(nn\.Module\)/m.exec(source)![1]!;
    return { module: file('model.py'), class: className, weights: file('w.safetensors'), inputs: file('x.safetensors'), cotangents: file('r.safetensors'), mode: job.training ? 'train' : 'eval' };
  });
  writeFileSync(join(dir, 'jobs.json'), JSON.stringify(manifest));
  const r = spawnSync(python.python, [join(HERE, 'parity.py'), join(dir, 'jobs.json')], { encoding: 'utf8', maxBuffer: 1 << 30 });
  if (r.status !== 0) throw new Error(`parity.py failed (${r.status}):\n${r.stderr}`);
  const results = JSON.parse(r.stdout) as Record<string, number[] | string>[];
  return results.map((json, i) => {
    const values = new Map<string, Float32Array>();
    const shapes = new Map<string, number[]>();
    for (const [k, v] of Object.entries(json)) {
      if (typeof v === 'string') continue;
      if (k.startsWith('shape:')) shapes.set(k.slice(6), v);
      else values.set(k, Float32Array.from(v));
    }
    return { values, shapes, source: sources[i]!, ...(typeof json['error'] === 'string' ? { error: json['error'] } : {}) };
  });
}

/**
 * Largest error over every key of `expected`, as |a − e| / max(1, |e|): absolute for values up to
 * 1, relative above (float32 keeps ~7 digits, so a gradient of 300 cannot agree to 1e-5 absolutely).
 * Infinity when `actual` misses a key or a length differs.
 */
export function worstDiff(
  expected: Map<string, Float32Array>,
  actual: Map<string, Float32Array>,
  /**
   * 'element': |Δ| / max(1, |e|) per element. 'tensor': |Δ| / max(1, max |e| over the tensor), for
   * deep models whose float32 sums carry an absolute error proportional to the largest values
   * (VGG-11's logits reach ~1e5 with random weights; 1e-5 of that is float32's precision).
   */
  scale: 'element' | 'tensor' = 'element',
): { worst: number; key: string } {
  let worst = 0;
  let key = '';
  for (const [k, e] of expected) {
    const a = actual.get(k);
    if (!a || a.length !== e.length) return { worst: Infinity, key: `${k} (${a ? `length ${a.length} vs ${e.length}` : 'missing'})` };
    let peak = 1;
    if (scale === 'tensor') for (let i = 0; i < e.length; i++) peak = Math.max(peak, Math.abs(e[i]!));
    for (let i = 0; i < e.length; i++) {
      const d = Math.abs(a[i]! - e[i]!) / (scale === 'tensor' ? peak : Math.max(1, Math.abs(e[i]!)));
      if (!(d <= worst)) {
        worst = Number.isNaN(d) ? Infinity : d;
        key = k;
      }
    }
  }
  return { worst, key };
}

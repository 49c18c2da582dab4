/**
 * The two char GPTs that tools/bench/char-gpt-step.ts and char-gpt-profile.ts time, each as a
 * training step (Adam, softmax cross-entropy at every position) on fixed random ids:
 *   - dlm: examples/transformer/char_gpt.dlm compiled to IR and run by @dlm/tfjs' GraphExecutor;
 *   - by hand: the same network written directly with tfjs-core ops (fused qkv projection, one
 *     [batch, heads, T, T] score tensor, a precomputed additive causal mask, the same dropout).
 */
import * as tf from '@tensorflow/tfjs-core';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { initializeParams, PluginRegistry, type Graph } from '@dlm/core';
import { compileSource } from '@dlm/language';
import { stdPlugin } from '@dlm/plugin-std';
import { GraphExecutor } from '@dlm/tfjs';

export const [V, T, D, H, L] = [58, 64, 128, 4, 4];

/** One training step (returns its loss, which the caller reads and disposes) and the cleanup. */
export interface TrainStep {
  step(seed: number): tf.Scalar;
  dispose(): void;
}

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export function gptGraph(): Graph {
  const registry = new PluginRegistry();
  registry.register(stdPlugin);
  const file = path.join(root, 'examples/transformer/char_gpt.dlm');
  const out = compileSource(fs.readFileSync(file, 'utf8'), file, { registry });
  const errors = out.diagnostics.filter((d) => d.severity === 'error');
  if (errors.length) throw new Error(errors.map((d) => d.message).join('\n'));
  return out.program.models[0]!;
}

function crossEntropy(logits: tf.Tensor, labels: tf.Tensor): tf.Scalar {
  const flat = tf.reshape(logits, [-1, V]);
  return tf.neg(tf.mean(tf.sum(tf.mul(tf.logSoftmax(flat), tf.oneHot(tf.reshape(labels, [-1]) as tf.Tensor1D, V)), 1))) as tf.Scalar;
}

const data = (batch: number) => [tf.randomUniform([batch, T], 0, V, 'int32', 1), tf.randomUniform([batch, T], 0, V, 'int32', 2)] as const;

export function dlmStep(g: Graph, batch: number): TrainStep {
  const exec = GraphExecutor.create(g).result!;
  const init = initializeParams(g, 1);
  const params = new Map(g.params.map((p) => [p.name, tf.variable(tf.tensor(init.get(p.name)!, p.type.shape as number[]), p.trainable)]));
  const opt = tf.train.adam(1e-3);
  const [x, y] = data(batch);
  return {
    step: (seed) => opt.minimize(() => crossEntropy(exec.run(params, { chars: x }, { training: true, seed }).outputs['logits']!, y), true) as tf.Scalar,
    dispose: () => {
      tf.dispose([...params.values(), x, y]);
      opt.dispose();
    },
  };
}

/** The same GPT written directly with tfjs-core. */
export function byHandStep(batch: number): TrainStep {
  const v = (shape: number[], scale = 0.02) => tf.variable(tf.randomNormal(shape, 0, scale, 'float32', 3));
  const ones = (n: number) => tf.variable(tf.ones([n]));
  const zeros = (n: number) => tf.variable(tf.zeros([n]));
  const blocks = Array.from({ length: L }, () => ({
    g1: ones(D), b1: zeros(D), wqkv: v([D, 3 * D]), bqkv: zeros(3 * D), wo: v([D, D]), bo: zeros(D),
    g2: ones(D), b2: zeros(D), w1: v([D, 4 * D]), c1: zeros(4 * D), w2: v([4 * D, D]), c2: zeros(D),
  }));
  const tok = v([V, D], 1);
  const pos = v([T, D], 1);
  const gf = ones(D);
  const bf = zeros(D);
  const wout = v([D, V]);
  const bout = zeros(V);
  const mask = tf.mul(tf.sub(1, tf.linalg.bandPart(tf.ones([T, T]), -1, 0)), -1e9);
  const hd = D / H;
  const norm = (x: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => {
    const { mean, variance } = tf.moments(x, -1, true);
    return tf.add(tf.mul(tf.div(tf.sub(x, mean), tf.sqrt(tf.add(variance, 1e-5))), g), b);
  };
  const linear = (x: tf.Tensor, w: tf.Tensor, b: tf.Tensor) => tf.add(tf.matMul(tf.reshape(x, [-1, x.shape[x.rank - 1]!]) as tf.Tensor2D, w as tf.Tensor2D), b);
  const gelu = (x: tf.Tensor) => tf.mul(tf.mul(x, 0.5), tf.add(1, tf.erf(tf.div(x, Math.SQRT2))));
  const forward = (x: tf.Tensor, training: boolean, seed: number) => {
    const drop = (t: tf.Tensor, k: number) => (training ? tf.dropout(t, 0.1, undefined, seed * 31 + k) : t);
    let h: tf.Tensor = drop(tf.add(tf.gather(tok, x), pos), 0); // [B, T, D]
    blocks.forEach((p, n) => {
      const qkv = tf.transpose(tf.reshape(linear(norm(h, p.g1, p.b1), p.wqkv, p.bqkv), [batch, T, 3, H, hd]), [2, 0, 3, 1, 4]);
      const [q, k, val] = tf.unstack(qkv) as [tf.Tensor4D, tf.Tensor4D, tf.Tensor4D];
      const att = tf.softmax(tf.add(tf.mul(tf.matMul(q, k, false, true), 1 / Math.sqrt(hd)), mask));
      const mixed = tf.reshape(tf.transpose(tf.matMul(att, val), [0, 2, 1, 3]), [batch * T, D]);
      h = tf.add(h, drop(tf.reshape(linear(mixed, p.wo, p.bo), [batch, T, D]), 2 * n + 1));
      const m = tf.reshape(linear(gelu(linear(norm(h, p.g2, p.b2), p.w1, p.c1)), p.w2, p.c2), [batch, T, D]);
      h = tf.add(h, drop(m, 2 * n + 2));
    });
    return linear(norm(h, gf, bf), wout, bout);
  };
  const opt = tf.train.adam(1e-3);
  const [x, y] = data(batch);
  return {
    step: (seed) => opt.minimize(() => crossEntropy(forward(x, true, seed), y), true) as tf.Scalar,
    dispose: () => {
      tf.dispose([x, y, mask, tok, pos, gf, bf, wout, bout, ...blocks.flatMap((b) => Object.values(b))]);
      opt.dispose();
    },
  };
}

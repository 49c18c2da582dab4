/**
 * The char GPT's training step (examples/transformer/char_gpt.dlm: 4 pre-norm blocks, 4 heads, 128
 * wide, context 64, 58 characters; Adam, softmax cross-entropy at every position) on random ids:
 *   - dlm: the .dlm model compiled to IR and run by @dlm/tfjs' GraphExecutor;
 *   - tfjs by hand: the same network written directly with tfjs-core ops (fused qkv projection,
 *     one [batch, heads, T, T] score tensor, the same dropout), same backend, same process;
 *   - PyTorch (CPU, 2 threads) when /usr/bin/python3 has torch: dlm's own export of the model
 *     (@dlm/torch) trained by tools/bench/torch_char_gpt.py, before and after, the better kept.
 *
 * Run: npx tsx --conditions=@dlm/source tools/bench/char-gpt-step.ts [--steps 5] [--warmup 2] [--batch 16] [--backend wasm] [--rounds 2]
 * Steps/s after warm-up steps; dlm and the hand-written model alternate, the best of each kept.
 */
import * as tf from '@tensorflow/tfjs-core';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { initializeParams, PluginRegistry, type Graph } from '@dlm/core';
import { compileSource } from '@dlm/language';
import { stdPlugin } from '@dlm/plugin-std';
import { GraphExecutor, setupBackend, type BackendName } from '@dlm/tfjs';
import { exportPytorch } from '@dlm/torch';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../..');
const arg = (name: string, fallback: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1]! : fallback;
};
const STEPS = Number(arg('steps', '5'));
const WARMUP = Number(arg('warmup', '2'));
const BATCH = Number(arg('batch', '16'));
const BACKEND = arg('backend', 'wasm') as BackendName;
const ROUNDS = Number(arg('rounds', '2'));
const [V, T, D, H, L] = [58, 64, 128, 4, 4];

function gptGraph(): Graph {
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

async function stepsPerSecond(step: (i: number) => tf.Scalar): Promise<number> {
  for (let i = 0; i < WARMUP; i++) await step(i).data();
  const t0 = performance.now();
  let last: tf.Scalar | undefined;
  for (let i = 0; i < STEPS; i++) {
    last?.dispose();
    last = step(WARMUP + i);
  }
  await last!.data();
  last!.dispose();
  return STEPS / ((performance.now() - t0) / 1000);
}

const data = () => [tf.randomUniform([BATCH, T], 0, V, 'int32', 1), tf.randomUniform([BATCH, T], 0, V, 'int32', 2)] as const;

async function benchDlm(g: Graph): Promise<number> {
  const exec = GraphExecutor.create(g).result!;
  const init = initializeParams(g, 1);
  const params = new Map(g.params.map((p) => [p.name, tf.variable(tf.tensor(init.get(p.name)!, p.type.shape as number[]), p.trainable)]));
  const opt = tf.train.adam(1e-3);
  const [x, y] = data();
  const rate = await stepsPerSecond((i) => opt.minimize(() => crossEntropy(exec.run(params, { chars: x }, { training: true, seed: i }).outputs['logits']!, y), true) as tf.Scalar);
  tf.dispose([...params.values(), x, y]);
  opt.dispose();
  return rate;
}

/** The same GPT written directly with tfjs-core. */
async function benchByHand(): Promise<number> {
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
      const qkv = tf.transpose(tf.reshape(linear(norm(h, p.g1, p.b1), p.wqkv, p.bqkv), [BATCH, T, 3, H, hd]), [2, 0, 3, 1, 4]);
      const [q, k, val] = tf.unstack(qkv) as [tf.Tensor4D, tf.Tensor4D, tf.Tensor4D];
      const att = tf.softmax(tf.add(tf.mul(tf.matMul(q, k, false, true), 1 / Math.sqrt(hd)), mask));
      const mixed = tf.reshape(tf.transpose(tf.matMul(att, val), [0, 2, 1, 3]), [BATCH * T, D]);
      h = tf.add(h, drop(tf.reshape(linear(mixed, p.wo, p.bo), [BATCH, T, D]), 2 * n + 1));
      const m = tf.reshape(linear(gelu(linear(norm(h, p.g2, p.b2), p.w1, p.c1)), p.w2, p.c2), [BATCH, T, D]);
      h = tf.add(h, drop(m, 2 * n + 2));
    });
    return linear(norm(h, gf, bf), wout, bout);
  };
  const opt = tf.train.adam(1e-3);
  const [x, y] = data();
  const rate = await stepsPerSecond((i) => opt.minimize(() => crossEntropy(forward(x, true, i), y), true) as tf.Scalar);
  tf.dispose([x, y, mask, tok, pos, gf, bf, wout, bout, ...blocks.flatMap((b) => Object.values(b))]);
  opt.dispose();
  return rate;
}

function benchTorch(g: Graph): { rate?: number; note: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dlm-bench-gpt-'));
  fs.writeFileSync(path.join(dir, 'char_gpt_module.py'), exportPytorch(g).result!);
  const r = spawnSync('/usr/bin/python3', [path.join(here, 'torch_char_gpt.py'), dir, '--steps', String(STEPS), '--warmup', String(WARMUP), '--batch', String(BATCH)], { encoding: 'utf8' });
  if (r.error) return { note: `python3 not runnable (${r.error.message})` };
  const m = /steps_per_s=([\d.]+)/.exec(r.stdout);
  if (!m) return { note: (r.stdout + r.stderr).trim().split('\n').pop() ?? 'no output' };
  return { rate: Number(m[1]), note: r.stdout.trim().split('\n').find((l) => l.startsWith('torch')) ?? '' };
}

async function main(): Promise<void> {
  const g = gptGraph();
  const torchRuns = [benchTorch(g)];
  const info = await setupBackend(BACKEND, {});
  let [dlm, byHand] = [0, 0];
  for (let round = 0; round < ROUNDS; round++) {
    dlm = Math.max(dlm, await benchDlm(g));
    byHand = Math.max(byHand, await benchByHand());
    console.error(`round ${round + 1}: dlm ${dlm.toFixed(3)}, by hand ${byHand.toFixed(3)} steps/s`);
  }
  torchRuns.push(benchTorch(g));
  const torch = torchRuns.reduce((a, b) => ((b.rate ?? 0) > (a.rate ?? 0) ? b : a));
  console.log(`char GPT training step, batch ${BATCH} × ${T} characters, Adam, ${STEPS} timed steps after ${WARMUP} warm-up, best of ${ROUNDS} rounds; ${info.backend}${info.threads ? ` (${info.threads} thread${info.threads > 1 ? 's' : ''})` : ''}; load ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}`);
  console.log(`dlm ${dlm.toFixed(3)} steps/s, tfjs by hand ${byHand.toFixed(3)} steps/s: dlm / by hand ${(dlm / byHand).toFixed(2)}`);
  console.log(torch.rate ? `PyTorch CPU ${torch.rate.toFixed(3)} steps/s (${torch.note}): dlm / PyTorch ${(dlm / torch.rate).toFixed(3)}` : `PyTorch skipped: ${torch.note}`);
}

await main();

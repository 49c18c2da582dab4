/**
 * Training throughput of the MNIST CNN (examples/mnist/mnist_cnn.dlm: conv 1→10 k5, pool, relu,
 * conv 10→20 k5, pool, relu, flatten, dropout, dense 320→50, relu, dropout, dense 50→10,
 * log_softmax; batch 64, Adam lr 1e-3, NLL loss) on random data, per tfjs backend:
 *   - dlm: the .dlm model compiled to IR and run by @dlm/tfjs' GraphExecutor;
 *   - tfjs-layers: the same network written by hand with @tensorflow/tfjs-layers, same backend,
 *     same optimizer (tf.train.adam) and loss, in the same process;
 *   - PyTorch (CPU, via /usr/bin/python3) when torch is importable: tools/bench/torch_mnist_cnn.py.
 *
 * Run: npx tsx --conditions=@dlm/source tools/bench/train-throughput.ts [--steps 30] [--backends cpu,wasm,webgpu]
 *      [--wasm-threads N] (default 1; fixed per process) [--rounds 2] (alternating dlm / layers rounds, best kept)
 * Samples/s = batch · timed steps / seconds, after warm-up steps (kernel compilation, allocation).
 */
import * as tf from '@tensorflow/tfjs-core';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { PluginRegistry, type Graph } from '@dlm/core';
import { compileSource } from '@dlm/language';
import { stdPlugin } from '@dlm/plugin-std';
import { GraphExecutor, setupBackend, type BackendName } from '@dlm/tfjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../..');

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1]! : fallback;
}
const STEPS = Number(arg('steps', '30'));
const WARMUP = Number(arg('warmup', '3'));
const BATCH = 64;
const BACKENDS = arg('backends', 'cpu,wasm,webgpu').split(',') as BackendName[];
const WASM_THREADS = Number(arg('wasm-threads', '0')) || undefined;
const ROUNDS = Number(arg('rounds', '2'));

function mnistGraph(): Graph {
  const registry = new PluginRegistry();
  registry.register(stdPlugin);
  const file = path.join(root, 'examples/mnist/mnist_cnn.dlm');
  const out = compileSource(fs.readFileSync(file, 'utf8'), file, { registry });
  const errors = out.diagnostics.filter((d) => d.severity === 'error');
  if (errors.length) throw new Error(errors.map((d) => d.message).join('\n'));
  return out.program.models.find((m) => m.name === 'MnistCnn')!;
}

/** PyTorch-style init: U(-1/sqrt(fan_in), 1/sqrt(fan_in)). */
function initParams(g: Graph): Map<string, tf.Variable> {
  const m = new Map<string, tf.Variable>();
  for (const p of g.params) {
    const shape = p.type.shape as number[];
    const fanIn = shape.length > 1 ? shape.slice(1).reduce((a, b) => a * b, 1) : shape[0]!;
    const bound = 1 / Math.sqrt(fanIn);
    m.set(p.name, tf.variable(tf.randomUniform(shape, -bound, bound, 'float32', 7), p.trainable, p.name.replace(/[^A-Za-z0-9_.]/g, '_')));
  }
  return m;
}

function nll(logp: tf.Tensor, labels: tf.Tensor): tf.Scalar {
  return tf.neg(tf.mean(tf.sum(tf.mul(logp, tf.oneHot(labels as tf.Tensor1D, 10)), 1))) as tf.Scalar;
}

async function timeSteps(step: (i: number) => tf.Scalar): Promise<number> {
  for (let i = 0; i < WARMUP; i++) (await step(i).data(), undefined);
  const t0 = performance.now();
  let last: tf.Scalar | undefined;
  for (let i = 0; i < STEPS; i++) {
    last?.dispose();
    last = step(WARMUP + i);
  }
  await last!.data(); // waits for queued GPU work too
  last!.dispose();
  return (BATCH * STEPS) / ((performance.now() - t0) / 1000);
}

async function benchDlm(g: Graph): Promise<number> {
  const exec = GraphExecutor.create(g).result!;
  const params = initParams(g);
  const opt = tf.train.adam(1e-3);
  const x = tf.randomUniform([BATCH, 1, 28, 28], 0, 1, 'float32', 1);
  const y = tf.randomUniform([BATCH], 0, 10, 'int32', 2);
  const rate = await timeSteps((i) =>
    opt.minimize(() => nll(exec.run(params, { image: x }, { training: true, seed: i }).outputs['logits']!, y), true) as tf.Scalar,
  );
  tf.dispose([...params.values(), x, y]);
  opt.dispose();
  return rate;
}

async function benchLayers(): Promise<number> {
  const tfl = await import('@tensorflow/tfjs-layers');
  const model = tfl.sequential({
    layers: [
      tfl.layers.conv2d({ inputShape: [28, 28, 1], filters: 10, kernelSize: 5 }),
      tfl.layers.maxPooling2d({ poolSize: 2 }),
      tfl.layers.activation({ activation: 'relu' }),
      tfl.layers.conv2d({ filters: 20, kernelSize: 5 }),
      tfl.layers.maxPooling2d({ poolSize: 2 }),
      tfl.layers.activation({ activation: 'relu' }),
      tfl.layers.flatten(),
      tfl.layers.dropout({ rate: 0.2 }),
      tfl.layers.dense({ units: 50, activation: 'relu' }),
      tfl.layers.dropout({ rate: 0.5 }),
      tfl.layers.dense({ units: 10 }),
    ],
  });
  const opt = tf.train.adam(1e-3);
  const x = tf.randomUniform([BATCH, 28, 28, 1], 0, 1, 'float32', 1);
  const y = tf.randomUniform([BATCH], 0, 10, 'int32', 2);
  const rate = await timeSteps(() =>
    opt.minimize(() => nll(tf.logSoftmax(model.apply(x, { training: true }) as tf.Tensor), y), true) as tf.Scalar,
  );
  model.dispose();
  tf.dispose([x, y]);
  opt.dispose();
  return rate;
}

function benchTorch(): { rate?: number; note: string } {
  const script = path.join(here, 'torch_mnist_cnn.py');
  const r = spawnSync('/usr/bin/python3', [script, '--steps', String(STEPS), '--warmup', String(WARMUP)], { encoding: 'utf8' });
  if (r.error) return { note: `python3 not runnable (${r.error.message})` };
  const m = /samples_per_s=([\d.]+)/.exec(r.stdout);
  if (!m) return { note: (r.stdout + r.stderr).trim().split('\n').pop() ?? 'no output' };
  return { rate: Number(m[1]), note: r.stdout.trim().split('\n').find((l) => l.startsWith('torch')) ?? '' };
}

interface Row {
  label: string;
  dlm: number | string;
  layers: number | string;
}

async function main(): Promise<void> {
  const g = mnistGraph();
  const rows: Row[] = [];
  // PyTorch runs before and after the tfjs backends; the better run is kept (shared machine).
  const torchRuns = [benchTorch()];
  for (const b of BACKENDS) {
    let info;
    try {
      info = await setupBackend(b, WASM_THREADS ? { wasmThreads: WASM_THREADS } : {});
    } catch (e) {
      rows.push({ label: b, dlm: `unavailable: ${(e as Error).message.split('\n')[0]}`, layers: '' });
      continue;
    }
    // Alternate the two measurements and keep the best of each: on a shared machine the load
    // changes during a run, and the best rate is the least disturbed one.
    let dlm: number | string = 0;
    let layers: number | string = 0;
    for (let round = 0; round < ROUNDS; round++) {
      try {
        if (typeof dlm === 'number') dlm = Math.max(dlm, await benchDlm(g));
      } catch (e) {
        dlm = `failed: ${(e as Error).message.split('\n')[0]}`;
      }
      try {
        if (typeof layers === 'number') layers = Math.max(layers, await benchLayers());
      } catch (e) {
        layers = `failed: ${(e as Error).message.split('\n')[0]}`;
      }
    }
    const label = info.threads ? `${info.backend} (${info.threads} thread${info.threads > 1 ? 's' : ''})` : info.backend;
    rows.push({ label, dlm, layers });
    console.error(`${label}: dlm ${String(dlm)}, tfjs-layers ${String(layers)} samples/s`);
  }
  torchRuns.push(benchTorch());
  const torch = torchRuns.reduce((a, b) => ((b.rate ?? 0) > (a.rate ?? 0) ? b : a));
  const fmt = (v: number | string) => (typeof v === 'number' ? v.toFixed(0) : v);
  console.log(`MNIST CNN training throughput, batch ${BATCH}, Adam, ${STEPS} timed steps after ${WARMUP} warm-up, best of ${ROUNDS} alternating rounds (samples/s)\n`);
  console.log('| backend | dlm (GraphExecutor) | tfjs-layers (same backend) | dlm / layers | dlm / PyTorch |');
  console.log('|---|---|---|---|---|');
  for (const r of rows) {
    const ratio = typeof r.dlm === 'number' && typeof r.layers === 'number' ? (r.dlm / r.layers).toFixed(2) : '–';
    const vsTorch = typeof r.dlm === 'number' && torch.rate ? (r.dlm / torch.rate).toFixed(3) : '–';
    console.log(`| ${r.label} | ${fmt(r.dlm)} | ${fmt(r.layers)} | ${ratio} | ${vsTorch} |`);
  }
  console.log(`\nPyTorch CPU: ${torch.rate ? `${torch.rate.toFixed(0)} samples/s (${torch.note}; best of a run before and after)` : `skipped: ${torch.note}`}`);
}

await main();

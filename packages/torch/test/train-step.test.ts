/**
 * The torch engine's training program against the tfjs trainer's step, composed from the same
 * parts the tfjs trainer uses (GraphExecutor in training mode, plugin-std's loss, l2 penalty,
 * clip_grad_norm_-style global clipping, the optimizer rule with the scheduled rate): from the
 * same weights and batches, 3 steps give the same weights within 1e-5, for every optimizer and
 * every schedule. The program reads its data from memory-mapped shards and runs as one process.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { DiagnosticBag, formatDiagnostics, readSafetensors, validateArgs, writeSafetensors, type Args, type ArgValue, type DatasetSplit, type Graph, type SafetensorsTensor } from '@dlm/core';
import { stdPlugin } from '@dlm/plugin-std';
import { GraphExecutor, setupBackend, tfjsMath } from '@dlm/tfjs';
import { TestGraph } from '../../onnx/test/helpers/build.js';
import { exportPytorch } from '../src/index.js';
import { trainingProgram, writeShards, type TrainingConfig } from '../src/node.js';
import { TORCH, TORCH_SKIP } from './helpers/env.js';
import { randomWeights, rng } from './helpers/parity.js';

const N = 24;
const BATCH = 8;
const STEPS = N / BATCH;
const CLIP = 0.5;
const L2 = 1e-3;

const CASES: { optimizer: string; args: Record<string, ArgValue>; schedule?: Record<string, ArgValue> & { name: string } }[] = [
  { optimizer: 'sgd', args: { lr: 0.1, momentum: 0.9 } },
  { optimizer: 'adam', args: { lr: 0.01 }, schedule: { name: 'warmup', steps: 2 } },
  { optimizer: 'adamw', args: { lr: 0.01 }, schedule: { name: 'cosine' } },
  { optimizer: 'rmsprop', args: { lr: 0.01, centered: true }, schedule: { name: 'step', step_size: 1, gamma: 0.5 } },
  { optimizer: 'adagrad', args: { lr: 0.05 }, schedule: { name: 'warmup', steps: 1, then: { name: 'cosine', args: {} } } },
];

function build(): Graph {
  const g = new TestGraph('Net');
  const x = g.input('x', ['batch', 6]);
  g.output('y', g.op('LogSoftmax', [g.dense(g.op('Relu', [g.dense(x, 5)])[0]!, 3)])[0]!);
  return g.finish();
}

function resolve(kind: 'optimizer' | 'schedule' | 'loss', name: string, given: Record<string, ArgValue>): Args {
  const defs = (kind === 'optimizer' ? stdPlugin.optimizers : kind === 'schedule' ? stdPlugin.schedules : stdPlugin.losses)!;
  const def = defs.find((d) => d.name === name)!;
  const bag = new DiagnosticBag();
  const args = validateArgs(name, def.args, Object.entries(given).map(([n, value]) => ({ name: n, value })), bag);
  if (!args) throw new Error(formatDiagnostics(bag.items));
  return args;
}

const r = rng(8);
const X = Float32Array.from({ length: N * 6 }, () => r() * 2 - 1);
const Y = Int32Array.from({ length: N }, () => Math.floor(r() * 3));
const split: DatasetSplit = {
  info: { inputShape: [6], inputDType: 'f32', classes: 3, targetShape: [] },
  size: N,
  slice: (start, count) => ({ x: X.slice(start * 6, (start + count) * 6), xShape: [count, 6], y: Y.slice(start, start + count), yShape: [count] }),
};

/** The tfjs trainer's step, from its parts. */
function tfjsSteps(graph: Graph, w0: Map<string, Float32Array>, c: (typeof CASES)[number]): Map<string, Float32Array> {
  const exec = GraphExecutor.create(graph).result!;
  const opt = stdPlugin.optimizers!.find((d) => d.name === c.optimizer)!;
  const optArgs = resolve('optimizer', c.optimizer, c.args);
  const loss = stdPlugin.losses!.find((d) => d.name === 'nll')!;
  const l2 = stdPlugin.regularizers!.find((d) => d.name === 'l2')! as { penalty: (m: typeof tfjsMath, p: tf.Tensor, a: Args) => tf.Tensor };
  const schedule = c.schedule ? stdPlugin.schedules!.find((d) => d.name === c.schedule!.name)! : undefined;
  const { name: _s, ...schedGiven } = c.schedule ?? { name: '' };
  const schedArgs = c.schedule ? resolve('schedule', c.schedule.name, schedGiven as Record<string, ArgValue>) : {};
  const vars = new Map(graph.params.map((p) => [p.name, tf.variable(tf.tensor(w0.get(p.name)!, p.type.shape as number[]))]));
  const slots = new Map(graph.params.map((p) => [p.name, opt.initSlots(tfjsMath, vars.get(p.name)!, optArgs) as Record<string, tf.Tensor>]));
  for (let s = 0; s < STEPS; s++) {
    const b = split.slice(s * BATCH, BATCH);
    const x = tf.tensor(b.x, b.xShape);
    const y = tf.tensor(b.y, b.yShape, 'int32');
    const { grads } = tf.variableGrads(() => {
      const out = exec.run(vars, { x }, { training: true, seed: 1 }).outputs['y']!;
      let total = loss.compute(tfjsMath, out, y, {}) as tf.Tensor;
      for (const p of graph.params) total = tf.add(total, l2.penalty(tfjsMath, vars.get(p.name)!, { weight: L2 }));
      return total as tf.Scalar;
    });
    const names = graph.params.map((p) => p.name);
    const norm = tf.sqrt(tf.addN(names.map((n) => tf.sum(tf.square(grads[vars.get(n)!.name]!)))));
    const coef = tf.minimum(tf.div(tf.scalar(CLIP), tf.add(norm, 1e-6)), 1);
    const lr = schedule ? schedule.lr(optArgs['lr'] as number, s, STEPS, STEPS, schedArgs) : (optArgs['lr'] as number);
    for (const n of names) {
      const v = vars.get(n)!;
      const u = opt.update(tfjsMath, v as tf.Tensor, tf.mul(grads[v.name]!, coef), slots.get(n)!, optArgs, lr, s + 1);
      v.assign(u.param as tf.Tensor);
      slots.set(n, u.slots as Record<string, tf.Tensor>);
    }
  }
  return new Map([...vars].map(([k, v]) => [k, v.dataSync() as Float32Array]));
}

describe.skipIf(!TORCH)(`training program vs the tfjs trainer's step${TORCH_SKIP ? ` (skipped: ${TORCH_SKIP})` : ''}`, () => {
  const graph = build();
  const w0 = randomWeights(graph, 2);
  const dir = mkdtempSync(join(tmpdir(), 'dlm-torch-step-'));
  beforeAll(async () => {
    await setupBackend('cpu');
    writeFileSync(join(dir, 'model.py'), exportPytorch(graph).result!);
    writeFileSync(join(dir, 'w.safetensors'), writeSafetensors(new Map(graph.params.map((p) => [p.name, { dtype: 'F32', shape: p.type.shape as number[], data: w0.get(p.name)! } as SafetensorsTensor]))));
    writeShards(split, join(dir, 'shards'), { samplesPerShard: 10 });
  }, 120_000);

  it.each(CASES.map((c, i) => [`${c.optimizer}${c.schedule ? ` + ${JSON.stringify(c.schedule)}` : ''}`, i] as const))('%s: same weights after 3 steps (1e-5)', (_n, i) => {
    const c = CASES[i]!;
    const args = resolve('optimizer', c.optimizer, c.args);
    const program = trainingProgram('Net', c.optimizer, args)!;
    writeFileSync(join(dir, `train${i}.py`), program);
    const { name, ...schedArgs } = c.schedule ?? { name: '' };
    const config: TrainingConfig = {
      module: join(dir, 'model.py'),
      className: 'Net',
      weights: join(dir, 'w.safetensors'),
      shards: join(dir, 'shards'),
      out: join(dir, `out${i}`),
      inputName: 'x',
      loss: { name: 'nll', args: {} },
      lr: args['lr'] as number,
      ...(c.schedule ? { schedule: { name, args: schedArgs } } : {}),
      penalties: graph.params.map((p) => ({ param: p.name, name: 'l2', args: { weight: L2 } })),
      clip: CLIP,
      epochs: 1,
      batch: BATCH,
      shuffle: false,
      seed: 0,
      device: 'cpu',
    };
    writeFileSync(join(dir, `config${i}.json`), JSON.stringify(config));
    const run = spawnSync(TORCH!.python, [join(dir, `train${i}.py`), join(dir, `config${i}.json`)], { encoding: 'utf8' });
    expect(run.status, run.stderr).toBe(0);
    const events = run.stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(events.filter((e) => e['event'] === 'step').length).toBe(STEPS);
    const theirs = readSafetensors(readFileSync(join(config.out, 'epoch-1/weights.safetensors'))).tensors;
    const ours = tfjsSteps(graph, w0, c);
    let worst = 0;
    for (const [k, v] of ours) {
      const t = theirs.get(k)!.data as Float32Array;
      v.forEach((x, j) => (worst = Math.max(worst, Math.abs(x - t[j]!))));
    }
    expect(worst).toBeLessThanOrEqual(1e-5);
  }, 120_000);
});

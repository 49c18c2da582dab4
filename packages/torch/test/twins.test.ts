/**
 * The torch engine's Python twins of dlm's standard optimizers and schedules against the rules
 * themselves (plugin-std, run through @dlm/tfjs' TensorMath as the tfjs trainer runs them): the
 * same starting weights and the same gradient sequence give the same weights after every step
 * within 1e-5, for every optimizer (default arguments and the variants that change the math); the
 * same learning rate at every step for every schedule. Plus DLM6106 for a rule without a twin.
 */
import { spawnSync } from 'node:child_process';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { DiagnosticBag, formatDiagnostics, validateArgs, type Args, type ArgValue, type PluginCall, type TrainingSpec } from '@dlm/core';
import { stdPlugin } from '@dlm/plugin-std';
import { setupBackend, tfjsMath } from '@dlm/tfjs';
import { checkTrainingTwins, optimizerTwin, py, render, SCHEDULE_SOURCE, scheduleArgsJson } from '../src/index.js';
import { TORCH, TORCH_SKIP } from './helpers/env.js';
import { rng } from './helpers/parity.js';

const OPTIMIZER_CASES: [string, Record<string, ArgValue>][] = [
  ['sgd', { lr: 0.1 }],
  ['sgd', { lr: 0.1, momentum: 0.9, dampening: 0.1, weight_decay: 0.01 }],
  ['sgd', { lr: 0.1, momentum: 0.9, nesterov: true }],
  ['adam', {}],
  ['adam', { lr: 0.01, beta1: 0.8, beta2: 0.99, eps: 1e-6, weight_decay: 0.05 }],
  ['adamw', {}],
  ['adamw', { lr: 0.01, weight_decay: 0.1 }],
  ['rmsprop', {}],
  ['rmsprop', { momentum: 0.5, centered: true, weight_decay: 0.01 }],
  ['adagrad', {}],
  ['adagrad', { lr_decay: 0.1, initial_accumulator: 0.5, weight_decay: 0.01 }],
];

const SCHEDULE_CASES: Record<string, ArgValue>[] = [
  { name: 'step', step_size: 2 },
  { name: 'step', step_size: 1, gamma: 0.5 },
  { name: 'cosine' },
  { name: 'cosine', steps: 10, min_lr: 1e-4 },
  { name: 'cosine', epochs: 3 },
  { name: 'warmup', steps: 5 },
  { name: 'warmup', steps: 5, then: { name: 'cosine', args: { min_lr: 1e-5 } } },
  { name: 'warmup', steps: 3, then: { name: 'step', args: { step_size: 2 } } },
];

const STEPS = 4;
const SIZE = 6;
const LRS = [1, 0.5, 0.25, 0.8];
const BASE = 0.1;
const TOTAL = 40;
const PER_EPOCH = 7;

function resolve(kind: 'optimizer' | 'schedule', name: string, given: Record<string, ArgValue>): Args {
  const def = (kind === 'optimizer' ? stdPlugin.optimizers : stdPlugin.schedules)!.find((d) => d.name === name)!;
  const bag = new DiagnosticBag();
  const args = validateArgs(name, def.args, Object.entries(given).map(([n, value]) => ({ name: n, value })), bag);
  if (!args) throw new Error(formatDiagnostics(bag.items));
  return args;
}

const r = rng(5);
const p0 = Array.from({ length: SIZE }, () => r() - 0.5);
const grads = Array.from({ length: STEPS }, () => Array.from({ length: SIZE }, () => r() * 2 - 1));

/** Weights after each step with the plugin-std rule, as the tfjs trainer applies it. */
function dlmTrajectory(name: string, args: Args): number[][] {
  const def = stdPlugin.optimizers!.find((d) => d.name === name)!;
  let p: tf.Tensor = tf.tensor1d(p0);
  let slots = def.initSlots(tfjsMath, p, args);
  const out: number[][] = [];
  for (let s = 0; s < STEPS; s++) {
    const lr = (args['lr'] as number) * LRS[s]!;
    const res = def.update(tfjsMath, p, tf.tensor1d(grads[s]!), slots, args, lr, s + 1);
    p = res.param as tf.Tensor;
    slots = res.slots as typeof slots;
    out.push(Array.from(p.dataSync()));
  }
  return out;
}

function pythonProgram(): string {
  const lines = ['import json, math, torch', '', SCHEDULE_SOURCE, '', 'results = {"optimizers": [], "schedules": []}'];
  for (const [name, given] of OPTIMIZER_CASES) {
    const args = resolve('optimizer', name, given);
    lines.push(`p = torch.nn.Parameter(torch.tensor(${JSON.stringify(p0)}))`);
    lines.push(`opt = ${render(optimizerTwin(name, py.list([py.name('p')]), args)!)}`);
    lines.push('traj = []');
    lines.push(`for g, scale in zip(${JSON.stringify(grads)}, ${JSON.stringify(LRS)}):`);
    lines.push(`    for group in opt.param_groups: group["lr"] = ${args['lr'] as number} * scale`);
    lines.push('    p.grad = torch.tensor(g)');
    lines.push('    opt.step()');
    lines.push('    traj.append(p.detach().tolist())');
    lines.push('results["optimizers"].append(traj)');
  }
  for (const { name, ...rest } of SCHEDULE_CASES as Record<string, ArgValue>[]) {
    lines.push(`results["schedules"].append([schedule_lr(${JSON.stringify(name)}, ${BASE}, s, ${TOTAL}, ${PER_EPOCH}, json.loads(${JSON.stringify(JSON.stringify(scheduleArgsJson(rest)))})) for s in range(60)])`);
  }
  lines.push('print(json.dumps(results))');
  return lines.join('\n');
}

describe.skipIf(!TORCH)(`Python twins vs dlm's rules${TORCH_SKIP ? ` (skipped: ${TORCH_SKIP})` : ''}`, () => {
  let results: { optimizers: number[][][]; schedules: number[][] };
  beforeAll(async () => {
    await setupBackend('cpu');
    const run = spawnSync(TORCH!.python, ['-c', pythonProgram()], { encoding: 'utf8' });
    if (run.status !== 0) throw new Error(run.stderr);
    results = JSON.parse(run.stdout) as typeof results;
  }, 120_000);

  it.each(OPTIMIZER_CASES.map((c, i) => [`${c[0]}(${JSON.stringify(c[1])})`, i] as const))('%s: same weights after every step (1e-5)', (_n, i) => {
    const [name, given] = OPTIMIZER_CASES[i]!;
    const ours = dlmTrajectory(name, resolve('optimizer', name, given));
    const theirs = results.optimizers[i]!;
    const worst = Math.max(...ours.flatMap((step, s) => step.map((v, j) => Math.abs(v - theirs[s]![j]!))));
    expect(worst).toBeLessThanOrEqual(1e-5);
  });

  it.each(SCHEDULE_CASES.map((c, i) => [JSON.stringify(c), i] as const))('schedule %s: same rate at every step', (_n, i) => {
    const { name, ...rest } = SCHEDULE_CASES[i]! as Record<string, ArgValue> & { name: string };
    const def = stdPlugin.schedules!.find((d) => d.name === name)!;
    const given = Object.fromEntries(Object.entries(rest).map(([k, v]) => [k, v && typeof v === 'object' && 'name' in v ? ({ ...(v as object) } as PluginCall) : v]));
    const args = resolve('schedule', name, given as Record<string, ArgValue>);
    const ours = Array.from({ length: 60 }, (_, s) => def.lr(BASE, s, TOTAL, PER_EPOCH, args));
    const theirs = results.schedules[i]!;
    ours.forEach((v, s) => expect(Math.abs(v - theirs[s]!), `step ${s}`).toBeLessThanOrEqual(1e-12));
  });
});

it('a train block whose optimizer or schedule has no twin is DLM6106 at its call', () => {
  const span = { file: 't.dlm', start: 0, end: 1, line: 7, col: 3, endLine: 7, endCol: 9 };
  const spec = {
    kind: 'supervised',
    model: 'M',
    data: { name: 'mnist', args: {} },
    loss: { name: 'nll', args: {} },
    optimizer: { name: 'lion', args: {}, span },
    regularizers: [],
    metrics: [],
    epochs: 1,
    settings: { schedule: { name: 'warmup', args: { steps: 3, then: { name: 'onecycle', args: {}, span: { ...span, line: 8 } } }, span } },
  } as TrainingSpec;
  const ds = checkTrainingTwins(spec);
  expect(ds.map((d) => [d.code, d.span?.line])).toEqual([
    ['DLM6106', 7],
    ['DLM6106', 8],
  ]);
  expect(formatDiagnostics(ds)).toMatch(/optimizer 'lion' has no PyTorch twin.*sgd, adam, adamw, rmsprop, adagrad/);
});

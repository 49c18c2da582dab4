/**
 * The Python twins of dlm's standard losses and weight penalties against plugin-std's rules run
 * through @dlm/tfjs' TensorMath: the same value and the same gradient with respect to the model
 * output (or the parameter) within 1e-5, for every loss and penalty.
 */
import { spawnSync } from 'node:child_process';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { DiagnosticBag, formatDiagnostics, validateArgs, type Args, type ArgValue } from '@dlm/core';
import { stdPlugin } from '@dlm/plugin-std';
import { setupBackend, tfjsMath } from '@dlm/tfjs';
import { LOSS_SOURCE, LOSS_TWINS, PENALTY_TWINS } from '../src/index.js';
import { TORCH, TORCH_SKIP } from './helpers/env.js';
import { rng } from './helpers/parity.js';

interface Case {
  kind: 'loss' | 'regularizer';
  name: string;
  args: Record<string, ArgValue>;
  output: { shape: number[]; probabilities?: boolean };
  target?: { shape: number[]; classes?: number; dense?: boolean };
}

const CASES: Case[] = [
  { kind: 'loss', name: 'mse', args: {}, output: { shape: [4, 3] }, target: { shape: [4, 3] } },
  { kind: 'loss', name: 'mae', args: {}, output: { shape: [5, 1] }, target: { shape: [5] } },
  { kind: 'loss', name: 'bce', args: {}, output: { shape: [6, 1], probabilities: true }, target: { shape: [6], classes: 2 } },
  { kind: 'loss', name: 'bce_with_logits', args: {}, output: { shape: [6, 1] }, target: { shape: [6], classes: 2 } },
  { kind: 'loss', name: 'cross_entropy', args: {}, output: { shape: [5, 4] }, target: { shape: [5], classes: 4 } },
  { kind: 'loss', name: 'cross_entropy', args: { label_smoothing: 0.1 }, output: { shape: [2, 3, 4] }, target: { shape: [2, 3], classes: 4 } },
  { kind: 'loss', name: 'cross_entropy', args: {}, output: { shape: [3, 4] }, target: { shape: [3, 4], dense: true } },
  { kind: 'loss', name: 'sparse_cross_entropy', args: { label_smoothing: 0.2 }, output: { shape: [5, 4] }, target: { shape: [5], classes: 4 } },
  { kind: 'loss', name: 'nll', args: {}, output: { shape: [5, 4] }, target: { shape: [5], classes: 4 } },
  { kind: 'regularizer', name: 'l1', args: { weight: 0.01 }, output: { shape: [3, 4] } },
  { kind: 'regularizer', name: 'l2', args: { weight: 1e-4 }, output: { shape: [3, 4] } },
];

function resolve(c: Case): Args {
  const def = (c.kind === 'loss' ? stdPlugin.losses : stdPlugin.regularizers)!.find((d) => d.name === c.name)!;
  const bag = new DiagnosticBag();
  const args = validateArgs(c.name, def.args, Object.entries(c.args).map(([name, value]) => ({ name, value })), bag);
  if (!args) throw new Error(formatDiagnostics(bag.items));
  return args;
}

const numel = (s: number[]) => s.reduce((a, b) => a * b, 1);

function data(c: Case, i: number): { output: number[]; target: number[] } {
  const r = rng(40 + i);
  let output = Array.from({ length: numel(c.output.shape) }, () => r() * 4 - 2);
  if (c.output.probabilities) output = output.map((v) => 1 / (1 + Math.exp(-v)));
  if (c.name === 'nll') {
    // log-probabilities: a log_softmax over the last axis.
    const k = c.output.shape.at(-1)!;
    for (let row = 0; row < output.length / k; row++) {
      const xs = output.slice(row * k, (row + 1) * k);
      const lse = Math.log(xs.reduce((a, v) => a + Math.exp(v), 0));
      xs.forEach((v, j) => (output[row * k + j] = v - lse));
    }
  }
  const t = c.target;
  if (!t) return { output, target: [] };
  let target = Array.from({ length: numel(t.shape) }, () => (t.classes ? Math.floor(r() * t.classes) : r() * 2 - 1));
  if (t.dense) target = target.map(() => r());
  return { output, target };
}

function dlmSide(c: Case, i: number): { value: number; grad: number[] } {
  const { output, target } = data(c, i);
  const args = resolve(c);
  const x = tf.tensor(output, c.output.shape);
  const y = c.target ? tf.tensor(target, c.target.shape, c.target.classes && !c.target.dense ? 'int32' : 'float32') : undefined;
  const f = (o: tf.Tensor) => {
    if (c.kind === 'loss') return stdPlugin.losses!.find((d) => d.name === c.name)!.compute(tfjsMath, o, y!, args) as tf.Scalar;
    const def = stdPlugin.regularizers!.find((d) => d.name === c.name)! as { penalty: (m: typeof tfjsMath, p: tf.Tensor, a: Args) => tf.Tensor };
    return def.penalty(tfjsMath, o, args) as tf.Scalar;
  };
  const { value, grad } = tf.valueAndGrad(f)(x);
  return { value: value.dataSync()[0]!, grad: Array.from(grad.dataSync()) };
}

function program(): string {
  const lines = ['import json, torch', 'import torch.nn.functional as F', '', LOSS_SOURCE, '', 'out = []'];
  CASES.forEach((c, i) => {
    const { output, target } = data(c, i);
    lines.push(`o = torch.tensor(${JSON.stringify(output)}).reshape(${JSON.stringify(c.output.shape)}).requires_grad_(True)`);
    if (c.kind === 'loss') {
      const t = c.target!;
      lines.push(`t = torch.tensor(${JSON.stringify(target)}, dtype=${t.classes && !t.dense ? 'torch.int32' : 'torch.float32'}).reshape(${JSON.stringify(t.shape)})`);
      lines.push(`v = dlm_loss(${JSON.stringify(c.name)}, o, t, json.loads(${JSON.stringify(JSON.stringify(resolve(c)))}))`);
    } else lines.push(`v = dlm_penalty(${JSON.stringify(c.name)}, o, json.loads(${JSON.stringify(JSON.stringify(resolve(c)))}))`);
    lines.push('v.backward()');
    lines.push('out.append({"value": v.item(), "grad": o.grad.flatten().tolist()})');
  });
  lines.push('print(json.dumps(out))');
  return lines.join('\n');
}

it('the cases cover every loss and penalty twin', () => {
  expect([...new Set(CASES.map((c) => c.name))].sort()).toEqual([...LOSS_TWINS, ...PENALTY_TWINS].sort());
});

describe.skipIf(!TORCH)(`loss and penalty twins vs dlm's rules${TORCH_SKIP ? ` (skipped: ${TORCH_SKIP})` : ''}`, () => {
  let theirs: { value: number; grad: number[] }[];
  beforeAll(async () => {
    await setupBackend('cpu');
    const r = spawnSync(TORCH!.python, ['-c', program()], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(r.stderr);
    theirs = JSON.parse(r.stdout) as typeof theirs;
  }, 120_000);

  it.each(CASES.map((c, i) => [`${c.name}(${JSON.stringify(c.args)}) ${JSON.stringify(c.output.shape)}`, i] as const))('%s: same value and gradient (1e-5)', (_n, i) => {
    const ours = dlmSide(CASES[i]!, i);
    expect(Math.abs(ours.value - theirs[i]!.value)).toBeLessThanOrEqual(1e-5);
    const worst = Math.max(...ours.grad.map((g, j) => Math.abs(g - theirs[i]!.grad[j]!)));
    expect(worst).toBeLessThanOrEqual(1e-5);
  });
});

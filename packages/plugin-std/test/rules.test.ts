/**
 * Backend-free checks of the standard training rules: registration, argument schemas, schedules
 * (pure functions of the step) and metric finalization from summed statistics. The tensor math of
 * losses/optimizers is checked against PyTorch in packages/tfjs/test/rules.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { DiagnosticBag, PluginRegistry, validateArgs, type Args, type ScheduleDef } from '@dlm/core';
import { metrics, schedules, stdPlugin } from '../src/index.js';

const defaults = (def: { args: readonly { name: string; default?: unknown }[] }, given: Args = {}): Args => {
  const bag = new DiagnosticBag();
  const args = validateArgs('t', def.args as never, Object.entries(given).map(([name, value]) => ({ name, value })), bag);
  if (!args) throw new Error(bag.items.map((d) => d.message).join('\n'));
  return args;
};

describe('standard training rules', () => {
  it('register without diagnostics', () => {
    const reg = new PluginRegistry();
    expect(reg.register(stdPlugin)).toEqual([]);
    for (const n of ['mse', 'mae', 'bce', 'bce_with_logits', 'cross_entropy', 'sparse_cross_entropy', 'nll']) expect(reg.get('loss', n)).toBeDefined();
    for (const n of ['sgd', 'adam', 'adamw', 'rmsprop', 'adagrad']) expect(reg.get('optimizer', n)).toBeDefined();
    for (const n of ['accuracy', 'precision', 'recall', 'f1', 'confusion_matrix']) expect(reg.get('metric', n)).toBeDefined();
    for (const n of ['step', 'cosine', 'warmup']) expect(reg.get('schedule', n)).toBeDefined();
    for (const n of ['l1', 'l2', 'early_stopping', 'random_flip', 'random_shift', 'gaussian_noise']) expect(reg.get('regularizer', n)).toBeDefined();
  });

  it('optimizer defaults are PyTorch defaults', () => {
    const adam = stdPlugin.optimizers!.find((o) => o.name === 'adam')!;
    expect(defaults(adam)).toEqual({ lr: 1e-3, beta1: 0.9, beta2: 0.999, eps: 1e-8, weight_decay: 0 });
    const adamw = stdPlugin.optimizers!.find((o) => o.name === 'adamw')!;
    expect(defaults(adamw)['weight_decay']).toBe(0.01);
  });
});

describe('schedules', () => {
  const get = (n: string): ScheduleDef => schedules.find((s) => s.name === n)!;
  it('step decays by gamma every step_size epochs', () => {
    const s = get('step');
    const args = defaults(s, { step_size: 2, gamma: 0.5 });
    // 10 steps per epoch: epochs 0-1 → 1.0, 2-3 → 0.5, 4 → 0.25
    expect([0, 19, 20, 39, 40].map((t) => s.lr(1, t, 100, 10, args))).toEqual([1, 1, 0.5, 0.5, 0.25]);
  });
  it('cosine anneals from base to min_lr over the run', () => {
    const s = get('cosine');
    const args = defaults(s, { min_lr: 0.1 });
    expect(s.lr(1, 0, 10, 5, args)).toBeCloseTo(1, 12);
    expect(s.lr(1, 5, 10, 5, args)).toBeCloseTo(0.55, 12); // halfway: min + (1-min)/2
    expect(s.lr(1, 10, 10, 5, args)).toBeCloseTo(0.1, 12);
    expect(s.lr(1, 2, 10, 5, args)).toBeCloseTo(0.1 + 0.9 * (1 + Math.cos(Math.PI * 0.2)) / 2, 12);
    expect(s.lr(1, 1, 1000, 5, defaults(s, { epochs: 1 }))).toBeCloseTo((1 + Math.cos(Math.PI / 5)) / 2, 12);
  });
  it('warmup ramps linearly, then holds or hands over', () => {
    const s = get('warmup');
    expect([0, 1, 3, 4, 50].map((t) => s.lr(0.1, t, 100, 10, defaults(s, { steps: 4 })))).toEqual([0.025, 0.05, 0.1, 0.1, 0.1]);
    const wrapped = defaults(s, { steps: 4, then: { name: 'cosine', args: { min_lr: 0 } } });
    expect(s.lr(1, 4, 14, 10, wrapped)).toBeCloseTo(1, 12);
    expect(s.lr(1, 9, 14, 10, wrapped)).toBeCloseTo(0.5, 12);
    expect(() => s.lr(1, 9, 14, 10, defaults(s, { steps: 4, then: { name: 'nope', args: {} } }))).toThrow(/must be one of step, cosine/);
  });
});

describe('metric finalize (from summed statistics)', () => {
  const fin = (name: string, stats: Record<string, number[]>, args: Args, classes: number) =>
    metrics.find((m) => m.name === name)!.finalize(Object.fromEntries(Object.entries(stats).map(([k, v]) => [k, Float32Array.from(v)])), args, classes);
  // Binary: tp = 3 of 4 predicted positive; 6 actual positives.
  const bin = { tp: [5, 3], predicted: [8, 4], actual: [6, 6] };
  it('binary precision/recall/f1 score class 1 (auto for two classes)', () => {
    expect(fin('precision', bin, { average: 'auto' }, 2)).toBeCloseTo(3 / 4, 6);
    expect(fin('recall', bin, { average: 'auto' }, 2)).toBeCloseTo(3 / 6, 6);
    expect(fin('f1', bin, { average: 'auto' }, 2)).toBeCloseTo((2 * 3) / (4 + 6), 6);
  });
  it('macro ignores classes absent from labels and predictions; never-predicted classes score 0 precision', () => {
    const s = { tp: [2, 0, 0, 0], predicted: [3, 0, 0, 1], actual: [2, 2, 0, 0] };
    // classes 0, 1, 3 seen: precision 2/3, 0, 0
    expect(fin('precision', s, { average: 'macro' }, 4)).toBeCloseTo(2 / 3 / 3, 6);
    expect(fin('recall', s, { average: 'macro' }, 4)).toBeCloseTo(1 / 3, 6);
  });
  it('accuracy of an empty epoch is 0, not NaN', () => expect(fin('accuracy', { correct: [0], count: [0] }, {}, 2)).toBe(0));
});

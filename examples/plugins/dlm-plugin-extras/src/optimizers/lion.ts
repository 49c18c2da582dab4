/**
 * `lion`: EvoLved Sign Momentum (Chen et al. 2023, "Symbolic Discovery of Optimization
 * Algorithms", Algorithm 2). Every step moves each weight by exactly ±lr (the sign of an
 * interpolated momentum), which is why Lion wants a learning rate 3–10× smaller than Adam's.
 *
 *   c = β1·m + (1 − β1)·g          (the update direction)
 *   p ← p − lr·(sign(c) + wd·p)    (decoupled weight decay, as in AdamW)
 *   m ← β2·m + (1 − β2)·g          (the momentum, tracked with a slower β2)
 *
 * Written against TensorMath, so it runs on every backend that implements it.
 */
import type { Args, OptimizerDef, TensorMath } from '@dlm/core';

const num = (args: Args, k: string): number => args[k] as number;

export const lion: OptimizerDef = {
  name: 'lion',
  learningRate: 'lr',
  doc: 'Lion: steps by the sign of an interpolated momentum, one slot per weight; use an lr 3–10× smaller than for Adam and a larger weight_decay. From Chen et al. 2023.',
  args: [
    { name: 'lr', type: 'float', min: 0, doc: 'Base learning rate: every weight moves by ±lr per step (a schedule scales it).' },
    { name: 'beta1', type: 'float', default: 0.9, min: 0, max: 1, doc: 'Interpolation between momentum and gradient for the update direction.' },
    { name: 'beta2', type: 'float', default: 0.99, min: 0, max: 1, doc: 'Decay of the momentum that is carried to the next step.' },
    { name: 'weight_decay', type: 'float', default: 0, min: 0, doc: 'Decoupled weight decay: p ← p − lr·wd·p.' },
  ],
  initSlots: <T>(m: TensorMath<T>, param: T): Record<string, T> => ({ exp_avg: m.zerosLike(param) }),
  update<T>(m: TensorMath<T>, param: T, grad: T, slots: Record<string, T>, args: Args, lr: number) {
    const b1 = num(args, 'beta1');
    const b2 = num(args, 'beta2');
    const wd = num(args, 'weight_decay');
    const expAvg = slots['exp_avg']!;
    const direction = m.sign(m.add(m.mul(expAvg, b1), m.mul(grad, 1 - b1)));
    const decayed = wd !== 0 ? m.mul(param, 1 - lr * wd) : param;
    return {
      param: m.sub(decayed, m.mul(direction, lr)),
      slots: { exp_avg: m.add(m.mul(expAvg, b2), m.mul(grad, 1 - b2)) },
    };
  },
};

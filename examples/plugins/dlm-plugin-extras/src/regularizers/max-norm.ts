/**
 * `max_norm`: a soft max-norm constraint as a loss penalty. For each output unit (row 0 of a
 * weight: a dense unit or a conv filter) whose L2 norm exceeds `max`, it adds
 * weight·(‖w_unit‖ − max)². Weights inside the ball cost nothing, so unlike l2 it does not shrink
 * small weights. (Hard max-norm, Srebro & Shraibman 2005 / Hinton et al. 2012, projects instead;
 * a penalty keeps it a pure function of the parameter that any backend can differentiate.)
 */
import type { Args, RegularizerDef, TensorMath } from '@dlm/core';

const num = (args: Args, k: string): number => args[k] as number;

export const max_norm: RegularizerDef = {
  name: 'max_norm',
  doc: 'Penalty weight·Σ max(0, ‖w_unit‖ − max)² over the output units (rows) of each weight; biases count as one unit.',
  kind: 'penalty',
  args: [
    { name: 'max', type: 'float', default: 3.0, min: 0, doc: 'Largest L2 norm of a unit that costs nothing.' },
    { name: 'weight', type: 'float', default: 1.0, min: 0, doc: 'Penalty factor.' },
  ],
  penalty<T>(m: TensorMath<T>, p: T, args: Args): T {
    const rank = m.shape(p).length;
    const axes = rank <= 1 ? undefined : Array.from({ length: rank - 1 }, (_, i) => i + 1);
    // ε inside the sqrt keeps the gradient finite for an all-zero unit.
    const norms = m.sqrt(m.add(m.sum(m.square(p), axes), 1e-12));
    const excess = m.maximum(m.sub(norms, num(args, 'max')), 0);
    return m.mul(m.sum(m.square(excess)), num(args, 'weight'));
  },
};

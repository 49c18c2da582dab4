/**
 * The one parameter count. Summary, diagram, editor hover and playground all call it, so a layer
 * shows the same number everywhere. Counting follows Keras: every stored element counts, and
 * buffers (batch-norm running statistics) and frozen parameters are "non-trainable"; the
 * trainable count is PyTorch's `sum(p.numel() for p in parameters() if p.requires_grad)`.
 */
import { numelStatic } from './dims.js';
import type { Graph, Param } from './ir.js';

export interface ParamCounts {
  /** Elements of every parameter and buffer (Keras "Total params"). */
  total: number;
  /** Elements the optimizer updates. */
  trainable: number;
  /** total − trainable: frozen parameters and buffers. */
  nonTrainable: number;
  /** The part of `nonTrainable` that is buffers (state training updates by itself). */
  buffers: number;
}

/** Counts elements of `params`; a parameter with a symbolic dim (never created by layers) counts 0. */
export function countParams(params: Iterable<Param>): ParamCounts {
  let total = 0;
  let trainable = 0;
  let buffers = 0;
  for (const p of params) {
    const n = numelStatic(p.type.shape) ?? 0;
    total += n;
    if (p.buffer) buffers += n;
    else if (p.trainable) trainable += n;
  }
  return { total, trainable, nonTrainable: total - trainable, buffers };
}

/** Whether `scope` lies at or below the layer path `path` (`[]` is the whole model). */
export function inScope(scope: readonly string[], path: readonly string[]): boolean {
  return path.length <= scope.length && path.every((p, i) => scope[i] === p);
}

/** Counts the parameters of the layer or block instance at `path`, nested ones included; `[]` counts the model. */
export function countParamsUnder(g: Graph, path: readonly string[] = []): ParamCounts {
  return countParams(g.params.filter((p) => inScope(p.scope, path)));
}

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

/**
 * Counts the parameters of the layer or block instance at `path`, nested ones included; `[]` counts
 * the model. One layer at a time (hover); for every layer of a graph use `paramCountsByPath`.
 */
export function countParamsUnder(g: Graph, path: readonly string[] = []): ParamCounts {
  return countParams(g.params.filter((p) => inScope(p.scope, path)));
}

/** Scope segments are identifiers, so a NUL cannot occur in one: it separates them in keys. */
const SEP = '\u0000';

/** The key `totalsByScope` and `paramCountsByPath` use for a layer path (`[]`: the whole graph). */
export function scopeKey(path: readonly string[]): string {
  let key = '';
  for (const segment of path) key += SEP + segment;
  return key;
}

/**
 * For every scope prefix of the items (the layer paths that contain them), the sum of `value` over
 * the items inside it, added in the items' order. One pass, linear in items × nesting depth: asking
 * each of L layers for its own sum over N items is L·N (a 10,000-layer diagram took seconds).
 */
export function totalsByScope<I>(items: Iterable<I>, scopeOf: (item: I) => readonly string[], value: (item: I) => number): Map<string, number> {
  const totals = new Map<string, number>();
  for (const item of items) {
    const v = value(item);
    let key = '';
    totals.set(key, (totals.get(key) ?? 0) + v);
    for (const segment of scopeOf(item)) {
      key += SEP + segment;
      totals.set(key, (totals.get(key) ?? 0) + v);
    }
  }
  return totals;
}

/** `countParamsUnder(g, path)` for any path, with every layer's counts computed in one pass (`totalsByScope`). */
export function paramCountsByPath(g: Graph): (path: readonly string[]) => ParamCounts {
  const numel = (p: Param) => numelStatic(p.type.shape) ?? 0;
  const total = totalsByScope(g.params, (p) => p.scope, numel);
  const trainable = totalsByScope(g.params, (p) => p.scope, (p) => (!p.buffer && p.trainable ? numel(p) : 0));
  const buffers = totalsByScope(g.params, (p) => p.scope, (p) => (p.buffer ? numel(p) : 0));
  return (path) => {
    const key = scopeKey(path);
    const t = total.get(key) ?? 0;
    return { total: t, trainable: trainable.get(key) ?? 0, nonTrainable: t - (trainable.get(key) ?? 0), buffers: buffers.get(key) ?? 0 };
  };
}

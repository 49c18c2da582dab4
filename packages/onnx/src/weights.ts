/** Checks a weight map against a graph's parameters before anything is written. */
import { diag, formatShape, numelStatic, type Diagnostic, type Graph } from '@dlm/core';

/**
 * Every missing, extra and mis-sized weight, each as its own diagnostic (located at the layer that
 * declared the parameter). Weights are keyed by parameter name (`conv2d_1.weight`), row-major.
 */
export function checkWeights(graph: Graph, weights: ReadonlyMap<string, Float32Array>): Diagnostic[] {
  const out: Diagnostic[] = [];
  const names = new Set<string>();
  for (const p of graph.params) {
    names.add(p.name);
    const w = weights.get(p.name);
    const what = `${p.buffer ? 'buffer' : 'parameter'} of ${p.scope.join('/') || graph.name}, shape ${formatShape(p.type.shape)}`;
    if (!w) {
      out.push(diag('DLM6005', [p.name, what], p.span));
      continue;
    }
    const need = numelStatic(p.type.shape);
    if (need === undefined || w.length !== need) {
      out.push(diag('DLM6007', [p.name, w.length, formatShape(p.type.shape), need ?? 'a fixed shape'], p.span));
    }
  }
  for (const key of weights.keys()) {
    if (!names.has(key)) out.push(diag('DLM6006', [key, graph.name], graph.span));
  }
  return out;
}

/**
 * The last look at a built graph before it is encoded: every value a node reads and every graph
 * output must be produced by a node, an initializer or a graph input. ONNX's own checker (1.12)
 * accepts a graph output that nothing produces, and onnxruntime then fails at load time far from
 * the cause; a dangling edge here is a bug in dlm (the IR or a lowering rule), so it is reported as
 * an internal error, named and located, and nothing is encoded.
 */
import { diag, type Diagnostic, type SourceSpan } from '@dlm/core';
import type { IGraphProto as GraphProto, INodeProto as NodeProto } from './proto.js';

/**
 * One DLM6010 per value read or output that nothing produces. `locate` gives the span of the IR
 * node an ONNX node was lowered from (undefined for nodes of dlm's own, such as preprocessing).
 */
export function danglingValues(g: GraphProto, model: string, modelSpan: SourceSpan | undefined, locate: (n: NodeProto) => SourceSpan | undefined): Diagnostic[] {
  const produced = new Set<string>();
  for (const v of g.input ?? []) if (v.name) produced.add(v.name);
  for (const t of g.initializer ?? []) if (t.name) produced.add(t.name);
  for (const n of g.node ?? []) for (const o of n.output ?? []) if (o) produced.add(o);
  const out: Diagnostic[] = [];
  for (const n of g.node ?? []) {
    for (const i of n.input ?? []) {
      if (i && !produced.has(i)) out.push(diag('DLM6010', [model, `value '${i}' read by ONNX node '${n.name}'`], locate(n) ?? modelSpan));
    }
  }
  for (const v of g.output ?? []) {
    if (v.name && !produced.has(v.name)) out.push(diag('DLM6010', [model, `graph output '${v.name}'`], modelSpan));
  }
  return out;
}

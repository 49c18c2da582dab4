/** Builds graphs from standard-layer calls with the core GraphBuilder (no .dlm text needed). */
import { DiagnosticBag, GraphBuilder, PLUGIN_API_VERSION, PluginRegistry, type ArgValue, type Graph, type TensorType } from '@dlm/core';
import { STD_LAYERS } from '../src/layers/index.js';

export function layerRegistry(): PluginRegistry {
  const reg = new PluginRegistry();
  const problems = reg.register({ name: '@dlm/plugin-std', apiVersion: PLUGIN_API_VERSION, layers: STD_LAYERS });
  if (problems.length) throw new Error(problems.map((d) => d.message).join('\n'));
  return reg;
}

export interface LayerCall {
  layer: string;
  args?: Record<string, ArgValue>;
}

export interface Built {
  graph: Graph;
  bag: DiagnosticBag;
  out: string;
  /** Output value of each call, in order. */
  outs: string[];
  type: (v: string) => TensorType;
}

/** Applies `calls` in sequence to one input; returns the finished graph and diagnostics. */
export function chain(input: TensorType, calls: LayerCall[], reg = layerRegistry()): Built {
  const bag = new DiagnosticBag();
  const b = new GraphBuilder('Test', reg, bag);
  let v = b.addInput('x', input);
  const outs: string[] = [];
  for (const c of calls) {
    v = b.callLayer(c.layer, [v], Object.entries(c.args ?? {}).map(([name, value]) => ({ name, value })), undefined)[0]!;
    outs.push(v);
  }
  // Declare the result as the graph output 'y' (with the type it has), as a model would.
  const type = b.typeOf(v);
  if (calls.length > 0 && !type.unknown) b.addOutput('y', v, type);
  return { graph: b.finish(), bag, out: v, outs, type: (x) => b.typeOf(x) };
}


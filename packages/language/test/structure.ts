/**
 * A compiled program as text a reviewer can read in a diff: per model its ports, op histogram,
 * layer tree, nodes (op, inputs → outputs with types, attributes) and parameters (shape,
 * initializer, trainable/buffer), then the train blocks. Everything the IR says except source
 * spans, one item per line.
 */
import { countParamsUnder, formatType, type ArgValue, type AttrValue, type Graph, type PluginCall, type Program } from '@dlm/core';

const json = (v: AttrValue | ArgValue | Record<string, ArgValue>): string => JSON.stringify(v);

function call(c: PluginCall): string {
  const args = Object.entries(c.args).map(([k, v]) => `${k}: ${json(v)}`);
  return args.length ? `${c.name}(${args.join(', ')})` : c.name;
}

/** Op name → count, in a stable order (most frequent first, then by name). */
export function opHistogram(g: Graph): [string, number][] {
  const counts = new Map<string, number>();
  for (const n of g.nodes) counts.set(n.op, (counts.get(n.op) ?? 0) + 1);
  return [...counts].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
}

export function describeModel(g: Graph): string {
  const types = new Map<string, string>();
  for (const v of [...g.inputs, ...g.values, ...g.outputs]) types.set(v.name, formatType(v.type));
  for (const p of g.params) types.set(p.name, formatType(p.type));
  const counts = countParamsUnder(g);
  const out: string[] = [];
  out.push(`model ${g.name}${g.source ? ` (${g.source})` : ''}`);
  out.push(`  inputs:  ${g.inputs.map((v) => `${v.name} ${formatType(v.type)}`).join(', ')}`);
  out.push(`  outputs: ${g.outputs.map((v) => `${v.name} ${formatType(v.type)}`).join(', ')}`);
  out.push(`  params: ${counts.total} (${counts.trainable} trainable, ${counts.buffers} in buffers)`);
  out.push(`  ops (${g.nodes.length}): ${opHistogram(g).map(([op, n]) => `${op} ${n}`).join(', ')}`);
  out.push(`  layers (${g.layers.length}):`);
  for (const l of g.layers) {
    const indent = '    ' + '  '.repeat(l.path.length - 1);
    const what = l.isBlock ? `${l.kind} (block)` : `${l.kind} [${l.family}${l.plugin ? `, ${l.plugin}` : ''}]`;
    out.push(`${indent}${l.path[l.path.length - 1]}: ${what} "${l.label}" ${json(l.args)} (${l.inputs.join(', ')}) → (${l.outputs.join(', ')})`);
  }
  out.push(`  nodes (${g.nodes.length}):`);
  for (const n of g.nodes) {
    const attrs = Object.entries(n.attrs).map(([k, v]) => `${k}=${json(v)}`).join(' ');
    const outs = n.outputs.map((o) => `${o}: ${types.get(o) ?? '?'}`).join(', ');
    out.push(`    ${n.id} = ${n.op}(${n.inputs.map((i) => i || '∅').join(', ')}) → ${outs}${attrs ? `  {${attrs}}` : ''}${n.trainingOnly ? '  training-only' : ''}  @${n.scope.join('/')}`);
  }
  out.push(`  params (${g.params.length}):`);
  for (const p of g.params) {
    const kind = p.buffer ? 'buffer' : p.trainable ? 'trainable' : 'frozen';
    const init = Object.keys(p.init.args).length ? `${p.init.kind}(${Object.entries(p.init.args).map(([k, v]) => `${k}=${json(v)}`).join(', ')})` : p.init.kind;
    const regs = p.regularizers.length ? `  regularize ${p.regularizers.map(call).join(', ')}` : '';
    out.push(`    ${p.name}: ${formatType(p.type)} ${kind} init ${init}${regs}  @${p.scope.join('/')}`);
  }
  return out.join('\n');
}

export function describeProgram(p: Program): string {
  const out = [`irVersion ${p.irVersion}`, ...p.models.map(describeModel)];
  for (const t of p.trainings) {
    const who = t.kind === 'gan' ? `gan ${t.generator} vs ${t.discriminator}` : t.model;
    out.push(`train ${who}`);
    out.push(`  data ${call(t.data)}`);
    out.push(`  loss ${call(t.loss)}`);
    out.push(`  optimizer ${call(t.optimizer)}`);
    if (t.regularizers.length) out.push(`  regularize ${t.regularizers.map(call).join(', ')}`);
    if (t.metrics.length) out.push(`  metrics ${t.metrics.map(call).join(', ')}`);
    out.push(`  epochs ${t.epochs}`);
    for (const [k, v] of Object.entries(t.settings)) out.push(`  ${k} ${json(v)}`);
  }
  return out.join('\n') + '\n';
}

/**
 * A Keras-style model summary computed from the IR alone (no execution): per layer and block,
 * its output shape, parameter count and FLOPs; totals; parameter memory.
 */
import { formatShape, numelStatic } from './dims.js';
import type { Graph, LayerRecord, TensorType } from './ir.js';
import { getOpSchema } from './ops/index.js';
import { countParams, paramCountsByPath, scopeKey, totalsByScope } from './param-count.js';

export interface SummaryRow {
  /** Scope path joined with '/'. */
  name: string;
  depth: number;
  kind: string;
  isBlock: boolean;
  outputShape: string;
  /** Elements of its parameters and buffers, nested layers included (`countParamsUnder`, all layers at once by `paramCountsByPath`). */
  params: number;
  trainableParams: number;
  flops: number;
}

export interface ModelSummary {
  model: string;
  rows: SummaryRow[];
  inputs: { name: string; shape: string }[];
  outputs: { name: string; shape: string }[];
  /** Elements of every parameter and buffer, as Keras counts (`countParams`). */
  totalParams: number;
  /** What the optimizer updates: PyTorch's `sum(p.numel() for p in parameters() if p.requires_grad)`. */
  trainableParams: number;
  /** Frozen parameters and buffers. */
  nonTrainableParams: number;
  /** The buffer part of `nonTrainableParams` (batch-norm running statistics). */
  bufferElements: number;
  /** Forward FLOPs of one sample (symbolic dims as 1). */
  flops: number;
  /** Bytes of all parameters (f32 = 4 bytes). */
  paramBytes: number;
}

const BYTES: Record<TensorType['dtype'], number> = { f32: 4, i32: 4, i64: 8, bool: 1 };

export function summarize(g: Graph): ModelSummary {
  const types = new Map<string, TensorType>();
  for (const v of [...g.inputs, ...g.values, ...g.outputs]) types.set(v.name, v.type);
  for (const p of g.params) types.set(p.name, p.type);
  const nodeFlops = g.nodes.map((n) => {
    const schema = getOpSchema(n.op);
    if (!schema?.flops) return 0;
    const ins = n.inputs.map((i) => (i ? types.get(i) : undefined));
    const outs = n.outputs.map((o) => types.get(o)!).filter(Boolean);
    return schema.flops(ins, outs, n.attrs);
  });
  // Per-layer sums in one pass each (per layer over all nodes and params was quadratic).
  const countsOf = paramCountsByPath(g);
  const flopsByScope = totalsByScope(g.nodes.keys(), (i) => g.nodes[i]!.scope, (i) => nodeFlops[i]!);
  const rows: SummaryRow[] = g.layers.map((l: LayerRecord) => {
    const counts = countsOf(l.path);
    const flops = flopsByScope.get(scopeKey(l.path)) ?? 0;
    const outShape = l.outputs.map((o) => {
      const t = types.get(o);
      return t ? formatShape(t.shape) : '?';
    });
    return {
      name: l.path.join('/'),
      depth: l.path.length - 1,
      kind: l.kind,
      isBlock: l.isBlock,
      outputShape: outShape.join(', '),
      params: counts.total,
      trainableParams: counts.trainable,
      flops,
    };
  });
  const counts = countParams(g.params);
  return {
    model: g.name,
    rows,
    inputs: g.inputs.map((v) => ({ name: v.name, shape: formatShape(v.type.shape) })),
    outputs: g.outputs.map((v) => ({ name: v.name, shape: formatShape(v.type.shape) })),
    totalParams: counts.total,
    trainableParams: counts.trainable,
    nonTrainableParams: counts.nonTrainable,
    bufferElements: counts.buffers,
    flops: nodeFlops.reduce((a, b) => a + b, 0),
    paramBytes: g.params.reduce((s, p) => s + (numelStatic(p.type.shape) ?? 0) * BYTES[p.type.dtype], 0),
  };
}

const fmtInt = (n: number) => n.toLocaleString('en-US');

function humanFlops(n: number): string {
  const units: [number, string][] = [[1e12, 'T'], [1e9, 'G'], [1e6, 'M'], [1e3, 'K']];
  for (const [v, u] of units) if (n >= v) return `${(n / v).toFixed(2)} ${u}FLOPs`;
  return `${n} FLOPs`;
}

function humanBytes(n: number): string {
  if (n >= 1 << 20) return `${(n / (1 << 20)).toFixed(2)} MiB`;
  if (n >= 1 << 10) return `${(n / (1 << 10)).toFixed(2)} KiB`;
  return `${n} B`;
}

/** The summary as a text table (golden-tested). Blocks indent their members. */
export function formatSummary(s: ModelSummary): string {
  const header = ['Layer', 'Type', 'Output shape', 'Params', 'FLOPs'];
  const body = s.rows.map((r) => [
    '  '.repeat(r.depth) + (r.name.split('/').pop() ?? r.name),
    r.isBlock ? `${r.kind} (block)` : r.kind,
    r.outputShape,
    fmtInt(r.params),
    fmtInt(r.flops),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((row) => row[i]!.length)));
  const line = (cells: string[]) =>
    cells.map((c, i) => (i >= 3 ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join('  ').trimEnd();
  const rule = (ch: string) => ch.repeat(widths.reduce((a, b) => a + b, 0) + 2 * (widths.length - 1));
  const out: string[] = [];
  out.push(`Model: ${s.model}`);
  out.push(rule('='));
  out.push(line(header));
  out.push(rule('-'));
  for (const v of s.inputs) out.push(line([v.name, 'input', v.shape, '0', '0']));
  for (const row of body) out.push(line(row));
  out.push(rule('='));
  out.push(`Inputs: ${s.inputs.map((v) => `${v.name} ${v.shape}`).join(', ')}`);
  out.push(`Outputs: ${s.outputs.map((v) => `${v.name} ${v.shape}`).join(', ')}`);
  out.push(`Total params: ${fmtInt(s.totalParams)}`);
  out.push(`Trainable params: ${fmtInt(s.trainableParams)}`);
  out.push(`Non-trainable params: ${fmtInt(s.nonTrainableParams)}${s.bufferElements > 0 ? ` (buffers: ${fmtInt(s.bufferElements)})` : ''}`);
  out.push(`Forward FLOPs (one sample): ${fmtInt(s.flops)} (${humanFlops(s.flops)})`);
  out.push(`Parameter memory: ${humanBytes(s.paramBytes)}`);
  return out.join('\n') + '\n';
}

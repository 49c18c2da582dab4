/**
 * Builds IR graphs for the export tests through core's real GraphBuilder (so every node passed
 * the op shape rules). The layers here are small stand-ins with the same expansions the standard
 * layers use (dense → Gemm transB=1, conv2d → Conv + bias, …), registered as a test plugin.
 */
import {
  DiagnosticBag,
  formatDiagnostics,
  GraphBuilder,
  PLUGIN_API_VERSION,
  PluginRegistry,
  type AttrValue,
  type Dim,
  type Graph,
  type LayerContext,
  type LayerDef,
  type SourceSpan,
} from '@dlm/core';

const U = { kind: 'uniform' as const, args: { low: -0.1, high: 0.1 } };
const ONES = { kind: 'ones' as const, args: {} };
const ZEROS = { kind: 'zeros' as const, args: {} };

type Expand = (ctx: LayerContext, inputs: readonly string[]) => string | string[];

/** A layer whose expansion is a closure: `g.layer('conv2d', [x], (ctx, [x]) => …)`. */
function closureLayer(name: string, family: LayerDef['family'], fn: Expand, label?: string): LayerDef {
  return { name, family, doc: name, args: [], inputs: { min: 0, max: Infinity }, expand: (ctx, ins) => fn(ctx, ins), label: () => label ?? name };
}

export class TestGraph {
  readonly bag = new DiagnosticBag();
  private readonly registry = new PluginRegistry();
  private readonly b: GraphBuilder;
  private readonly defs: LayerDef[] = [];
  private line = 1;

  constructor(name: string, readonly file = 'test.dlm') {
    this.b = new GraphBuilder(name, this.registry, this.bag, this.span(), file);
  }

  /** A fake source span on its own line, so diagnostics can be told apart by line. */
  span(): SourceSpan {
    const line = this.line++;
    return { file: this.file, start: line * 100, end: line * 100 + 10, line, col: 3, endLine: line, endCol: 13 };
  }

  input(name: string, shape: Dim[], dtype: 'f32' | 'i32' | 'i64' = 'f32'): string {
    return this.b.addInput(name, { dtype, shape }, this.span());
  }

  output(name: string, value: string): void {
    this.b.addOutput(name, value, this.b.typeOf(value), this.span());
  }

  layer(kind: string, inputs: string[], fn: Expand, opts: { family?: LayerDef['family']; label?: string } = {}): string[] {
    const name = `${kind}`;
    if (!this.registry.get('layer', name)) {
      const def = closureLayer(name, opts.family ?? 'custom', fn, opts.label);
      this.defs.push(def);
      this.registry.register({ name: `test-${name}-${this.defs.length}`, apiVersion: PLUGIN_API_VERSION, layers: [def] });
    } else {
      // Same layer kind again with a different closure: swap the expansion in place.
      const reg = this.registry.get('layer', name)!;
      (reg.def as { expand: LayerDef['expand'] }).expand = (ctx, ins) => fn(ctx, ins);
      (reg.def as { label?: LayerDef['label'] }).label = () => opts.label ?? name;
    }
    return this.b.callLayer(name, inputs, [], this.span());
  }

  /** One op as its own layer (scope `<op lowercased>_<n>`); `null` skips an optional input. */
  op(op: string, inputs: (string | null)[], attrs: Record<string, AttrValue> = {}, outputs?: number): string[] {
    const present = inputs.filter((i): i is string => i !== null);
    return this.layer(op.toLowerCase(), present, (ctx) => ctx.op(op, inputs, attrs, outputs ? { outputs } : {}));
  }

  finish(): Graph {
    if (this.bag.hasErrors) throw new Error(`test graph has errors:\n${formatDiagnostics(this.bag.items)}`);
    return this.b.finish();
  }

  // ───── standard-shaped layers ─────

  dense(x: string, units: number, opts: { bias?: boolean } = {}): string {
    return this.layer('dense', [x], (ctx, [v]) => {
      const inF = ctx.typeOf(v!).shape.at(-1) as number;
      const w = ctx.param('weight', [units, inF], U);
      const b = opts.bias === false ? null : ctx.param('bias', [units], U);
      return ctx.op('Gemm', [v!, w, b], { transB: 1 });
    }, { family: 'dense', label: `dense ${units}` })[0]!;
  }

  conv2d(x: string, filters: number, k: number, opts: { stride?: number; pad?: number; group?: number; dilation?: number } = {}): string {
    return this.convNd(x, filters, [k, k], opts, 'conv2d');
  }

  conv1d(x: string, filters: number, k: number, opts: { stride?: number; pad?: number } = {}): string {
    return this.convNd(x, filters, [k], opts, 'conv1d');
  }

  private convNd(x: string, filters: number, ks: number[], opts: { stride?: number; pad?: number; group?: number; dilation?: number }, kind: string): string {
    return this.layer(kind, [x], (ctx, [v]) => {
      const c = ctx.typeOf(v!).shape[1] as number;
      const g = opts.group ?? 1;
      const w = ctx.param('weight', [filters, c / g, ...ks], U);
      const b = ctx.param('bias', [filters], U);
      const p = opts.pad ?? 0;
      return ctx.op('Conv', [v!, w, b], {
        kernel_shape: ks,
        strides: ks.map(() => opts.stride ?? 1),
        pads: [...ks.map(() => p), ...ks.map(() => p)],
        dilations: ks.map(() => opts.dilation ?? 1),
        group: g,
      });
    }, { family: 'conv', label: `${kind} ${filters}×${ks.join('×')}` })[0]!;
  }

  convTranspose2d(x: string, filters: number, k: number, opts: { stride?: number; pad?: number; outputPadding?: number; bias?: boolean } = {}): string {
    return this.layer('conv_transpose2d', [x], (ctx, [v]) => {
      const c = ctx.typeOf(v!).shape[1] as number;
      const w = ctx.param('weight', [c, filters, k, k], U);
      const b = opts.bias === false ? null : ctx.param('bias', [filters], U);
      const p = opts.pad ?? 0;
      return ctx.op('ConvTranspose', [v!, w, b], {
        kernel_shape: [k, k],
        strides: [opts.stride ?? 1, opts.stride ?? 1],
        pads: [p, p, p, p],
        output_padding: opts.outputPadding ? [opts.outputPadding, opts.outputPadding] : [],
      });
    }, { family: 'conv', label: `conv_transpose2d ${filters}×${k}×${k}` })[0]!;
  }

  batchNorm(x: string): string {
    return this.layer('batch_norm', [x], (ctx, [v]) => {
      const c = ctx.typeOf(v!).shape[1] as number;
      const scale = ctx.param('weight', [c], ONES);
      const bias = ctx.param('bias', [c], ZEROS);
      const mean = ctx.param('running_mean', [c], ZEROS, { buffer: true });
      const vr = ctx.param('running_var', [c], ONES, { buffer: true });
      return ctx.op('BatchNormalization', [v!, scale, bias, mean, vr], { epsilon: 1e-5, momentum: 0.9 });
    }, { family: 'normalization', label: 'batch_norm' })[0]!;
  }

  layerNorm(x: string): string {
    return this.layer('layer_norm', [x], (ctx, [v]) => {
      const d = ctx.typeOf(v!).shape.at(-1) as number;
      return ctx.op('LayerNormalization', [v!, ctx.param('weight', [d], ONES), ctx.param('bias', [d], ZEROS)], { axis: -1 });
    }, { family: 'normalization' })[0]!;
  }

  /** Batch-first recurrent layer; returns [Y, Y_h(, Y_c)]. */
  recurrent(op: 'LSTM' | 'GRU' | 'RNN', x: string, hidden: number, opts: { bidirectional?: boolean; outputs?: number; initial?: string[] } = {}): string[] {
    const gates = { LSTM: 4, GRU: 3, RNN: 1 }[op];
    return this.layer(op.toLowerCase(), [x, ...(opts.initial ?? [])], (ctx, [v, ...init]) => {
      const inF = ctx.typeOf(v!).shape[2] as number;
      const dirs = opts.bidirectional ? 2 : 1;
      const w = ctx.param('W', [dirs, gates * hidden, inF], U);
      const r = ctx.param('R', [dirs, gates * hidden, hidden], U);
      const b = ctx.param('B', [dirs, 2 * gates * hidden], U);
      const inputs: (string | null)[] = [v!, w, r, b];
      if (init.length) inputs.push(null, ...init);
      return ctx.op(op, inputs, { hidden_size: hidden, direction: opts.bidirectional ? 'bidirectional' : 'forward' }, { outputs: opts.outputs ?? (op === 'LSTM' ? 3 : 2) });
    }, { family: 'recurrent', label: `${op.toLowerCase()} ${hidden}` });
  }

  embedding(ids: string, vocab: number, dim: number): string {
    return this.layer('embedding', [ids], (ctx, [v]) => ctx.op('Gather', [ctx.param('weight', [vocab, dim], U), v!], { axis: 0 }), { family: 'embedding' })[0]!;
  }
}

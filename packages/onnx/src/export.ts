/**
 * IR graph → ONNX ModelProto bytes.
 *
 * Two passes. The feasibility pass looks at every node before anything is built: an op without a
 * lowering, an op that needs a newer opset than the one chosen, an attribute ONNX cannot express,
 * a missing or mis-sized weight. Each is its own diagnostic with the node's span, and if there is
 * any, nothing is produced (users learn every problem at once, not at the first failing node).
 * The build pass then runs one lowering rule per node in graph order.
 */
import { diag, formatLocation, hasErrors, nodeAttrProblem, opCategory, type Diagnostic, type Graph, type LayerRecord, type Node, type SourceSpan, type TensorType } from '@dlm/core';
import { getLoweringRule, type LoweringContext, type LoweringOptions } from './lowering/index.js';
import { attr, makeAttribute, makeNode, makeValueInfo, onnx, type INodeProto, type NodeProto, type OnnxAttr, type TensorProto, type ValueInfoProto } from './proto.js';
import { float32Tensor, int32Tensor, int64Tensor } from './tensor.js';
import { danglingValues } from './invariants.js';
import { checkWeights } from './weights.js';

/** Opsets dlm can target. 17 is the newest that Debian's onnx 1.12 checker (IR 8) knows. */
export const SUPPORTED_OPSETS: readonly number[] = [13, 14, 15, 16, 17];
export const DEFAULT_OPSET = 17;
/** ONNX IR version written into every model (IR 8 goes with opsets up to 17). */
export const ONNX_IR_VERSION = 8;
export const PRODUCER_NAME = 'dlm';
export const PRODUCER_VERSION = '0.1.0';

export interface ExportOptions {
  /** ONNX default-domain opset; 13–17, default 17. */
  opset?: number;
  /** ModelProto.model_version (an integer). */
  modelVersion?: number;
  /** Defaults to this package's version. */
  producerVersion?: string;
  docString?: string;
  /** See LoweringOptions.recurrentLayout; default 'transpose' (runs in onnxruntime). */
  recurrentLayout?: 'transpose' | 'batch-first';
  /** Write value_info (type and shape) for intermediate values; default true. */
  valueInfo?: boolean;
  /** Extra metadata_props entries (the CLI adds e.g. the training spec). */
  metadata?: Record<string, string>;
  /**
   * Preprocessing the trained model expects, put in front of it as ONNX ops: the f32 graph input
   * `input` then takes raw values and is fed to the model as (x − sub) / div, with `sub` and
   * `div` of shape `dims` broadcasting against the input (e.g. [features] or [C, 1, 1]).
   */
  inputScaling?: InputScaling;
}

export interface InputScaling {
  input: string;
  sub: readonly number[];
  div: readonly number[];
  dims: readonly number[];
}

export interface ExportResult {
  /** The encoded ModelProto; absent when there are errors. */
  result?: Uint8Array;
  diagnostics: Diagnostic[];
}

/** Builds and encodes an ONNX model of `graph` with `weights` (keyed by parameter name). */
export function exportOnnx(graph: Graph, weights: ReadonlyMap<string, Float32Array>, opts: ExportOptions = {}): ExportResult {
  const model = buildModel(graph, weights, opts);
  if (!model.result) return { diagnostics: model.diagnostics };
  return { result: onnx.ModelProto.encode(model.result).finish(), diagnostics: model.diagnostics };
}

/** Every reason the graph cannot be exported at `options.opset`, one diagnostic per node. */
export function checkExportable(graph: Graph, options: LoweringOptions): Diagnostic[] {
  const out: Diagnostic[] = [];
  if (!SUPPORTED_OPSETS.includes(options.opset)) {
    return [diag('DLM6001', [options.opset, `${SUPPORTED_OPSETS[0]}–${SUPPORTED_OPSETS[SUPPORTED_OPSETS.length - 1]}`, DEFAULT_OPSET])];
  }
  const known = new Set<string>([...graph.inputs.map((v) => v.name), ...graph.params.map((p) => p.name)]);
  const types = new Map<string, TensorType>();
  for (const v of [...graph.inputs, ...graph.values, ...graph.outputs]) types.set(v.name, v.type);
  for (const p of graph.params) types.set(p.name, p.type);
  const typeOf = (v: string) => types.get(v);
  for (const node of graph.nodes) {
    for (const i of node.inputs) {
      if (i !== '' && !known.has(i)) out.push(diag('DLM6009', [i, node.id, graph.name], node.span));
    }
    for (const o of node.outputs) known.add(o);
    if (node.trainingOnly) {
      if (node.outputs.length > 1) out.push(diag('DLM6004', [node.op, node.id, 'it is training-only and has more than one output'], node.span));
      continue;
    }
    const rule = getLoweringRule(node.op);
    if (!rule) {
      out.push(diag('DLM6002', [node.op, node.id, graph.name], node.span));
      continue;
    }
    const need = Math.max(rule.minOpset, rule.nodeOpset?.(node, options, typeOf) ?? 0);
    if (need > options.opset) out.push(diag('DLM6003', [node.op, node.id, need, options.opset], node.span));
    // Enum attribute values are the schema's to check; what ONNX cannot express is the rule's.
    const why = nodeAttrProblem(node) ?? rule.unsupported?.(node, options, typeOf);
    if (why) out.push(diag('DLM6004', [node.op, node.id, why], node.span));
  }
  return out;
}

/** The ModelProto itself (tests and tools that inspect it skip an encode/decode round trip). */
export function buildModel(
  graph: Graph,
  weights: ReadonlyMap<string, Float32Array>,
  opts: ExportOptions = {},
): { result?: InstanceType<typeof onnx.ModelProto>; diagnostics: Diagnostic[] } {
  const options: LoweringOptions = { opset: opts.opset ?? DEFAULT_OPSET, recurrentLayout: opts.recurrentLayout ?? 'transpose' };
  const diagnostics = checkExportable(graph, options);
  if (SUPPORTED_OPSETS.includes(options.opset)) diagnostics.push(...checkWeights(graph, weights));
  if (hasErrors(diagnostics)) return { diagnostics };
  const b = new GraphBuild(graph, weights, options, opts.valueInfo ?? true);
  if (opts.inputScaling) b.scaleInput(opts.inputScaling);
  for (const node of graph.nodes) b.lowerNode(node);
  const g = b.finish();
  // Internal invariant: a dangling edge is dlm's bug, reported and never encoded.
  const dangling = danglingValues(g, graph.name, graph.span, (n) => b.sourceOf(n));
  if (dangling.length) return { diagnostics: [...diagnostics, ...dangling] };
  const metadata: Record<string, string> = { model: graph.name, ...(graph.source ? { source: graph.source } : {}), ...opts.metadata };
  const model = onnx.ModelProto.create({
    irVersion: ONNX_IR_VERSION,
    opsetImport: [{ domain: '', version: options.opset }],
    producerName: PRODUCER_NAME,
    producerVersion: opts.producerVersion ?? PRODUCER_VERSION,
    ...(opts.modelVersion !== undefined ? { modelVersion: opts.modelVersion } : {}),
    ...(opts.docString ? { docString: opts.docString } : {}),
    graph: g,
    metadataProps: Object.entries(metadata).map(([key, value]) => ({ key, value })),
  });
  return { result: model, diagnostics };
}

/** Mutable state of one export: names, aliases of removed nodes, initializers, emitted nodes. */
class GraphBuild {
  private readonly types = new Map<string, TensorType>();
  private readonly consumed = new Set<string>();
  private readonly graphOutputs: Set<string>;
  private readonly aliases = new Map<string, string>();
  private readonly usedNodeNames = new Set<string>();
  private readonly usedValueNames = new Set<string>();
  private readonly nodes: NodeProto[] = [];
  private readonly constants: TensorProto[] = [];
  /** Initializers computed at export time from weights (folded constants). */
  private readonly folded: TensorProto[] = [];
  private readonly constantByKey = new Map<string, string>();
  /** Values of the constants above, for the peephole pass. */
  private readonly constantValues = new Map<string, readonly number[]>();
  private readonly params: Map<string, Graph['params'][number]>;
  private readonly layers = new Map<string, LayerRecord>();
  /** The IR node each emitted ONNX node was lowered from, to locate a problem found later. */
  private readonly sources = new Map<NodeProto, Node>();

  constructor(
    private readonly graph: Graph,
    private readonly weights: ReadonlyMap<string, Float32Array>,
    private readonly options: LoweringOptions,
    private readonly withValueInfo: boolean,
  ) {
    for (const v of [...graph.inputs, ...graph.values, ...graph.outputs]) this.types.set(v.name, v.type);
    for (const p of graph.params) this.types.set(p.name, p.type);
    for (const n of graph.nodes) for (const i of n.inputs) if (i) this.consumed.add(i);
    for (const name of this.types.keys()) this.usedValueNames.add(name);
    this.graphOutputs = new Set(graph.outputs.map((v) => v.name));
    this.params = new Map(graph.params.map((p) => [p.name, p]));
    for (const l of graph.layers) this.layers.set(l.path.join('/'), l);
  }

  /** Where the IR node an emitted ONNX node comes from was written. */
  sourceOf(n: INodeProto): SourceSpan | undefined {
    return this.sources.get(n as NodeProto)?.span;
  }

  private resolve(name: string): string {
    let n = name;
    for (let a = this.aliases.get(n); a !== undefined; a = this.aliases.get(n)) n = a;
    return n;
  }

  private uniqueNodeName(base: string): string {
    let name = base;
    for (let i = 2; this.usedNodeNames.has(name); i++) name = `${base}_${i}`;
    this.usedNodeNames.add(name);
    return name;
  }

  private uniqueValueName(base: string): string {
    let name = base;
    for (let i = 2; this.usedValueNames.has(name); i++) name = `${base}_${i}`;
    this.usedValueNames.add(name);
    return name;
  }

  /** "conv2d 10×5×5 — mnist.dlm:6:8": the layer's diagram label and where the user wrote it. */
  private docFor(node: Node): string | undefined {
    let layer: LayerRecord | undefined;
    for (let k = node.scope.length; k > 0 && !layer; k--) layer = this.layers.get(node.scope.slice(0, k).join('/'));
    const span = node.span ?? layer?.span;
    const parts = [layer ? layer.label : undefined, span ? formatLocation(span) : undefined].filter(Boolean);
    return parts.length ? parts.join(' — ') : undefined;
  }

  /** Sub and Div in front of everything: the model's nodes read the scaled input through an alias. */
  scaleInput(s: InputScaling): void {
    const input = this.graph.inputs.find((v) => v.name === s.input)!;
    const centered = this.uniqueValueName(`${s.input}/centered`);
    const scaled = this.uniqueValueName(`${s.input}/scaled`);
    this.types.set(centered, input.type);
    this.types.set(scaled, input.type);
    const sub = this.constant('f32', `${s.input}/preprocessing_sub`, s.sub, s.dims);
    const div = this.constant('f32', `${s.input}/preprocessing_div`, s.div, s.dims);
    const doc = 'preprocessing of the training data (dlm export --no-preprocessing leaves it out)';
    this.nodes.push(makeNode('Sub', [s.input, sub], [centered], this.uniqueNodeName('preprocessing/Sub'), {}, doc));
    this.nodes.push(makeNode('Div', [centered, div], [scaled], this.uniqueNodeName('preprocessing/Div'), {}, doc));
    this.aliases.set(s.input, scaled);
  }

  lowerNode(node: Node): void {
    const scope = node.scope.join('/');
    const doc = this.docFor(node);
    const emit = (opType: string, inputs: readonly string[], outputs: readonly string[], attrs: Record<string, OnnxAttr | undefined> = {}) => {
      const name = this.uniqueNodeName(scope ? `${scope}/${opType}` : opType);
      const made = makeNode(opType, inputs, outputs, name, attrs, doc);
      this.sources.set(made, node);
      this.nodes.push(made);
    };
    const alias = (i: number, value: string) => {
      const out = node.outputs[i]!;
      if (this.graphOutputs.has(out)) emit('Identity', [value], [out]);
      else this.aliases.set(out, value);
    };
    if (node.trainingOnly) {
      alias(0, this.resolve(node.inputs[0]!));
      return;
    }
    if (this.foldConstant(node)) return;
    const rule = getLoweringRule(node.op)!;
    const ctx: LoweringContext = {
      opset: this.options.opset,
      options: this.options,
      node,
      input: (i) => {
        const v = node.inputs[i];
        return v ? this.resolve(v) : '';
      },
      output: (i) => node.outputs[i]!,
      outputUsed: (i) => this.consumed.has(node.outputs[i]!) || this.graphOutputs.has(node.outputs[i]!),
      typeOf: (v) => this.types.get(v),
      emit,
      temp: (hint) => this.uniqueValueName(`${node.id}/${hint}`),
      int64s: (hint, values, dims = [values.length]) => this.constant('i64', `${node.id}/${hint}`, values, dims),
      floats: (hint, values, dims = []) => this.constant('f32', hint, values, dims),
      alias,
    };
    rule.lower(ctx);
  }

  /**
   * Constant folding, as torch.onnx.export does by default: a Transpose of a weight (how `dense`
   * on 3-D inputs multiplies by Wᵀ) becomes a pre-transposed initializer instead of a node, so
   * the graph has no Transpose that only rearranges constants.
   */
  private foldConstant(node: Node): boolean {
    if (node.op !== 'Transpose' || node.inputs.length !== 1) return false;
    const src = this.resolve(node.inputs[0]!);
    const p = this.params.get(src);
    const out = node.outputs[0]!;
    if (!p || p.type.dtype !== 'f32' || this.graphOutputs.has(out)) return false;
    const dims = p.type.shape as number[];
    const given = node.attrs['perm'];
    const perm = Array.isArray(given) && given.length ? (given as number[]) : dims.map((_, i) => dims.length - 1 - i);
    const data = transposeData(this.weights.get(p.name)!, dims, perm);
    this.folded.push(float32Tensor(out, perm.map((k) => dims[k]!), data));
    return true;
  }

  /**
   * A constant initializer. Float constants (scalars such as Gelu's √2) are shared across nodes
   * under one name; int64 ones (shapes) stay per node so each reads next to its node in viewers.
   */
  private constant(dtype: 'f32' | 'i64', hint: string, values: readonly number[], dims: readonly number[]): string {
    const name = this.constantName(dtype, hint, values, dims);
    this.constantValues.set(name, values);
    return name;
  }

  private constantName(dtype: 'f32' | 'i64', hint: string, values: readonly number[], dims: readonly number[]): string {
    const key = `${dtype}|${dims.join(',')}|${values.join(',')}|${dtype === 'i64' ? hint : ''}`;
    const known = this.constantByKey.get(key);
    if (known) return known;
    const name = this.uniqueValueName(dtype === 'f32' ? `const/${hint}` : hint);
    this.constants.push(dtype === 'f32' ? float32Tensor(name, dims, Float32Array.from(values)) : int64Tensor(name, dims, values));
    this.constantByKey.set(key, name);
    return name;
  }

  /**
   * Between stacked recurrent layers the per-node lowering writes Y (sequence-first) → Transpose
   * to batch-first → Reshape [0, 0, -1] → Transpose back to sequence-first for the next layer.
   * When those values feed nothing else, the pair cancels: one Reshape of Y to
   * [seq, batch, hidden] for one direction (Y is [seq, 1, batch, hidden]), or a Transpose
   * [0, 2, 1, 3] + Reshape for two — what torch.onnx.export writes for a stacked RNN.
   */
  private foldRecurrentTransposes(): void {
    const producers = new Map<string, NodeProto>();
    const uses = new Map<string, number>();
    for (const n of this.nodes) {
      for (const o of n.output) if (o) producers.set(o, n);
      for (const i of n.input) if (i) uses.set(i, (uses.get(i) ?? 0) + 1);
    }
    const perm = (n: NodeProto) => n.attribute?.find((a) => a.name === 'perm')?.ints?.map(Number).join(',');
    const onlyUse = (v: string) => uses.get(v) === 1 && !this.graphOutputs.has(v);
    const removed = new Set<NodeProto>();
    for (const back of this.nodes) {
      if (back.opType !== 'Transpose' || perm(back) !== '1,0,2') continue;
      const reshape = producers.get(back.input[0]!);
      if (!reshape || reshape.opType !== 'Reshape' || !onlyUse(reshape.output[0]!)) continue;
      if (this.constantValues.get(reshape.input[1]!)?.join(',') !== '0,0,-1') continue;
      const toBatch = producers.get(reshape.input[0]!);
      if (!toBatch || toBatch.opType !== 'Transpose' || perm(toBatch) !== '2,0,1,3' || !onlyUse(toBatch.output[0]!)) continue;
      const rnn = producers.get(toBatch.input[0]!);
      // ONNX op types are core op names (core ops follow ONNX), so the schema says which are recurrent.
      if (!rnn || opCategory(rnn.opType ?? '') !== 'recurrent' || rnn.output[0] !== toBatch.input[0]) continue;
      const hidden = Number(rnn.attribute?.find((a) => a.name === 'hidden_size')?.i ?? 0);
      const dirs = rnn.attribute?.find((a) => a.name === 'direction')?.s;
      const bidirectional = dirs !== undefined && dirs !== null && new TextDecoder().decode(dirs) === 'bidirectional';
      const y = toBatch.input[0]!;
      const out = back.output[0]!;
      if (!bidirectional && hidden > 0) {
        const shape = this.constant('i64', `${out}/shape`, [0, -1, hidden], [3]);
        reshape.input = [y, shape];
        removed.add(toBatch);
      } else {
        const seqFirst = this.uniqueValueName(`${y}/seq_batch`);
        toBatch.attribute = [makeAttribute('perm', attr.ints([0, 2, 1, 3]))];
        toBatch.output = [seqFirst];
        reshape.input = [seqFirst, reshape.input[1]!];
      }
      reshape.output = [out];
      removed.add(back);
    }
    if (removed.size === 0) return;
    const kept = this.nodes.filter((n) => !removed.has(n));
    this.nodes.length = 0;
    this.nodes.push(...kept);
  }

  finish(): InstanceType<typeof onnx.GraphProto> {
    this.foldRecurrentTransposes();
    const referenced = new Set<string>();
    for (const n of this.nodes) for (const i of n.input) if (i) referenced.add(i);
    // Parameters become initializers in graph order; ones no exported node reads (e.g. only a
    // removed training-only node did) are left out, as torch.onnx.export does.
    const initializer: TensorProto[] = [];
    for (const p of this.graph.params) {
      if (!referenced.has(p.name)) continue;
      const dims = p.type.shape as number[];
      const w = this.weights.get(p.name)!;
      // Weights travel as float32; an integer parameter (a plugin's lookup table) keeps its dtype.
      if (p.type.dtype === 'i32') initializer.push(int32Tensor(p.name, dims, Int32Array.from(w, Math.round)));
      else if (p.type.dtype === 'i64') initializer.push(int64Tensor(p.name, dims, Array.from(w, Math.round)));
      else initializer.push(float32Tensor(p.name, dims, w));
    }
    initializer.push(...[...this.folded, ...this.constants].filter((t) => referenced.has(t.name!)));
    const valueInfo: ValueInfoProto[] = [];
    if (this.withValueInfo) {
      for (const n of this.nodes) {
        for (const o of n.output) {
          const t = this.types.get(o);
          if (!o || !t || this.graphOutputs.has(o) || this.params.has(o) || t.unknown) continue;
          valueInfo.push(makeValueInfo(o, t.dtype, t.shape));
        }
      }
    }
    const g = this.graph;
    return onnx.GraphProto.create({
      name: g.name,
      node: this.nodes,
      initializer,
      input: g.inputs.map((v) => makeValueInfo(v.name, v.type.dtype, v.type.shape)),
      output: g.outputs.map((v) => makeValueInfo(v.name, v.type.dtype, v.type.shape)),
      valueInfo,
      docString: `model ${g.name}${g.span ? ` — ${formatLocation(g.span)}` : ''}`,
    });
  }
}

/** Row-major transpose of `data` shaped `dims` by `perm`. */
function transposeData(data: Float32Array, dims: readonly number[], perm: readonly number[]): Float32Array {
  const rank = dims.length;
  const outDims = perm.map((k) => dims[k]!);
  const inStrides = new Array<number>(rank).fill(1);
  for (let i = rank - 2; i >= 0; i--) inStrides[i] = inStrides[i + 1]! * dims[i + 1]!;
  const stride = perm.map((k) => inStrides[k]!);
  const out = new Float32Array(data.length);
  const idx = new Array<number>(rank).fill(0);
  for (let o = 0; o < out.length; o++) {
    let src = 0;
    for (let d = 0; d < rank; d++) src += idx[d]! * stride[d]!;
    out[o] = data[src]!;
    for (let d = rank - 1; d >= 0; d--) {
      if (++idx[d]! < outDims[d]!) break;
      idx[d] = 0;
    }
  }
  return out;
}

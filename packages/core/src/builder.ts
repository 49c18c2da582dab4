/**
 * GraphBuilder: constructs one IR graph while the compiler walks a model body. It implements the
 * `LayerContext` that layer plugins expand through, runs each op's shape rule as the op is
 * emitted, and turns every failure (shape rule, layer rejection, plugin bug) into a located
 * diagnostic instead of an exception. It never throws for user errors.
 */
import { validateArgs, type GivenArg } from './args.js';
import { DiagnosticBag, didYouMean, type DiagnosticNote } from './diagnostics.js';
import { fitsRuntime, formatType, MAX_ELEMENTS, numelPerSample, unifyDim } from './dims.js';
import { inheritFanArgs } from './init.js';
import type {
  ArgValue,
  AttrValue,
  Dim,
  DType,
  Graph,
  Initializer,
  LayerRecord,
  Node,
  Param,
  PluginCall,
  SourceSpan,
  TensorType,
  Value,
} from './ir.js';
import { inferOp, ShapeError } from './op-schema.js';
import { requiredOutputs, resolveAttrs } from './op-attrs.js';
import { getOpSchema, OP_NAMES } from './ops/index.js';
import { LayerExpansion, LayerRejection, PoisonedInput } from './layer-expansion.js';
import type { Args, LayerDef } from './plugin.js';
import type { PluginRegistry } from './registry.js';
import { Producers } from './producers.js';
import { UniqueNames } from './unique-names.js';
import { ValueTypes } from './value-types.js';
import { EqualSharing, sameNames, sharedType } from './equal-sharing.js';

/** The user's settings for one parameter of a layer call (`weight: {init: he_normal, trainable: false}`). */
export interface ParamSetting {
  init?: Initializer;
  regularizers?: PluginCall[];
  trainable?: boolean;
  span?: SourceSpan;
}


const UNKNOWN: TensorType = { dtype: 'f32', shape: [], unknown: true };


/**
 * The `regularizers` of every parameter the user set none for: one frozen array shared by all of
 * them (an empty array per parameter was ~30 bytes kept each). The IR is never mutated (ir.ts);
 * freezing makes a mutation fail loudly instead of changing every parameter.
 */
const NO_REGULARIZERS = Object.freeze([]) as unknown as PluginCall[];

interface Frame {
  id: string;
  /** Instance counters per base name (`dense_1`, `dense_2`); made when the first child is named. */
  counters?: Map<string, number>;
  /** The block's record, for exitBlock (found here in O(1), not by searching every layer). */
  record?: LayerRecord;
  /**
   * Scope path of this frame (outermost first), shared by every node, parameter and record made in
   * it: the IR holds one array per scope, not one per node.
   */
  path: string[];
  /** `path.join('/') + '/'` ('' at the root): the prefix of node ids made here. */
  idPrefix: string;
  /**
   * Node ids taken in this scope. Ids are unique per scope, which makes them unique in the graph:
   * each is the scope's prefix and a name without '/' (an op's name, `error`, a `_N` suffix), and
   * no two scopes share a prefix (a child's id is a `base_N` its parent handed out once, with no
   * '/' in it). A set per scope stays small; one for the whole graph (100,000s of ids) cost a
   * slow insertion into a large hash table per node.
   */
  nodeIds?: UniqueNames;
}


/** Node id part of each op (`Gemm` → `gemm`), lower-cased once per op name. */
const LOWER_OP = new Map<string, string>();

export class GraphBuilder {
  private readonly types = new ValueTypes();
  /** Which layer (path) produced each value: "the other shape came from …" notes. */
  private readonly producers = new Producers();
  private readonly nodes: Node[] = [];
  private readonly params: Param[] = [];
  private readonly inputs: Value[] = [];
  private readonly outputs: Value[] = [];
  private readonly values: Value[] = [];
  private readonly layers: LayerRecord[] = [];
  private readonly scope: Frame[] = [{ id: '', path: [], idPrefix: '' }];
  /**
   * Parameter names: `path.join('.') + '.' + localName`, unique per layer expansion (see
   * LayerExpansion.paramNames) while no local name holds a '.': then the path is everything before
   * the last '.', so names of different layers cannot collide. The first dotted local name (a
   * plugin's choice) makes one graph-wide set, of every name claimed so far, used from then on.
   */
  private readonly claimedParams: string[] = [];
  private allParamNames: UniqueNames | undefined;
  /** Parameter types and initializers shared with an equal earlier one (equal-sharing.ts). */
  private readonly sharing = new EqualSharing();
  /**
   * Each layer's last label and the args it was made from (see expandLayer): one per definition,
   * so that alternating layers (`dense |> relu |> dense …`) each keep theirs.
   */
  private readonly lastLabels = new Map<LayerDef, { label: string; args: Args; fn: (args: Args) => string }>();

  constructor(
    readonly name: string,
    private readonly registry: PluginRegistry,
    readonly bag: DiagnosticBag,
    private readonly span?: SourceSpan,
    private readonly source?: string,
  ) {}

  typeOf(value: string): TensorType {
    return this.types.get(value) ?? UNKNOWN;
  }

  /** Value name → the path and span of the layer that produced it, for notes. */
  producerOf(value: string): { path: string; span?: SourceSpan } | undefined {
    const p = this.producers.get(value);
    if (!p || typeof p.path === 'string') return p as { path: string; span?: SourceSpan } | undefined;
    const r = p as LayerRecord;
    return { path: `${r.kind} '${r.path.join('/')}'`, ...(r.span ? { span: r.span } : {}) };
  }

  addInput(name: string, type: TensorType, span?: SourceSpan): string {
    if (!this.checkRuntimeSize(type, `Input '${name}'`, span)) type = UNKNOWN;
    this.inputs.push({ name, type });
    // A node made at the root is named after its op (`identity`, `add`): an input may not share
    // that value name, or the output routed through an Identity would be left unnamed.
    claimNodeId(this.scope[0]!, name);
    this.types.set(name, type);
    this.producers.set(name, { path: `input ${name}`, ...(span ? { span } : {}) });
    return name;
  }

  /**
   * Binds a declared output to a value. Checks the value's type against the declaration, dim by
   * dim, and reports both shapes on mismatch.
   */
  addOutput(name: string, value: string, declared: TensorType, span?: SourceSpan): void {
    const actual = this.typeOf(value);
    if (!actual.unknown) {
      const ok =
        actual.dtype === declared.dtype &&
        actual.shape.length === declared.shape.length &&
        actual.shape.every((d, i) => d === declared.shape[i]);
      if (!ok) {
        const from = this.producerOf(value);
        const notes: DiagnosticNote[] = from ? [{ message: `the value was produced by ${from.path}`, ...(from.span ? { span: from.span } : {}) }] : [];
        this.bag.report('DLM3003', [name, formatType(declared), formatType(actual)], span, notes);
      }
    }
    // An output whose value already failed stays unknown: routing it through an op would only
    // re-raise the earlier error (the graph is not executable anyway).
    if (value !== name && !actual.unknown) {
      // Outputs keep the name the user declared: route through an Identity only when the value
      // is a graph input or already an output; otherwise rename the producing value.
      const renamed = this.renameValue(value, name);
      if (!renamed) {
        const node = this.emitNode('Identity', [value], {}, 1, span);
        this.renameValue(node[0]!, name);
      }
    }
    this.outputs.push({ name, type: declared.unknown ? actual : declared });
  }

  private renameValue(from: string, to: string): boolean {
    if (this.inputs.some((v) => v.name === from) || this.outputs.some((v) => v.name === from)) return false;
    if (this.params.some((p) => p.name === from)) return false;
    // Only the arrays that name the value are replaced (copying every node's and layer's arrays for
    // each output allocated four arrays per node). Replaced, not edited in place: a layer record
    // and its node may share one outputs array.
    const renamed = (names: string[]): string[] => (names.includes(from) ? names.map((x) => (x === from ? to : x)) : names);
    // Only what was made since the value can name it (ids are unique, and a node reads only values
    // that exist when it is emitted): the search starts at its producing node, from the end (an
    // output is most often the last value made), and not at the first node of a 100,000-layer graph.
    const nodes = this.nodes;
    let p = nodes.length - 1;
    while (p >= 0 && !nodes[p]!.outputs.includes(from)) p--;
    if (p < 0) return false;
    nodes[p]!.outputs = renamed(nodes[p]!.outputs);
    for (let i = p; i < nodes.length; i++) nodes[i]!.inputs = renamed(nodes[i]!.inputs);
    const values = this.values;
    for (let i = values.length - 1; i >= 0; i--) {
      if (values[i]!.name === from) {
        values[i]!.name = to;
        break;
      }
    }
    // Layer records name the same values; keep them in step so diagrams and summaries resolve them.
    // Those that can: the producer's record, its enclosing ones (whose outputs it may be) and every
    // later one. Records are in pre-order, so that is everything from the producer's outermost
    // enclosing record on (the last top-level record of that id); a node made at the root has none.
    const layers = this.layers;
    const top = nodes[p]!.scope[0];
    let first = 0;
    if (top !== undefined) {
      first = layers.length - 1;
      while (first > 0 && !(layers[first]!.path.length === 1 && layers[first]!.path[0] === top)) first--;
    }
    for (let i = first; i < layers.length; i++) {
      const l = layers[i]!;
      l.inputs = renamed(l.inputs);
      l.outputs = renamed(l.outputs);
    }
    const t = this.types.get(from);
    if (t) this.types.set(to, t);
    this.producers.copy(from, to);
    return true;
  }

  /** Enters a block instance (a user-defined block). Returns its scope id. */
  enterBlock(blockName: string, span: SourceSpan | undefined, args: Record<string, ArgValue>, inputs: string[], instanceName?: string): string {
    const id = this.nextId(instanceName ?? blockName.toLowerCase());
    const path = this.childPath(id);
    const record: LayerRecord = {
      path,
      kind: blockName,
      isBlock: true,
      plugin: '',
      args,
      inputs,
      outputs: [],
      label: blockName,
      family: 'block',
      ...(span ? { span } : {}),
    };
    this.layers.push(record);
    this.scope.push({ id, record, path, idPrefix: this.childPrefix(id) });
    return id;
  }

  /**
   * Leaves the current block. `inferInputs` (for `for` iterations, which have no declared inputs)
   * records as its inputs the values its nodes read that were made outside it.
   */
  exitBlock(outputs: string[], opts: { inferInputs?: boolean } = {}): void {
    const path = this.currentPath();
    const frame = this.scope.pop();
    const rec = frame?.record;
    if (!rec) return;
    rec.outputs = outputs;
    if (opts.inferInputs) {
      // The block's nodes are the last ones emitted (blocks nest like a stack).
      const inside: Node[] = [];
      for (let i = this.nodes.length - 1; i >= 0 && path.every((p, k) => this.nodes[i]!.scope[k] === p); i--) inside.push(this.nodes[i]!);
      inside.reverse();
      // A scope that made nothing (a loop iteration that only set constants) is not shown.
      if (inside.length === 0) {
        this.layers.splice(this.layers.lastIndexOf(rec), 1);
        return;
      }
      const made = new Set(inside.flatMap((n) => n.outputs));
      const params = new Set(this.params.map((p) => p.name));
      const ins: string[] = [];
      const seen = new Set<string>();
      for (const n of inside) for (const i of n.inputs) if (i && !made.has(i) && !params.has(i) && !seen.has(i)) (seen.add(i), ins.push(i));
      rec.inputs = ins;
    }
  }

  /**
   * Calls a registered layer. Unknown layers and bad arguments are reported; the result is then
   * an unknown-shaped value so compilation continues and finds further errors. `inputs` becomes the
   * layer record's own (not copied): the caller must not change it afterwards.
   */
  callLayer(
    layerName: string,
    inputs: string[],
    given: GivenArg[],
    span: SourceSpan | undefined,
    opts: {
      instanceName?: string;
      paramSettings?: Record<string, ParamSetting>;
      nameSpan?: SourceSpan;
      /** `given` already validated against this layer's schema (by the caller, which reported any problem). */
      validated?: Args;
    } = {},
  ): string[] {
    const reg = this.registry.get('layer', layerName);
    if (!reg) {
      // A plugin declared it but its declaration was refused: say so here, where it is used.
      const rejected = this.registry.rejection('layer', layerName);
      if (rejected) {
        this.bag.report('DLM8009', ['Layer', layerName, rejected.plugin, rejected.reason], opts.nameSpan ?? span);
        return [this.poisoned(span)];
      }
      const failed = this.registry.failedPlugins().map((p) => ({ message: `plugin '${p.name}' failed to load and may declare it: ${p.reason}` }));
      this.bag.report('DLM2001', [layerName], opts.nameSpan ?? span, failed, this.registry.suggest('layer', layerName));
      return [this.poisoned(span)];
    }
    const clash = this.registry.clashesOf('layer', layerName);
    if (clash.length) this.bag.report('DLM8010', ['layer', layerName, reg.plugin, clash[0]!], opts.nameSpan ?? span);
    const def = reg.def;
    const args = opts.validated ?? validateArgs(layerName, def.args, given, this.bag, span);
    if (!args) return [this.poisoned(span)];
    const arity = def.inputs ?? { min: 1, max: 1 };
    if (inputs.length < arity.min || inputs.length > arity.max) {
      const want = arity.min === arity.max ? String(arity.min) : arity.max === Infinity ? `at least ${arity.min}` : `${arity.min} to ${arity.max}`;
      this.bag.report('DLM3004', [layerName, want, inputs.length], span);
      return [this.poisoned(span)];
    }
    return this.expandLayer(def, reg.plugin, inputs, args, span, opts.instanceName, opts.paramSettings);
  }

  /** `inputs` is kept as the layer record's (see callLayer). */
  private expandLayer(
    def: LayerDef,
    plugin: string,
    inputs: string[],
    args: Args,
    span: SourceSpan | undefined,
    instanceName?: string,
    paramSettings?: Record<string, ParamSetting>,
  ): string[] {
    const id = this.nextId(instanceName ?? def.name);
    const path = this.childPath(id);
    let label = def.name;
    if (def.label) {
      // Layers of a stack share their (equal, frozen) args object: they share the label too.
      // Keyed by the label function too: a definition whose `label` was replaced is asked again.
      const last = this.lastLabels.get(def);
      if (last !== undefined && last.args === args && last.fn === def.label) label = last.label;
      else {
        try {
          label = def.label(args);
        } catch {
          label = def.name;
        }
        this.lastLabels.set(def, { label, args, fn: def.label });
      }
    }
    // Built whole, span included when there is one (same key order as adding it after): a property
    // added later puts it in a separate out-of-object store, one more allocation per layer.
    const record: LayerRecord = span
      ? { path, kind: def.name, isBlock: false, plugin, args, inputs, outputs: [], label, family: def.family, span }
      : { path, kind: def.name, isBlock: false, plugin, args, inputs, outputs: [], label, family: def.family };
    this.layers.push(record);
    // An input that already failed was reported where it failed. Expanding on a shape nobody knows
    // would only make this layer's own checks fail too (a cascade), so the output stays unknown.
    for (const i of inputs) {
      if (this.typeOf(i).unknown) {
        const p = this.poisoned(span);
        record.outputs = [p];
        return [p];
      }
    }
    this.scope.push({ id, path, idPrefix: this.childPrefix(id) });
    const ctx = new LayerExpansion(this, def.name, span, path, paramSettings);
    let outputs: string[];
    try {
      const r = def.expand(ctx, inputs, args);
      outputs = Array.isArray(r) ? r : [r];
      if (outputs.length === 0 || outputs.some((o) => typeof o !== 'string' || this.types.get(o) === undefined)) {
        throw new Error('expand() must return the value names it produced');
      }
    } catch (e) {
      this.scope.pop();
      if (e instanceof LayerRejection) {
        this.bag.report('DLM3005', [def.name, e.message], span);
      } else if (!(e instanceof PoisonedInput)) {
        const msg = e instanceof Error ? e.message : String(e);
        this.bag.report('DLM8005', [def.name, plugin, msg], span);
      }
      const p = this.poisoned(span);
      record.outputs = [p];
      return [p];
    }
    this.scope.pop();
    // The user's parameter settings must name parameters the layer really has.
    if (paramSettings) {
      const usedParams = ctx.usedParams ?? new Set<string>();
      for (const [local, setting] of Object.entries(paramSettings)) {
        if (!usedParams.has(local)) {
          this.bag.report('DLM2004', [local, def.name], setting.span ?? span, [], didYouMean(local, usedParams));
        }
      }
    }
    // A plugin's declared shape rule must agree with what its expansion produced.
    if (def.shape && outputs.every((o) => !this.typeOf(o).unknown) && inputs.every((i) => !this.typeOf(i).unknown)) {
      let declared: TensorType[] | undefined;
      try {
        declared = def.shape(inputs.map((i) => this.typeOf(i)), args);
      } catch (e) {
        this.bag.report('DLM8005', [def.name, plugin, `its shape rule threw: ${e instanceof Error ? e.message : String(e)}`], span);
      }
      if (declared) {
        const got = outputs.map((o) => formatType(this.typeOf(o))).join(', ');
        const want = declared.map(formatType).join(', ');
        if (got !== want) this.bag.report('DLM8006', [def.name, plugin, want, got], span);
      }
    }
    record.outputs = outputs;
    for (const o of outputs) this.producers.set(o, record);
    // A layer that is one node on its own inputs (relu, add…): the node and the record share one
    // inputs array instead of two equal ones (arrays are replaced, never edited: see renameValue).
    const last = this.nodes[this.nodes.length - 1];
    if (last !== undefined && last.scope === path && sameNames(last.inputs, inputs)) last.inputs = inputs;
    return outputs;
  }

  /** LayerContext.param (see LayerExpansion): declares a parameter of the layer being expanded. @internal */
  declareParam(
    x: LayerExpansion,
    localName: string,
    shape: readonly Dim[],
    init: Initializer,
    o: { trainable?: boolean; buffer?: boolean; dtype?: DType },
  ): string {
    const s = x.settings?.[localName];
    if (x.settings) (x.usedParams ??= new Set()).add(localName);
    const name = this.claimParamName(x, localName);
    const trainable = o.buffer ? false : (s?.trainable ?? o.trainable ?? true);
    const type = this.sharing.paramType(o.dtype ?? 'f32', shape);
    const pinit = this.sharing.init(s?.init ? inheritFanArgs(s.init, init) : init);
    const regularizers = s?.regularizers ?? NO_REGULARIZERS;
    // Built whole with its span (see expandLayer's record).
    const p: Param = x.span
      ? { name, type, init: pinit, trainable, regularizers, scope: x.path, span: x.span }
      : { name, type, init: pinit, trainable, regularizers, scope: x.path };
    if (o.buffer) p.buffer = true;
    for (const d of shape) {
      if (typeof d !== 'number' || d <= 0 || !Number.isInteger(d)) {
        throw new LayerRejection(`parameter '${localName}' would have shape [${shape.join(', ')}]; parameter shapes must be positive integers`);
      }
    }
    if (!fitsRuntime(type) && !this.checkRuntimeSize(type, () => `Parameter '${name}'`, x.span)) throw new PoisonedInput();
    this.params.push(p);
    this.types.set(name, type);
    return name;
  }

  /** LayerContext.layerCall: expands another registered layer as a child of the one being expanded. @internal */
  expandSubLayer(name: string, inputs: readonly string[], args: Args, span: SourceSpan | undefined): string[] {
    const reg = this.registry.get('layer', name);
    if (!reg) throw new Error(`layer '${name}' is not registered`);
    const given: GivenArg[] = Object.entries(args).map(([k, v]) => ({ name: k, value: v }));
    const validated = validateArgs(name, reg.def.args, given, this.bag, span);
    if (!validated) throw new LayerRejection(`invalid arguments for sub-layer '${name}'`);
    const out = this.expandLayer(reg.def, reg.plugin, inputs.slice(), validated, span);
    if (out.some((o) => this.typeOf(o).unknown)) throw new PoisonedInput();
    return out;
  }

  /** Emits a core op node after running its shape rule. Returns output value names. */
  emitNode(op: string, inputs: string[], attrs: Record<string, AttrValue>, outputCount: number | undefined, span?: SourceSpan): string[] {
    const schema = getOpSchema(op);
    if (!schema) {
      throw new Error(`unknown core op '${op}'${didYouMean(op, OP_NAMES) ? ` (did you mean '${didYouMean(op, OP_NAMES)}'?)` : ''}`);
    }
    const resolved = resolveAttrs(schema, attrs);
    const nOut = outputCount ?? requiredOutputs(schema);
    let lower = LOWER_OP.get(op);
    if (lower === undefined) LOWER_OP.set(op, (lower = op.toLowerCase()));
    const frame = this.scope[this.scope.length - 1]!;
    const id = claimNodeId(frame, frame.idPrefix + lower);
    const outs: string[] = nOut === 1 ? [id] : Array.from({ length: nOut }, (_, i) => `${id}:${i}`);
    const inTypes: (TensorType | undefined)[] = new Array(inputs.length);
    for (let i = 0; i < inputs.length; i++) {
      const t = inputs[i] === '' ? undefined : this.typeOf(inputs[i]!);
      if (t?.unknown) throw new PoisonedInput();
      inTypes[i] = t;
    }
    let outTypes: TensorType[];
    try {
      outTypes = inferOp(schema, inTypes, resolved, { unify: unifyDim, outputCount: nOut });
    } catch (e) {
      if (e instanceof ShapeError) {
        const notes: DiagnosticNote[] = [];
        inputs.forEach((inp, i) => {
          if (!inp) return;
          const t = this.typeOf(inp);
          const from = this.producerOf(inp);
          notes.push({
            message: `input ${i + 1} (${schema.inputs[Math.min(i, schema.inputs.length - 1)]?.name ?? i}) has shape ${formatType(t)}${from ? `, from ${from.path}` : ''}`,
            ...(from?.span ? { span: from.span } : {}),
          });
        });
        this.bag.report('DLM3001', [schema.name, e.message], span, notes);
        throw new PoisonedInput();
      }
      throw e;
    }
    for (const t of outTypes) {
      // The message is made (a closure) only for a result that does not fit.
      if (!fitsRuntime(t) && !this.checkRuntimeSize(t, () => `The result of ${frame.path.join('/') || schema.name}`, span)) throw new PoisonedInput();
    }
    // Built whole with its span (see expandLayer's record).
    const node: Node = span
      ? { id, op: schema.name, inputs, outputs: outs, attrs: resolved, scope: frame.path, span }
      : { id, op: schema.name, inputs, outputs: outs, attrs: resolved, scope: frame.path };
    if (schema.trainingOnly) node.trainingOnly = true;
    this.nodes.push(node);
    for (let i = 0; i < outs.length; i++) {
      const t = sharedType(outTypes[i] ?? UNKNOWN, inTypes);
      this.types.set(outs[i]!, t);
      this.values.push({ name: outs[i]!, type: t });
    }
    return outs;
  }

  /** A tensor the runtime could not allocate is an error at the layer that makes it (DLM3020). */
  private checkRuntimeSize(type: TensorType, what: string | (() => string), span: SourceSpan | undefined): boolean {
    if (fitsRuntime(type)) return true;
    const n = numelPerSample(type.shape);
    this.bag.report('DLM3020', [typeof what === 'function' ? what() : what, n.toLocaleString('en-US'), formatType(type), MAX_ELEMENTS.toLocaleString('en-US')], span);
    return false;
  }

  /** A placeholder value of unknown shape, after an error, so later uses do not cascade. */
  poisoned(span?: SourceSpan): string {
    const frame = this.scope[this.scope.length - 1]!;
    const name = claimNodeId(frame, `${frame.idPrefix}error`);
    this.types.set(name, UNKNOWN);
    if (span) this.producers.set(name, { path: 'an erroneous expression', span });
    return name;
  }

  finish(): Graph {
    return {
      name: this.name,
      inputs: this.inputs,
      outputs: this.outputs,
      nodes: this.nodes,
      params: this.params,
      values: this.values,
      layers: this.layers,
      ...(this.span ? { span: this.span } : {}),
      ...(this.source ? { source: this.source } : {}),
    };
  }

  /** A unique parameter name for `localName` in expansion `x` (see claimedParams). */
  private claimParamName(x: LayerExpansion, localName: string): string {
    const base = x.paramPrefix() + localName;
    if (this.allParamNames === undefined) {
      if (!localName.includes('.')) {
        const name = (x.paramNames ??= new UniqueNames()).claim(base);
        this.claimedParams.push(name);
        return name;
      }
      this.allParamNames = new UniqueNames();
      for (const n of this.claimedParams) this.allParamNames.claim(n);
    }
    return this.allParamNames.claim(base);
  }

  /** Node id prefix of a child scope `id` of the current one: `path.join('/') + '/'`, from the parent's. */
  private childPrefix(id: string): string {
    return this.scope[this.scope.length - 1]!.idPrefix + id + '/';
  }

  /**
   * The path of a child scope `id` of the current one: a new array of exactly its length. A `push`
   * onto a copy (or a spread) grew its store to 17 slots, ~150 bytes kept per layer record; the
   * common shallow paths are literals, deeper ones `concat` (exact, but slower than a literal).
   */
  private childPath(id: string): string[] {
    const parent = this.scope[this.scope.length - 1]!.path;
    if (parent.length === 0) return [id];
    if (parent.length === 1) return [parent[0]!, id];
    return parent.concat(id);
  }

  /** The current scope path: shared, never to be mutated (see Frame.path). */
  private currentPath(): string[] {
    return this.scope[this.scope.length - 1]!.path;
  }

  private nextId(base: string): string {
    const frame = this.scope[this.scope.length - 1]!;
    const counters = (frame.counters ??= new Map());
    const n = (counters.get(base) ?? 0) + 1;
    counters.set(base, n);
    return `${base}_${n}`;
  }
}

/** A node id in `frame` (see Frame.nodeIds). */
function claimNodeId(frame: Frame, base: string): string {
  return (frame.nodeIds ??= new UniqueNames()).claim(base);
}

export type { Dim, DType };



/**
 * Pieces shared by the supervised and the GAN trainer: resolving a train block's plugin calls
 * against the registry, the parameter store (runtime variables + optimizer slots), batching a dataset
 * split in a seeded order, the optimizer step with gradient clipping, and checkpoint conversion.
 *
 * Memory discipline: every tensor created per batch is either inside `Runtime.tidy` or disposed
 * explicitly; long-lived tensors are the variables and the optimizer slots, nothing else. The
 * trainer tests check `Runtime.numTensors()` across epochs.
 */
import {
  diag,
  earlyStoppingOf,
  learningRateOf,
  DatasetError,
  RandomStream,
  type Args,
  type Batch,
  type DatasetDef,
  type DatasetSplit,
  type LayerDef,
  type Diagnostic,
  type Graph,
  type LossDef,
  type MetricDef,
  type OptimizerDef,
  type PluginCall,
  type PluginKind,
  type PluginRegistry,
  type RegularizerDef,
  type SafetensorsTensor,
  type ScheduleDef,
} from '@dlm/core';
import type { Runtime, SeededMath } from '@dlm/core';

/** Thrown inside the trainer for user-facing problems; carries the diagnostic to return. */
export class TrainingError extends Error {
  constructor(readonly diagnostics: Diagnostic[]) {
    super(diagnostics.map((d) => `${d.code}: ${d.message}`).join('\n'));
    this.name = 'TrainingError';
  }
}

export function fail(code: Parameters<typeof diag>[0], args: readonly (string | number)[], span?: Diagnostic['span'], notes: Diagnostic['notes'] = []): never {
  throw new TrainingError([diag(code, args, span, notes)]);
}

/** What a command is doing when plugin code fails: the words DLM5060 uses ("failed while …"). */
export type Phase = 'training' | 'evaluating';

/**
 * Looks up a plugin call; an unknown name is DLM4001 with a suggestion (the compiler normally
 * caught it). Its functions are guarded: a throw is DLM5060 saying it failed while `phase`.
 */
export function resolve<K extends PluginKind>(registry: PluginRegistry, kind: K, call: PluginCall, phase: Phase = 'training'): Defs[K] {
  const reg = registry.get(kind, call.name);
  if (!reg) throw new TrainingError([diag('DLM4001', [kind, call.name], call.span, [], registry.suggest(kind, call.name))]);
  return guarded(reg.def as Defs[K], kind, call, reg.plugin, phase);
}

/**
 * Whether an error is the backend running out of memory: WebGPU buffer allocation, the WASM heap
 * failing to grow, or a JS allocation. These are reported as DLM5066, not as a plugin failure.
 */
export function isOutOfMemory(e: unknown): boolean {
  const msg = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
  return /out of memory|\bOOM\b|Maximum memory size exceeded|could not grow memory|Array buffer allocation failed|Failed to allocate|allocation failed/i.test(msg);
}

/**
 * The declaration with every function wrapped so that an exception from plugin code becomes
 * DLM5060 naming the rule, its plugin and the train-block entry that used it — a broken plugin
 * must never surface as an internal error of dlm.
 */
function guarded<T extends object>(def: T, kind: string, call: PluginCall, plugin: string, phase: Phase): T {
  const wrap = (e: unknown): unknown => {
    if (e instanceof TrainingError || e instanceof DatasetError || isOutOfMemory(e)) return e;
    const msg = e instanceof Error ? e.message : String(e);
    return new TrainingError([diag('DLM5060', [kind, call.name, `${msg} (from plugin '${plugin}')`, phase], call.span)]);
  };
  const out: Record<string, unknown> = { ...(def as Record<string, unknown>) };
  for (const [key, value] of Object.entries(def)) {
    if (typeof value !== 'function') continue;
    out[key] = (...args: unknown[]) => {
      try {
        const r: unknown = (value as (...a: unknown[]) => unknown).apply(def, args);
        return r instanceof Promise ? r.catch((e: unknown) => Promise.reject(wrap(e))) : r;
      } catch (e) {
        throw wrap(e);
      }
    };
  }
  return out as T;
}
type Defs = { layer: LayerDef; dataset: DatasetDef; optimizer: OptimizerDef; schedule: ScheduleDef; regularizer: RegularizerDef; loss: LossDef; metric: MetricDef };

/** Arguments with schema defaults filled in (the compiler validated them; IR from elsewhere may omit defaults). */
export function withDefaults(def: { args: readonly { name: string; default?: unknown }[] }, call: PluginCall): Args {
  const out: Args = {};
  for (const a of def.args) if (a.default !== undefined) out[a.name] = a.default as Args[string];
  return { ...out, ...call.args };
}

/** The optimizer's base learning rate, from the argument it declares as its learning rate. */
export function learningRate(optimizer: ResolvedRules['optimizer']): number {
  return learningRateOf(optimizer.def, optimizer.args);
}

export interface ResolvedRules {
  loss: { def: LossDef; args: Args };
  optimizer: { def: OptimizerDef; args: Args; call: PluginCall };
  metrics: { def: MetricDef; args: Args; name: string }[];
  penalties: { def: Extract<RegularizerDef, { kind: 'penalty' }>; args: Args; span?: Diagnostic['span'] }[];
  augmentations: { def: Extract<RegularizerDef, { kind: 'augmentation' }>; args: Args; span?: Diagnostic['span'] }[];
  earlyStopping?: { patience: number; monitor: string; minDelta: number; span?: Diagnostic['span'] };
  schedule?: { def: ScheduleDef; args: Args };
  clip?: number;
  seed: number;
  validationSplit: number;
}

export function resolveRules(
  registry: PluginRegistry,
  spec: { loss: PluginCall; optimizer: PluginCall; metrics: PluginCall[]; regularizers: PluginCall[]; settings: Record<string, unknown> },
  phase: Phase = 'training',
): ResolvedRules {
  const problems: Diagnostic[] = [];
  const tryResolve = <K extends PluginKind>(kind: K, call: PluginCall) => {
    try {
      return resolve(registry, kind, call, phase);
    } catch (e) {
      if (e instanceof TrainingError) problems.push(...e.diagnostics);
      else throw e;
      return undefined;
    }
  };
  const lossDef = tryResolve('loss', spec.loss);
  const optDef = tryResolve('optimizer', spec.optimizer);
  const metrics: ResolvedRules['metrics'] = [];
  for (const c of spec.metrics) {
    const d = tryResolve('metric', c);
    if (d) metrics.push({ def: d, args: withDefaults(d, c), name: c.name });
  }
  const penalties: ResolvedRules['penalties'] = [];
  const augmentations: ResolvedRules['augmentations'] = [];
  let earlyStopping: ResolvedRules['earlyStopping'];
  for (const c of spec.regularizers) {
    const d = tryResolve('regularizer', c);
    if (!d) continue;
    const args = withDefaults(d, c);
    if (d.kind === 'penalty') penalties.push({ def: d, args, ...(c.span ? { span: c.span } : {}) });
    else if (d.kind === 'augmentation') augmentations.push({ def: d, args, ...(c.span ? { span: c.span } : {}) });
    else earlyStopping = { ...earlyStoppingOf(d, args), ...(c.span ? { span: c.span } : {}) };
  }
  let schedule: ResolvedRules['schedule'];
  const sc = spec.settings['schedule'] as PluginCall | undefined;
  if (sc && typeof sc === 'object') {
    const d = tryResolve('schedule', sc);
    if (d) schedule = { def: d, args: withDefaults(d, sc) };
  }
  const num = (k: string, ok: (n: number) => boolean, what: string): number | undefined => {
    const v = spec.settings[k];
    if (v === undefined) return undefined;
    if (typeof v !== 'number' || !ok(v)) {
      problems.push(diag('DLM5062', [k, what, JSON.stringify(v)]));
      return undefined;
    }
    return v;
  };
  const clip = num('clip', (n) => n > 0, 'a positive number');
  const seed = num('seed', Number.isInteger, 'an integer') ?? 0;
  const validationSplit = num('validation_split', (n) => n >= 0 && n < 1, 'a number in [0, 1)') ?? 0;
  if (problems.length > 0 || !lossDef || !optDef) throw new TrainingError(problems);
  return {
    loss: { def: lossDef, args: withDefaults(lossDef, spec.loss) },
    optimizer: { def: optDef, args: withDefaults(optDef, spec.optimizer), call: spec.optimizer },
    metrics,
    penalties,
    augmentations,
    ...(earlyStopping ? { earlyStopping } : {}),
    ...(schedule ? { schedule } : {}),
    ...(clip !== undefined ? { clip } : {}),
    seed,
    validationSplit,
  };
}

// ───────────────────────────── parameters and optimizer state ─────────────────────────────

/**
 * The live parameters of one model: a runtime variable per IR param (buffers and frozen params
 * included, as non-trainable variables) plus the optimizer slots of the trainable ones.
 */
export class ParamStore<T> {
  readonly vars = new Map<string, T>();
  readonly slots = new Map<string, Record<string, T>>();

  constructor(
    readonly rt: Runtime<T>,
    readonly graph: Graph,
    values: Map<string, Float32Array | Int32Array>,
  ) {
    for (const p of graph.params) {
      const v = values.get(p.name);
      if (!v) throw new Error(`no initial value for parameter '${p.name}'`);
      this.vars.set(p.name, rt.variable(v, p.type.shape as number[], p.type.dtype === 'f32' ? 'f32' : 'i32', p.trainable && !p.buffer));
    }
  }

  /** Trainable parameters (what the optimizer updates). */
  get trainable(): { name: string; v: T }[] {
    return this.graph.params.filter((p) => p.trainable && !p.buffer).map((p) => ({ name: p.name, v: this.vars.get(p.name)! }));
  }

  /** The params map the graph runner reads. */
  get map(): ReadonlyMap<string, T> {
    return this.vars;
  }

  initSlots(opt: OptimizerDef, args: Args, math: SeededMath<T>): void {
    for (const { name, v } of this.trainable) {
      const s = this.rt.tidy(() => opt.initSlots(math, v, args));
      this.slots.set(name, s);
    }
  }

  /** Applies new buffer values from the runner (batch-norm statistics) and frees them. */
  applyBufferUpdates(updates: Map<string, T>): void {
    for (const [name, t] of updates) {
      const v = this.vars.get(name);
      if (v !== undefined) this.rt.assign(v, t);
      this.rt.dispose(t);
    }
  }

  /** Overwrites every parameter with plain values (`graph.params` order): data-parallel workers. */
  setValues(values: readonly (Float32Array | Int32Array)[]): void {
    this.graph.params.forEach((p, i) => {
      const v = this.vars.get(p.name)!;
      this.rt.tidy(() => this.rt.assign(v, this.rt.tensor(values[i]!, this.rt.shape(v))));
    });
  }

  dispose(): void {
    this.rt.dispose([...this.vars.values()]);
    for (const s of this.slots.values()) this.rt.dispose(Object.values(s));
    this.vars.clear();
    this.slots.clear();
  }

  /** Weights for a checkpoint (names prefixed for multi-model checkpoints). */
  async weightsForCheckpoint(prefix = ''): Promise<Map<string, SafetensorsTensor>> {
    const out = new Map<string, SafetensorsTensor>();
    for (const p of this.graph.params) {
      const v = this.vars.get(p.name)!;
      const data = await this.rt.read(v);
      const shape = this.rt.shape(v);
      out.set(prefix + p.name, this.rt.dtype(v) === 'i32' ? { dtype: 'I32', shape, data: Int32Array.from(data as Int32Array) } : { dtype: 'F32', shape, data: Float32Array.from(data as Float32Array) });
    }
    return out;
  }

  async slotsForCheckpoint(prefix = ''): Promise<Map<string, SafetensorsTensor>> {
    const out = new Map<string, SafetensorsTensor>();
    for (const [name, s] of this.slots) {
      for (const [slot, t] of Object.entries(s)) {
        out.set(`${prefix}${name}/${slot}`, { dtype: 'F32', shape: this.rt.shape(t), data: Float32Array.from((await this.rt.read(t)) as Float32Array) });
      }
    }
    return out;
  }

  /** Restores slots saved by slotsForCheckpoint (after initSlots, whose tensors it replaces). */
  restoreSlots(saved: Map<string, SafetensorsTensor>, prefix = ''): void {
    for (const [name, s] of this.slots) {
      for (const slot of Object.keys(s)) {
        const t = saved.get(`${prefix}${name}/${slot}`);
        if (!t) throw new TrainingError([diag('DLM5051', ['optimizer.safetensors', `optimizer slot '${prefix}${name}/${slot}' is missing (was the optimizer changed?)`])]);
        this.rt.dispose(s[slot]!);
        s[slot] = this.rt.tensor(t.data as Float32Array, t.shape);
      }
    }
  }
}

/** Initial values from checkpoint tensors. */
export function valuesFromCheckpoint(weights: Map<string, SafetensorsTensor>, prefix = ''): Map<string, Float32Array | Int32Array> {
  const out = new Map<string, Float32Array | Int32Array>();
  for (const [k, t] of weights) {
    if (!k.startsWith(prefix)) continue;
    const data = t.data instanceof BigInt64Array ? Int32Array.from(t.data, (x) => Number(x)) : t.data;
    out.set(k.slice(prefix.length), data);
  }
  return out;
}

/**
 * One optimizer step over the trainable params: optional global-norm gradient clipping
 * (torch.nn.utils.clip_grad_norm_: scale by max_norm / (norm + 1e-6) when that is < 1), then the
 * plugin's update, assigning new values and replacing slots. Consumes (disposes) `grads`.
 * Returns the gradient norm before clipping when clipping is on.
 */
export function optimizerStep<T>(
  store: ParamStore<T>,
  grads: Record<string, T>,
  opt: OptimizerDef,
  args: Args,
  math: SeededMath<T>,
  lr: number,
  step: number,
  clip?: number,
): void {
  const rt = store.rt;
  const names = store.trainable.map((t) => t.name).filter((n) => grads[n] !== undefined);
  if (clip !== undefined && names.length > 0) {
    const clipped = rt.tidy(() => {
      const squares = names.map((n) => math.sum(math.square(grads[n]!)));
      const total = math.sqrt(squares.slice(1).reduce((acc, x) => math.add(acc, x), squares[0]!));
      const coef = math.minimum(math.div(math.scalar(clip), math.add(total, 1e-6)), 1);
      return Object.fromEntries(names.map((n) => [n, math.mul(grads[n]!, coef)]));
    });
    rt.dispose(Object.values(grads));
    grads = clipped;
  }
  for (const name of names) {
    const v = store.vars.get(name)!;
    const old = store.slots.get(name) ?? {};
    const g = grads[name]!;
    const r = rt.tidy(() => {
      const u = opt.update(math, v, g, old, args, lr, step);
      return { param: u.param, slots: u.slots };
    });
    // An update may hand back one of its inputs (sgd's first momentum buffer is the gradient).
    const keep = new Set<T>(Object.values(r.slots));
    if (r.param !== v) {
      rt.assign(v, r.param); // the variable takes its own reference
      if (!keep.has(r.param)) rt.dispose(r.param);
    }
    for (const t of Object.values(old)) if (!keep.has(t)) rt.dispose(t);
    store.slots.set(name, r.slots);
    if (!keep.has(g)) rt.dispose(g);
  }
  for (const [n, g] of Object.entries(grads)) if (!names.includes(n) && !rt.isDisposed(g)) rt.dispose(g);
}

// ───────────────────────────── data ─────────────────────────────

/** A view of a split: a subset of its samples (validation carve-out, CI limits) in a fixed order. */
export class SplitView {
  constructor(
    readonly split: DatasetSplit,
    /** Indices into the split; undefined = 0..size-1. */
    readonly indices: Int32Array,
  ) {}

  static all(split: DatasetSplit, limit?: number): SplitView {
    const n = Math.min(split.size, limit ?? Infinity);
    return new SplitView(split, Int32Array.from({ length: n }, (_, i) => i));
  }

  get size(): number {
    return this.indices.length;
  }

  /** Splits off the last `fraction` of a seeded permutation as validation data. */
  carve(fraction: number, seed: number): { train: SplitView; val: SplitView } {
    const perm = permutation(this.size, seed, 'validation');
    const nVal = Math.round(this.size * fraction);
    const pick = (from: number, to: number) => Int32Array.from(perm.subarray(from, to), (i) => this.indices[i]!).sort();
    return { train: new SplitView(this.split, pick(0, this.size - nVal)), val: new SplitView(this.split, pick(this.size - nVal, this.size)) };
  }

  /** The samples at positions `order[start..start+count)` of this view, as one batch. */
  batch(order: Int32Array | undefined, start: number, count: number): Batch {
    const pos = (k: number) => this.indices[order ? order[k]! : k]!;
    // Contiguous runs are fetched with one slice (the common unshuffled case).
    const first = pos(start);
    let contiguous = true;
    for (let k = 1; k < count && contiguous; k++) if (pos(start + k) !== first + k) contiguous = false;
    if (contiguous) return this.split.slice(first, count);
    if (this.split.gather) {
      const at = new Int32Array(count);
      for (let k = 0; k < count; k++) at[k] = pos(start + k);
      return this.split.gather(at);
    }
    const parts: Batch[] = [];
    for (let k = 0; k < count; k++) parts.push(this.split.slice(pos(start + k), 1));
    return concatBatches(parts);
  }

  /**
   * The targets of positions `order[start..start+count)` of this view (as in `batch`), as
   * `batch(order, start, count)` gives them: through the split's `targets` where it has one, which
   * reads no inputs (an image dataset converts no image).
   */
  targets(order: Int32Array | undefined, start: number, count: number): Pick<Batch, 'y' | 'yShape'> {
    if (typeof this.split.targets !== 'function') {
      const { y, yShape } = this.batch(order, start, count);
      return { y, yShape };
    }
    const at = order ? Int32Array.from(order.subarray(start, start + count), (k) => this.indices[k]!) : this.indices.subarray(start, start + count);
    // A batch's targets are [count, ...targetShape] (DatasetInfo); the split's answer was checked to have that length (run-setup.ts).
    return { y: this.split.targets(at), yShape: [count, ...this.split.info.targetShape] };
  }
}

export function concatBatches(parts: Batch[]): Batch {
  const p0 = parts[0]!;
  const xPer = p0.x.length / p0.xShape[0]!;
  const yPer = p0.y.length / Math.max(1, p0.yShape[0]!);
  const n = parts.reduce((a, b) => a + b.xShape[0]!, 0);
  const x = p0.x instanceof Int32Array ? new Int32Array(n * xPer) : new Float32Array(n * xPer);
  const y = p0.y instanceof Int32Array ? new Int32Array(n * yPer) : new Float32Array(n * yPer);
  let xo = 0;
  let yo = 0;
  for (const p of parts) {
    x.set(p.x, xo);
    y.set(p.y, yo);
    xo += p.x.length;
    yo += p.y.length;
  }
  return { x, xShape: [n, ...p0.xShape.slice(1)], y, yShape: [n, ...p0.yShape.slice(1)] };
}

/** Seeded Fisher–Yates permutation of 0..n-1, a pure function of (seed, key). */
export function permutation(n: number, seed: number, key: string): Int32Array {
  const rng = new RandomStream(seed, key);
  const a = Int32Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rng.uniform() * (i + 1));
    const t = a[i]!;
    a[i] = a[j]!;
    a[j] = t;
  }
  return a;
}

export function batchTensors<T>(rt: Runtime<T>, b: Batch): { x: T; y: T } {
  return { x: rt.tensor(b.x, b.xShape), y: rt.tensor(b.y, b.yShape) };
}

/** Data-loader arguments every dataset may declare (read by the trainer). */
export function loaderArgs(args: Args): { batch: number; shuffle: boolean } {
  const batch = typeof args['batch'] === 'number' && args['batch'] >= 1 ? Math.floor(args['batch']) : 32;
  const shuffle = typeof args['shuffle'] === 'boolean' ? args['shuffle'] : true;
  return { batch, shuffle };
}

/** `1.5 s`, `2 min 5 s`, `1 h 3 min`. */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '?';
  if (seconds < 60) return `${seconds < 10 ? seconds.toFixed(1) : Math.round(seconds)} s`;
  const m = Math.floor(seconds / 60);
  if (m < 60) return `${m} min ${Math.round(seconds - m * 60)} s`;
  return `${Math.floor(m / 60)} h ${m % 60} min`;
}

/**
 * The supervised step strategy and what it needs: checking data against the model before any
 * step (DLM5053/5054/5057), one batch's forward/backward (augment → forward → loss + penalties →
 * gradients), the data-parallel variant of that step, and evaluation (mean loss, metrics and the
 * confusion matrix of classifiers).
 */
import { diag, formatShape, type Args, type Batch, type DatasetInfo, type Graph, type PluginRegistry, type Diagnostic } from '@dlm/core';
import { SplitView, TrainingError, batchTensors, fail, isOutOfMemory, optimizerStep, resolve, withDefaults, type ParamStore, type ResolvedRules } from './common.js';
import type { StepOutcome, StepStrategy } from './loop.js';
import type { ConfusionReport } from './progress.js';
import type { GraphRunner, Runtime, SeededMath } from '@dlm/core';

/** Everything a supervised run needs about its data and model, checked up front. */
export interface Setup<T> {
  graph: Graph;
  runner: GraphRunner<T>;
  inputName: string;
  outputName: string;
  info: DatasetInfo;
  /** Number of classes the metrics see (2 for a single sigmoid unit), when classifying. */
  classes?: number;
}

// ───────────────────────────── checks before training ─────────────────────────────

/** Checks the dataset against the model's single input and output; returns the setup. */
export function checkData<T>(graph: Graph, runner: GraphRunner<T>, view: SplitView, dataName: string, span: Diagnostic['span'] | undefined): Setup<T> {
  if (graph.inputs.length !== 1 || graph.outputs.length !== 1) fail('DLM5063', [graph.name, graph.inputs.length, graph.outputs.length], graph.span);
  const input = graph.inputs[0]!;
  const output = graph.outputs[0]!;
  const info = view.split.info;
  const want = input.type.shape.slice(1);
  const fits = want.length === info.inputShape.length && want.every((d, i) => typeof d !== 'number' || d === info.inputShape[i]);
  if (!fits) fail('DLM5054', [dataName, formatShape(info.inputShape), graph.name, input.name, formatShape(input.type.shape)], span ?? graph.span);
  const outShape = output.type.shape;
  const units = outShape[outShape.length - 1];
  let classes: number | undefined;
  if (info.classes !== undefined) {
    if (typeof units !== 'number') fail('DLM5057', [dataName, `class labels (${info.classes} classes)`, graph.name, output.name, formatShape(outShape)], span);
    classes = units === 1 ? 2 : units;
    // Every label, before the first step: an out-of-range label otherwise trains on garbage (a
    // one-hot of zeros) or fails deep inside the runtime, far from the row that caused it.
    const k = classes;
    const bad = findTarget(view, (v) => !Number.isInteger(v) || v < 0 || v >= k);
    if (bad) fail('DLM5053', [bad.row, 'training', dataName, bad.value, output.name, graph.name, units === 1 ? '2 (one sigmoid unit)' : units, classes - 1], span);
  } else {
    const perSample = outShape.slice(1);
    const nOut = perSample.every((d) => typeof d === 'number') ? (perSample as number[]).reduce((a, b) => a * b, 1) : undefined;
    const nTarget = info.targetShape.reduce((a, b) => a * b, 1);
    if (nOut !== undefined && nOut !== nTarget) fail('DLM5057', [dataName, formatShape(info.targetShape), graph.name, output.name, formatShape(outShape)], span);
  }
  return { graph, runner, inputName: input.name, outputName: output.name, info, ...(classes !== undefined ? { classes } : {}) };
}

/** The first target (in the dataset's row order) that `bad` rejects, with its row in the dataset. */
function findTarget(view: SplitView, bad: (v: number) => boolean): { row: number; value: number } | undefined {
  const chunk = 1024;
  for (let s = 0; s < view.size; s += chunk) {
    const n = Math.min(chunk, view.size - s);
    const { y } = view.targets(undefined, s, n); // without the inputs where the split allows
    const per = y.length / n;
    for (let i = 0; i < y.length; i++) if (bad(y[i]!)) return { row: view.indices[s + Math.floor(i / per)]!, value: y[i]! };
  }
  return undefined;
}

/** A loss on probabilities (bce) takes targets in [0, 1]; a label of 3 would make its loss meaningless. */
export function checkProbabilityTargets(view: SplitView, dataName: string, loss: { name: string; expects: string }, span: Diagnostic['span'] | undefined): void {
  if (loss.expects !== 'probabilities' || view.split.info.classes !== undefined && view.split.info.classes > 2) return;
  const bad = findTarget(view, (v) => !(v >= 0 && v <= 1));
  if (bad) fail('DLM5075', [bad.row, 'training', dataName, bad.value, loss.name], span);
}

// ───────────────────────────── evaluation ─────────────────────────────

export interface EvalResult {
  loss: number;
  metrics: Record<string, number>;
  confusion?: ConfusionReport;
  samples: number;
}

/** Inference-mode pass over a view: mean loss, metrics, and the confusion matrix for classifiers. */
export async function evaluateView<T>(rt: Runtime<T>, setup: Setup<T>, params: ReadonlyMap<string, T>, view: SplitView, rules: Pick<ResolvedRules, 'loss' | 'metrics'>, batchSize: number, math: SeededMath<T>): Promise<EvalResult> {
  let lossSum = 0;
  let count = 0;
  const sums = rules.metrics.map(() => new Map<string, Float64Array>());
  const k = setup.classes;
  const confusion = k !== undefined ? new Float64Array(k * k) : undefined;
  for (let s = 0; s < view.size; s += batchSize) {
    const n = Math.min(batchSize, view.size - s);
    const b = view.batch(undefined, s, n);
    const { loss, stats, conf } = rt.tidy(() => {
      const { x, y } = batchTensors(rt, b);
      const out = setup.runner.run(params, { [setup.inputName]: x }, { training: false }).outputs[setup.outputName]!;
      const loss = rules.loss.def.compute(math, out, y, rules.loss.args);
      const stats = rules.metrics.map((m) => m.def.batchStats(math, out, y, m.args, k ?? 0));
      const conf = k !== undefined ? confusionBatch(math, out, y, k) : undefined;
      return { loss, stats, conf };
    });
    lossSum += (await rt.read(loss))[0]! * n;
    count += n;
    await accumulate(rt, sums, stats);
    if (conf !== undefined && confusion) {
      const c = await rt.read(conf);
      for (let i = 0; i < c.length; i++) confusion[i]! += c[i]!;
    }
    rt.dispose([loss, ...stats.flatMap((st) => Object.values(st)), ...(conf !== undefined ? [conf] : [])]);
  }
  const metrics = finalizeMetrics(rules.metrics, sums, k ?? 0);
  const res: EvalResult = { loss: count ? lossSum / count : Number.NaN, metrics, samples: count };
  if (confusion && k !== undefined) {
    res.confusion = { classes: k, matrix: Array.from({ length: k }, (_, i) => Array.from(confusion.subarray(i * k, i * k + k))) };
    if (setup.info.classNames && setup.info.classNames.length === k) res.confusion.classNames = setup.info.classNames;
  }
  return res;
}

/** [k*k] counts, rows = true class, columns = predicted (argmax, or > 0.5 for one unit). */
function confusionBatch<T>(m: SeededMath<T>, out: T, y: T, k: number): T {
  const outShape = m.shape(out);
  const units = outShape[outShape.length - 1]!;
  const pred = units === 1 ? m.cast(m.greater(m.reshape(out, [-1]), 0.5), 'i32') : m.reshape(m.argMax(out, -1), [-1]);
  const truth =
    m.shape(y).length === outShape.length && units > 1 ? m.reshape(m.argMax(y, -1), [-1]) : units === 1 ? m.cast(m.greater(m.reshape(y, [-1]), 0.5), 'i32') : m.cast(m.reshape(y, [-1]), 'i32');
  const idx = m.add(m.mul(truth, k), pred);
  return m.sum(m.oneHot(m.cast(idx, 'i32'), k * k), [0]);
}

async function accumulate<T>(rt: Runtime<T>, sums: Map<string, Float64Array>[], stats: Record<string, T>[]): Promise<void> {
  for (let i = 0; i < stats.length; i++) {
    for (const [key, t] of Object.entries(stats[i]!)) {
      const d = await rt.read(t);
      let acc = sums[i]!.get(key);
      if (!acc) sums[i]!.set(key, (acc = new Float64Array(d.length)));
      for (let j = 0; j < d.length; j++) acc[j]! += d[j]!;
    }
  }
}

/**
 * The training metrics of an epoch from outputs another engine computed (training mode, before each
 * update, as the step does): `outputs` holds one row per position of `order`, and batches are the
 * loop's, so the statistics are accumulated exactly as the step's running metrics. Only the
 * targets are read (`SplitView.targets`: no image converted where the split can give labels alone).
 */
export async function metricsOfOutputs<T>(rt: Runtime<T>, setup: Setup<T>, rules: Pick<ResolvedRules, 'metrics'>, math: SeededMath<T>, view: SplitView, order: Int32Array | undefined, outputs: Float32Array, batchSize: number): Promise<Record<string, number>> {
  const sums = rules.metrics.map(() => new Map<string, Float64Array>());
  const per = outputs.length / Math.max(1, view.size);
  const outShape = setup.graph.outputs[0]!.type.shape.slice(1).map((d) => (typeof d === 'number' ? d : -1));
  for (let s = 0; s < view.size; s += batchSize) {
    const n = Math.min(batchSize, view.size - s);
    const b = view.targets(order, s, n);
    const stats = rt.tidy(() => {
      const out = rt.tensor(outputs.subarray(s * per, (s + n) * per), [n, ...(outShape.includes(-1) ? [per] : outShape)]);
      const y = rt.tensor(b.y, b.yShape);
      return rules.metrics.map((m) => runRule(rt, 'metric', m.name, () => m.def.batchStats(math, out, y, m.args, setup.classes ?? 0)));
    });
    await accumulate(rt, sums, stats);
    rt.dispose(stats.flatMap((st) => Object.values(st)));
  }
  return finalizeMetrics(rules.metrics, sums, setup.classes ?? 0);
}

function finalizeMetrics(metrics: ResolvedRules['metrics'], sums: Map<string, Float64Array>[], classes: number): Record<string, number> {
  const out: Record<string, number> = {};
  metrics.forEach((m, i) => {
    const stats = Object.fromEntries([...sums[i]!].map(([k, v]) => [k, Float32Array.from(v)]));
    out[m.name] = Object.keys(stats).length ? m.def.finalize(stats, m.args, classes) : Number.NaN;
  });
  return out;
}

// ───────────────────────────── one step ─────────────────────────────

export type PenaltyTarget = { param: string; def: ResolvedRules['penalties'][number]['def']; args: Args; span?: Diagnostic['span'] };

/**
 * Which penalty applies to which parameter: the train block's `regularize` penalties to every
 * trainable parameter (like PyTorch's weight_decay), plus each parameter's own (`{ weight:
 * regularizer l1(1e-5) }` in the model).
 */
export function penaltiesFor(graph: Graph, rules: ResolvedRules, registry: PluginRegistry): PenaltyTarget[] {
  const out: PenaltyTarget[] = [];
  for (const p of graph.params) {
    if (!p.trainable || p.buffer) continue;
    for (const r of rules.penalties) out.push({ param: p.name, def: r.def, args: r.args, ...(r.span ? { span: r.span } : {}) });
    for (const c of p.regularizers) {
      const def = resolve(registry, 'regularizer', c);
      if (def.kind === 'penalty') out.push({ param: p.name, def, args: withDefaults(def, c), ...(c.span ? { span: c.span } : {}) });
    }
  }
  return out;
}

export interface StepTensors<T> {
  loss: T;
  grads: Record<string, T>;
  stats: Record<string, T>[];
  bufferUpdates: Map<string, T>;
}

/**
 * One batch: augmentation (training only), forward, loss + penalties, gradients. Returns tensors
 * the caller must consume: the data loss, the gradients, the metric statistics and the buffer
 * updates.
 */
export function trainStep<T>(setup: Setup<T>, store: ParamStore<T>, rules: ResolvedRules, penaltyTargets: PenaltyTarget[], math: SeededMath<T>, b: Batch): StepTensors<T> {
  const rt = store.rt;
  const trainable = store.trainable;
  const { x: x0, y } = batchTensors(rt, b);
  let x = x0;
  if (rules.augmentations.length > 0) {
    x = rt.tidy(() => rules.augmentations.reduce((acc, a) => runRule(rt, 'regularizer', a.def.name, () => a.def.augment(math, acc, a.args)), x0));
    rt.dispose(x0);
  }
  let dataLoss: T | undefined;
  let out: T | undefined;
  let bufferUpdates = new Map<string, T>();
  const seed = math.nextSeed();
  try {
    const { value, grads } = rt.gradients(() => {
      const r = setup.runner.run(store.map, { [setup.inputName]: x }, { training: true, seed });
      bufferUpdates = r.bufferUpdates;
      out = rt.keep(r.outputs[setup.outputName]!); // for the metrics, after the backward pass
      const loss = runRule(rt, 'loss', rules.loss.def.name, () => rules.loss.def.compute(math, out!, y, rules.loss.args));
      dataLoss = rt.keep(loss);
      let total = loss;
      for (const { param, def, args } of penaltyTargets) {
        if (def.gradient) continue; // added to the gradient below, off the tape
        total = math.add(total, runRule(rt, 'regularizer', def.name, () => def.penalty(math, store.vars.get(param)!, args)));
      }
      return total;
    }, trainable.map((t) => t.v));
    if (value !== dataLoss) rt.dispose(value); // with no taped penalty the total is the data loss itself
    const byName: Record<string, T> = {};
    trainable.forEach(({ name }, i) => {
      const g = grads[i];
      if (g !== undefined) byName[name] = g;
    });
    addPenaltyGradients(rt, store, penaltyTargets, math, byName);
    // The metrics off the tape: inside `gradients` every op of theirs would be recorded (and its
    // inputs saved) only for the backward pass to filter it out again. Same ops, same inputs.
    const stats = rt.tidy(() => rules.metrics.map((m) => runRule(rt, 'metric', m.name, () => m.def.batchStats(math, out!, y, m.args, setup.classes ?? 0))));
    return { loss: dataLoss!, grads: byName, stats, bufferUpdates };
  } finally {
    // The output may be the loss itself or a parameter (a degenerate model): those live on.
    if (out !== undefined && out !== dataLoss && ![...store.vars.values()].includes(out)) rt.dispose(out);
    rt.dispose([x, y]);
  }
}

/**
 * Adds the gradient of every penalty that states it (`gradient` of a penalty regularizer) to its
 * parameter's gradient in `grads`, replacing (and freeing) the old tensor. The step's total loss
 * never includes these penalties: only their gradients matter to the update, and a penalty on the
 * tape costs its forward ops, their backward ops and the tape's bookkeeping on every step.
 */
function addPenaltyGradients<T>(rt: Runtime<T>, store: ParamStore<T>, targets: PenaltyTarget[], math: SeededMath<T>, grads: Record<string, T>): void {
  for (const { param, def, args } of targets) {
    const gradient = def.gradient;
    if (!gradient) continue;
    const g = grads[param];
    const v = store.vars.get(param)!;
    const d = runRule(rt, 'regularizer', def.name, () => rt.tidy(() => {
      const pg = gradient(math, v, args);
      // `add` would broadcast a wrongly shaped gradient (a scalar, say) over the parameter's
      // gradient without a word; the plugin contract is the parameter's shape.
      const want = rt.shape(v);
      const got = rt.shape(pg);
      if (got.length !== want.length || got.some((s, i) => s !== want[i])) throw new Error(`its gradient has shape [${got.join(', ')}] but parameter '${param}' has shape [${want.join(', ')}]`);
      if (g !== undefined) return math.add(g, pg);
      // No gradient from the tape (the loss does not reach the parameter): the stated one is the
      // gradient, and the optimizer frees it after the update. A plugin may hand back a variable
      // (½·Σp² has the gradient p itself): a copy (·1 keeps every bit), not the variable, is freed.
      return [...store.vars.values()].includes(pg) ? math.mul(pg, 1) : pg;
    }));
    if (g !== undefined) rt.dispose(g);
    grads[param] = d;
  }
}

/** Runs plugin code; a throw becomes DLM5060 naming the plugin rule (runtime and dlm errors pass through). */
function runRule<T, R>(rt: Runtime<T>, kind: string, name: string, f: () => R): R {
  try {
    return f();
  } catch (e) {
    if (e instanceof TrainingError || rt.diagnose(e)) throw e;
    throw new TrainingError([diag('DLM5060', [kind, name, e instanceof Error ? e.message : String(e), 'training'])]);
  }
}

// ───────────────────────────── data parallelism ─────────────────────────────

/** What a data-parallel worker returns for its shard of a batch (plain arrays, they cross threads). */
export interface ShardResult {
  loss: number;
  /** Gradients of the trainable parameters, in `graph.params` order of the trainable ones. */
  grads: Float32Array[];
  /** Per metric, its statistics by name. */
  stats: Record<string, Float32Array>[];
  /** Batch-norm buffer updates by parameter name. */
  buffers: Record<string, Float32Array>;
}

/** Worker threads that compute shards of a batch (the "./node" entry starts them). */
export interface ShardPool {
  readonly size: number;
  /** Worker `i` computes one shard with the given parameter values (all params, `graph.params` order). */
  shard(i: number, params: (Float32Array | Int32Array)[], batch: Batch, seed: number): Promise<ShardResult>;
  close(): Promise<void>;
}

/** Splits a batch into `parts` contiguous shards of near-equal size (the first ones larger). */
export function splitBatch(b: Batch, parts: number): Batch[] {
  const n = b.xShape[0]!;
  const xPer = b.x.length / n;
  const yPer = b.y.length / n;
  const out: Batch[] = [];
  let start = 0;
  for (let i = 0; i < parts; i++) {
    const size = Math.floor(n / parts) + (i < n % parts ? 1 : 0);
    if (size === 0) continue;
    out.push({
      x: b.x.slice(start * xPer, (start + size) * xPer),
      xShape: [size, ...b.xShape.slice(1)],
      y: b.y.slice(start * yPer, (start + size) * yPer),
      yShape: [size, ...b.yShape.slice(1)],
    });
    start += size;
  }
  return out;
}

/**
 * One batch split over this thread and the pool. Returns the same tensors as trainStep,
 * combined weighted by shard size (every shard's loss is a mean, so this is the full batch's mean;
 * penalties are in every shard's gradient and the weights sum to one, so they count once).
 */
async function parallelStep<T>(pool: ShardPool, setup: Setup<T>, store: ParamStore<T>, rules: ResolvedRules, penaltyTargets: PenaltyTarget[], math: SeededMath<T>, b: Batch, whileWaiting?: () => void): Promise<StepTensors<T>> {
  const rt = store.rt;
  const trainable = store.trainable;
  const shards = splitBatch(b, pool.size + 1);
  const n = b.xShape[0]!;
  const weights = shards.map((s) => s.xShape[0]! / n);
  const params = await Promise.all(store.graph.params.map(async (p) => await rt.read(store.vars.get(p.name)!)));
  const seeds = shards.slice(1).map(() => math.nextSeed());
  const remote = shards.slice(1).map((sb, i) => pool.shard(i, params, sb, seeds[i]!));
  let local: StepTensors<T>;
  try {
    local = trainStep(setup, store, rules, penaltyTargets, math, shards[0]!);
  } catch (e) {
    // The workers' replies must still be awaited: a rejection nobody awaits kills the process
    // with a raw stack instead of this thread's diagnostic.
    await Promise.allSettled(remote);
    throw e;
  }
  let results: ShardResult[];
  try {
    whileWaiting?.();
    results = await Promise.all(remote);
  } catch (e) {
    disposeStep(rt, local);
    if (isOutOfMemory(e) || e instanceof TrainingError) throw e;
    throw new TrainingError([diag('DLM5067', [e instanceof Error ? e.message : String(e)])]);
  }
  const w0 = weights[0]!;
  const localLoss = (await rt.read(local.loss))[0]!;
  const loss = rt.tensor(Float32Array.of(results.reduce((acc, r, k) => acc + weights[k + 1]! * r.loss, w0 * localLoss)), []);
  // The weighted sum in JS over the read-back arrays: ~5 small kernels per parameter fewer on the
  // step's serial part, the same float32 operations in the same order (combineShards).
  const localGrads = await Promise.all(trainable.map(async ({ name }) => (local.grads[name] !== undefined ? ((await rt.read(local.grads[name]!)) as Float32Array) : undefined)));
  const grads: Record<string, T> = {};
  trainable.forEach(({ name, v }, idx) => {
    grads[name] = rt.tensor(combineShards(localGrads[idx], results.map((r) => r.grads[idx]!), weights), rt.shape(v));
  });
  // Metric statistics are sums over samples: add them up.
  const stats = local.stats.map((st, m) =>
    Object.fromEntries(Object.entries(st).map(([key, t]) => [key, rt.tidy(() => results.reduce((acc, r) => math.add(acc, rt.tensor(r.stats[m]![key]!, rt.shape(t))), t))])),
  );
  const bufferUpdates = new Map<string, T>();
  for (const [key, t] of local.bufferUpdates) {
    bufferUpdates.set(key, rt.tidy(() => results.reduce((acc, r, k) => math.add(acc, math.mul(rt.tensor(r.buffers[key]!, rt.shape(t)), weights[k + 1]!)), math.mul(t, w0))));
  }
  disposeStep(rt, local);
  return { loss, grads, stats, bufferUpdates };
}

/**
 * Σₖ wₖ·gₖ over the shards' gradients (`local` undefined: this thread's shard gave none, i.e.
 * zeros), rounded to float32 after every operation with the weights rounded to float32 first:
 * exactly what mul(g₀, w₀), then add(·, mul(gₖ, wₖ)) per shard, give as float32 tensor ops.
 */
export function combineShards(local: Float32Array | undefined, remote: Float32Array[], weights: number[]): Float32Array {
  const f = Math.fround;
  const n = remote[0]?.length ?? local?.length ?? 0;
  const out = new Float32Array(n);
  const w0 = f(weights[0]!);
  if (local) for (let i = 0; i < n; i++) out[i] = local[i]! * w0;
  remote.forEach((g, k) => {
    const w = f(weights[k + 1]!);
    for (let i = 0; i < n; i++) out[i] = out[i]! + f(g[i]! * w);
  });
  return out;
}

function disposeStep<T>(rt: Runtime<T>, s: StepTensors<T>): void {
  rt.dispose([s.loss, ...Object.values(s.grads), ...s.stats.flatMap((x) => Object.values(x)), ...s.bufferUpdates.values()]);
}

// ───────────────────────────── the strategy ─────────────────────────────

export function supervisedStrategy<T>(o: {
  rt: Runtime<T>;
  setup: Setup<T>;
  store: ParamStore<T>;
  rules: ResolvedRules;
  penalties: PenaltyTarget[];
  math: SeededMath<T>;
  evalView?: SplitView;
  batchSize: number;
  pool?: ShardPool;
}): StepStrategy {
  const { rt, setup, store, rules, math } = o;
  let sums: Map<string, Float64Array>[] = [];
  return {
    model: setup.graph.name,
    startEpoch() {
      sums = rules.metrics.map(() => new Map<string, Float64Array>());
    },
    async step(b: Batch, lr: number, step: number, whileWaiting?: () => void): Promise<StepOutcome> {
      const n = b.xShape[0]!;
      const s = o.pool && o.pool.size > 0 && n > o.pool.size ? await parallelStep(o.pool, setup, store, rules, o.penalties, math, b, whileWaiting) : trainStep(setup, store, rules, o.penalties, math, b);
      const lv = (await rt.read(s.loss))[0]!;
      if (!Number.isFinite(lv)) {
        disposeStep(rt, s);
        return { nonFinite: lv };
      }
      optimizerStep(store, s.grads, rules.optimizer.def, rules.optimizer.args, math, lr, step, rules.clip);
      store.applyBufferUpdates(s.bufferUpdates);
      await accumulate(rt, sums, s.stats);
      rt.dispose([s.loss, ...s.stats.flatMap((x) => Object.values(x))]);
      return { loss: lv };
    },
    running() {
      return { metrics: finalizeMetrics(rules.metrics, sums, setup.classes ?? 0) };
    },
    async evaluate() {
      if (!o.evalView || o.evalView.size === 0) return undefined;
      return await evaluateView(rt, setup, store.map, o.evalView, rules, o.batchSize, math);
    },
    async tensors() {
      return { weights: await store.weightsForCheckpoint(), optimizer: await store.slotsForCheckpoint() };
    },
  };
}

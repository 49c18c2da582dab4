/**
 * The supervised training loop, plus `evaluate` and `predict` for the CLI.
 *
 * Phases of `train` (each failure is a diagnostic, returned, never a stack trace):
 *   1. resolve: the model graph, the train block's plugin calls (loss, optimizer, metrics,
 *      regularizers, schedule) and settings (seed, clip, validation_split).
 *   2. data: open the dataset's train/test splits; check input shapes, target shapes and labels
 *      against the model BEFORE any training (DLM5053/5054/5057).
 *   3. state: fresh parameters from core's seeded `initializeParams`, or the last checkpoint
 *      (`resume`: same epoch, optimizer slots, step counter and RNG state, so a resumed run ends
 *      with the same weights as an uninterrupted one on the same backend).
 *   4. epochs: seeded per-epoch shuffle; per batch augment → forward → loss + penalties →
 *      gradients (tf.variableGrads) → finite-loss check → clip → optimizer update → batch-norm
 *      buffers; at the epoch's end evaluate, checkpoint atomically, early-stop.
 *
 * A non-finite loss stops before the bad update is applied; the last checkpoint stays intact.
 */
import * as tf from '@tensorflow/tfjs-core';
import path from 'node:path';
import {
  diag,
  formatShape,
  initializeParams,
  DatasetError,
  type Args,
  type Batch,
  type DatasetInfo,
  type DatasetSplit,
  type Diagnostic,
  type Graph,
  type PhaseResult,
  type PluginCall,
  type PluginRegistry,
  type Program,
  type TrainingSpec,
} from '@dlm/core';
import { GraphExecutor } from '../executor.js';
import { setupBackend, type BackendChoice } from '../backend.js';
import { DlmExecutionError } from '../backend-errors.js';
import { createTfjsMath, type TfjsMath } from '../tensor-math.js';
import { CHECKPOINT_FORMAT, irHash, lastCheckpoint, loadCheckpoint, saveCheckpoint, type CheckpointState, type EpochRecord } from '../checkpoint.js';
import {
  ParamStore,
  SplitView,
  TrainingError,
  isOutOfMemory,
  batchTensors,
  fail,
  loaderArgs,
  optimizerStep,
  permutation,
  resolve,
  resolveRules,
  valuesFromCheckpoint,
  withDefaults,
  type ResolvedRules,
} from './common.js';
import type { ConfusionReport, TrainEvent } from './progress.js';
import { ShardWorker, splitBatch, type ShardResult, type WorkerInit } from './data-parallel.js';

export interface TrainOptions {
  program: Program;
  training: TrainingSpec;
  registry: PluginRegistry;
  /** Backend to start (setupBackend); default: keep the current one, or start 'cpu' if none. */
  backend?: BackendChoice;
  /** Checkpoint directory of this run, e.g. runs/<model>. */
  runDir: string;
  /** Continue from `runDir/last`. */
  resume?: boolean;
  /** Overrides the train block's `epochs`. */
  epochs?: number;
  /** Overrides the train block's `data` call (e.g. a local CSV instead of a download). */
  data?: PluginCall;
  /** Directory that source file names in spans are relative to (the CLI's cwd); default process.cwd(). */
  sourceRoot?: string;
  /** Use only the first N samples of each split (CI slices, smoke tests). */
  limit?: { trainSamples?: number; testSamples?: number };
  /** Where datasets cache downloads; default `<runDir>/../.cache`. */
  cacheDir?: string;
  /** Download mirror for datasets (tests). */
  mirror?: string;
  /** Free-text messages (dataset downloads, resume notes). */
  log?: (message: string) => void;
  /** Structured progress; render with `consoleProgress(process.stderr)`. */
  progress?: (event: TrainEvent) => void;
  /** Keep only the newest N epoch checkpoints (default: all). */
  keepLast?: number;
  /**
   * Data-parallel training on the CPU backends: each batch is split over this many threads (the
   * main one plus workers, each with a single-threaded WASM backend). Default 1.
   */
  workers?: number;
  /**
   * Module URLs of every plugin of `registry`, in registration order (the standard plugin
   * included): workers re-load them, since plugin code cannot be sent to a thread.
   */
  pluginModules?: string[];
}

export interface TrainResult {
  model: string;
  backend: string;
  history: EpochRecord[];
  /** The last checkpoint written (or resumed from), if any. */
  checkpoint?: string;
  stopped: 'completed' | 'early_stopping' | 'non_finite_loss';
  /** Confusion matrix of the last evaluation (classifiers). */
  confusion?: ConfusionReport;
}

/** Everything a supervised run needs about its data and model, checked up front. */
export interface Setup {
  graph: Graph;
  exec: GraphExecutor;
  inputName: string;
  outputName: string;
  info: DatasetInfo;
  /** Number of classes the metrics see (2 for a single sigmoid unit), when classifying. */
  classes?: number;
}

// ───────────────────────────── entry point ─────────────────────────────

export async function train(opts: TrainOptions): Promise<PhaseResult<TrainResult | undefined>> {
  const warnings: Diagnostic[] = [];
  try {
    const backend = await startBackend(opts.backend);
    if (opts.training.kind === 'gan') {
      const { trainGan } = await import('./gan.js');
      return await trainGan(opts, backend);
    }
    const result = await runSupervised(opts, backend, warnings);
    return { result: result.result, diagnostics: [...warnings, ...result.diagnostics] };
  } catch (e) {
    return { result: undefined, diagnostics: [...warnings, ...toDiagnostics(e)] };
  }
}

export async function startBackend(choice?: BackendChoice): Promise<string> {
  if (choice) return (await setupBackend(choice)).backend;
  const current = (tf.engine() as unknown as { backendName?: string | null }).backendName;
  if (current) {
    const { ensureGradients } = await import('../backend-gradients.js');
    await ensureGradients();
    return current;
  }
  return (await setupBackend('cpu')).backend;
}

/** User-facing errors → diagnostics; anything else is an internal bug and is rethrown. */
export function toDiagnostics(e: unknown): Diagnostic[] {
  if (e instanceof TrainingError) return e.diagnostics;
  if (e instanceof DlmExecutionError) return [e.diagnostic];
  if (e instanceof DatasetError) return [diag('DLM5060', ['dataset', e.file ?? '?', e.message])];
  if (isOutOfMemory(e)) return [diag('DLM5066', [tf.getBackend() ?? 'current', e instanceof Error ? e.message.split('\n')[0]! : String(e)])];
  throw e;
}

export function findModel(program: Program, name: string, span?: Diagnostic['span']): Graph {
  const g = program.models.find((m) => m.name === name);
  if (!g) fail('DLM5056', [name], span);
  return g;
}

export function createExecutor(graph: Graph): GraphExecutor {
  const { result, diagnostics } = GraphExecutor.create(graph);
  if (!result) throw new TrainingError(diagnostics);
  return result;
}

export async function openSplit(registry: PluginRegistry, call: PluginCall, split: 'train' | 'test', opts: Pick<TrainOptions, 'runDir' | 'cacheDir' | 'mirror' | 'log' | 'sourceRoot'>): Promise<DatasetSplit> {
  const def = resolve(registry, 'dataset', call);
  return def.open(withDefaults(def, call), {
    split,
    cacheDir: opts.cacheDir ?? `${opts.runDir}/../.cache`,
    ...(opts.mirror ? { mirror: opts.mirror } : {}),
    // Paths written in a .dlm file are relative to that file; a --data override has no span.
    ...(call.span?.file ? { baseDir: path.dirname(path.resolve(opts.sourceRoot ?? '.', call.span.file)) } : {}),
    log: opts.log ?? (() => {}),
  });
}

// ───────────────────────────── checks before training ─────────────────────────────

/** Follows Identity nodes back to the op that really produced `value`. */
function producerOp(graph: Graph, value: string): string | undefined {
  for (let hops = 0; hops < 100; hops++) {
    const n = graph.nodes.find((x) => x.outputs.includes(value));
    if (!n) return undefined;
    if (n.op !== 'Identity') return n.op;
    value = n.inputs[0]!;
  }
  return undefined;
}

function checkLossFitsOutput(graph: Graph, outputName: string, loss: { name: string; expects: string }, span: Diagnostic['span'] | undefined): Diagnostic | undefined {
  const op = producerOp(graph, outputName);
  if (!op) return undefined;
  const isProb = op === 'Softmax' || op === 'Sigmoid';
  const ok =
    loss.expects === 'log_probabilities' ? op === 'LogSoftmax' : loss.expects === 'probabilities' ? isProb : loss.expects === 'logits' ? !isProb && op !== 'LogSoftmax' : true;
  if (ok) return undefined;
  const what = { log_probabilities: 'log-probabilities (end the model with log_softmax)', probabilities: 'probabilities (end the model with sigmoid or softmax)', logits: 'raw logits (remove the final softmax/sigmoid)', values: 'values' }[loss.expects];
  return diag('DLM5058', [loss.name, what ?? loss.expects, graph.name, outputName, op], span);
}

/** Checks the dataset against the model's single input and output; returns the setup. */
export function checkData(graph: Graph, exec: GraphExecutor, view: SplitView, dataName: string, span: Diagnostic['span'] | undefined): Setup {
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
    if (info.classes > classes) {
      // The dataset declares more classes than the output has: find a label that proves it.
      const bad = findLabelAtLeast(view, classes);
      if (bad !== undefined) fail('DLM5053', [bad, 'training', graph.name, output.name, units === 1 ? '2 (one sigmoid unit)' : units, classes - 1], span);
    }
  } else {
    const perSample = outShape.slice(1);
    const nOut = perSample.every((d) => typeof d === 'number') ? (perSample as number[]).reduce((a, b) => a * b, 1) : undefined;
    const nTarget = info.targetShape.reduce((a, b) => a * b, 1);
    if (nOut !== undefined && nOut !== nTarget) fail('DLM5057', [dataName, formatShape(info.targetShape), graph.name, output.name, formatShape(outShape)], span);
  }
  return { graph, exec, inputName: input.name, outputName: output.name, info, ...(classes !== undefined ? { classes } : {}) };
}

function findLabelAtLeast(view: SplitView, limit: number): number | undefined {
  const chunk = 1024;
  for (let s = 0; s < view.size; s += chunk) {
    const b = view.batch(undefined, s, Math.min(chunk, view.size - s));
    for (const v of b.y) if (v >= limit || v < 0) return v;
  }
  return undefined;
}

// ───────────────────────────── evaluation ─────────────────────────────

export interface EvalResult {
  loss: number;
  metrics: Record<string, number>;
  confusion?: ConfusionReport;
  samples: number;
}

/** Inference-mode pass over a view: mean loss, metrics, and the confusion matrix for classifiers. */
export async function evaluateView(setup: Setup, params: Map<string, tf.Tensor>, view: SplitView, rules: Pick<ResolvedRules, 'loss' | 'metrics'>, batchSize: number, math: TfjsMath): Promise<EvalResult> {
  let lossSum = 0;
  let count = 0;
  const sums = rules.metrics.map(() => new Map<string, Float64Array>());
  const k = setup.classes;
  const confusion = k !== undefined ? new Float64Array(k * k) : undefined;
  for (let s = 0; s < view.size; s += batchSize) {
    const n = Math.min(batchSize, view.size - s);
    const b = view.batch(undefined, s, n);
    const { loss, stats, conf } = tf.tidy(() => {
      const { x, y } = batchTensors(b);
      const out = setup.exec.run(params, { [setup.inputName]: x }, { training: false }).outputs[setup.outputName]!;
      const loss = rules.loss.def.compute(math, out, y, rules.loss.args);
      const stats = rules.metrics.map((m) => m.def.batchStats(math, out, y, m.args, k ?? 0));
      const conf = k !== undefined ? confusionBatch(out, y, k) : undefined;
      return { loss, stats, conf };
    });
    lossSum += (await loss.data())[0]! * n;
    count += n;
    await accumulate(sums, stats);
    if (conf && confusion) {
      const c = await conf.data();
      for (let i = 0; i < c.length; i++) confusion[i]! += c[i]!;
    }
    tf.dispose([loss, ...stats.flatMap((st) => Object.values(st)), ...(conf ? [conf] : [])]);
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
function confusionBatch(out: tf.Tensor, y: tf.Tensor, k: number): tf.Tensor {
  const units = out.shape[out.shape.length - 1]!;
  const pred = units === 1 ? tf.cast(tf.greater(tf.reshape(out, [-1]), 0.5), 'int32') : tf.reshape(tf.argMax(out, -1), [-1]);
  const truth = y.shape.length === out.shape.length && units > 1 ? tf.reshape(tf.argMax(y, -1), [-1]) : units === 1 ? tf.cast(tf.greater(tf.reshape(y, [-1]), 0.5), 'int32') : tf.cast(tf.reshape(y, [-1]), 'int32');
  const idx = tf.add(tf.mul(truth, k), pred);
  return tf.sum(tf.oneHot(tf.cast(idx, 'int32'), k * k), 0);
}

async function accumulate(sums: Map<string, Float64Array>[], stats: Record<string, tf.Tensor>[]): Promise<void> {
  for (let i = 0; i < stats.length; i++) {
    for (const [key, t] of Object.entries(stats[i]!)) {
      const d = await t.data();
      let acc = sums[i]!.get(key);
      if (!acc) sums[i]!.set(key, (acc = new Float64Array(d.length)));
      for (let j = 0; j < d.length; j++) acc[j]! += d[j]!;
    }
  }
}

function finalizeMetrics(metrics: ResolvedRules['metrics'], sums: Map<string, Float64Array>[], classes: number): Record<string, number> {
  const out: Record<string, number> = {};
  metrics.forEach((m, i) => {
    const stats = Object.fromEntries([...sums[i]!].map(([k, v]) => [k, Float32Array.from(v)]));
    out[m.name] = Object.keys(stats).length ? m.def.finalize(stats, m.args, classes) : Number.NaN;
  });
  return out;
}

// ───────────────────────────── the supervised loop ─────────────────────────────

async function runSupervised(opts: TrainOptions, backend: string, warnings: Diagnostic[]): Promise<PhaseResult<TrainResult | undefined>> {
  const spec = opts.training;
  const graph = findModel(opts.program, spec.model, spec.span);
  const rules = resolveRules(opts.registry, spec);
  const penaltyTargets = penaltiesFor(graph, rules, opts.registry);
  const exec = createExecutor(graph);
  const dataCall = opts.data ?? spec.data;
  const { batch: batchSize, shuffle } = loaderArgs(withDefaults(resolve(opts.registry, 'dataset', dataCall), dataCall));
  const epochs = opts.epochs ?? spec.epochs;

  // Data.
  const trainSplit = await openSplit(opts.registry, dataCall, 'train', opts);
  let trainView = SplitView.all(trainSplit, opts.limit?.trainSamples);
  let evalView: SplitView | undefined;
  let evalSplit: 'validation' | 'test' | 'none' = 'none';
  if (rules.validationSplit > 0) {
    const c = trainView.carve(rules.validationSplit, rules.seed);
    trainView = c.train;
    evalView = c.val;
    evalSplit = 'validation';
  } else {
    const testSplit = await openSplit(opts.registry, dataCall, 'test', opts);
    evalView = SplitView.all(testSplit, opts.limit?.testSamples);
    evalSplit = 'test';
  }
  if (trainView.size === 0) fail('DLM5062', ['data', 'a dataset with training samples', 'an empty training split']);
  const setup = checkData(graph, exec, trainView, dataCall.name, dataCall.span ?? spec.span);
  const lossDef = rules.loss.def;
  const w = checkLossFitsOutput(graph, setup.outputName, lossDef, spec.loss.span ?? spec.span);
  if (w) warnings.push(w);
  const monitorNames = ['loss', ...rules.metrics.map((m) => m.name), ...(evalView ? ['val_loss', ...rules.metrics.map((m) => `val_${m.name}`)] : [])];
  if (rules.earlyStopping && !monitorNames.includes(rules.earlyStopping.monitor)) {
    fail('DLM5059', [rules.earlyStopping.monitor, monitorNames.join(', ')], rules.earlyStopping.span);
  }

  // State.
  const math = createTfjsMath(rules.seed);
  let state: CheckpointState = {
    format: CHECKPOINT_FORMAT,
    model: graph.name,
    irHash: { [graph.name]: irHash(graph) },
    epoch: 0,
    step: 0,
    rng: math.rngState(),
    history: [],
    optimizer: { name: rules.optimizer.def.name, args: rules.optimizer.args },
    info: { data: dataCall.name, batch: batchSize, seed: rules.seed },
  };
  let store: ParamStore;
  let checkpoint: string | undefined;
  if (opts.resume) {
    const dir = await lastCheckpoint(opts.runDir);
    if (!dir) fail('DLM5055', [opts.runDir]);
    const loaded = await loadCheckpoint(dir, graph, { sameGraph: true });
    if (!loaded.result) throw new TrainingError(loaded.diagnostics);
    store = new ParamStore(graph, valuesFromCheckpoint(loaded.result.weights));
    store.initSlots(rules.optimizer.def, rules.optimizer.args, math);
    store.restoreSlots(loaded.result.optimizer);
    state = { ...loaded.result.state, optimizer: state.optimizer };
    math.setRngState(state.rng);
    checkpoint = dir;
    opts.log?.(`resuming from ${dir} (epoch ${state.epoch}, step ${state.step})`);
  } else {
    store = new ParamStore(graph, initializeParams(graph, rules.seed));
    store.initSlots(rules.optimizer.def, rules.optimizer.args, math);
  }

  const steps = Math.ceil(trainView.size / batchSize);
  const totalSteps = steps * epochs;
  const baseLr = typeof rules.optimizer.args['lr'] === 'number' ? (rules.optimizer.args['lr'] as number) : 1e-3;
  const lrAt = (s: number) => (rules.schedule ? rules.schedule.def.lr(baseLr, s, totalSteps, steps, rules.schedule.args) : baseLr);
  const emit = (e: TrainEvent) => opts.progress?.(e);
  emit({
    kind: 'start',
    model: graph.name,
    backend,
    firstEpoch: state.epoch + 1,
    epochs,
    trainSamples: trainView.size,
    evalSamples: evalView?.size ?? 0,
    evalSplit,
    batchSize,
    ...(opts.resume && checkpoint ? { resumedFrom: checkpoint } : {}),
  });

  let stopped: TrainResult['stopped'] = 'completed';
  let confusion: ConfusionReport | undefined;
  const diagnostics: Diagnostic[] = [];
  const trainable = store.trainable;
  const pool = await startShardWorkers(opts, backend, graph, setup, rules.seed);
  try {
    for (let epoch = state.epoch + 1; epoch <= epochs; epoch++) {
      const t0 = Date.now();
      const order = shuffle ? permutation(trainView.size, rules.seed, `epoch-${epoch}`) : undefined;
      let lossSum = 0;
      let seen = 0;
      const sums = rules.metrics.map(() => new Map<string, Float64Array>());
      let lr = lrAt(state.step);
      for (let bi = 0; bi < steps; bi++) {
        const n = Math.min(batchSize, trainView.size - bi * batchSize);
        const b: Batch = trainView.batch(order, bi * batchSize, n);
        lr = lrAt(state.step);
        const { loss, grads, stats, bufferUpdates } =
          pool.length > 0 && n > pool.length
            ? await parallelStep(pool, setup, store, trainable, rules, penaltyTargets, math, b)
            : trainStep(setup, store, trainable, rules, penaltyTargets, math, b);
        const lv = (await loss.data())[0]!;
        if (!Number.isFinite(lv)) {
          tf.dispose([loss, ...Object.values(grads), ...stats.flatMap((s) => Object.values(s)), ...bufferUpdates.values()]);
          stopped = 'non_finite_loss';
          const where = checkpoint ? `The last good checkpoint is ${checkpoint}.` : 'No checkpoint was written yet.';
          diagnostics.push(diag('DLM5052', [String(lv), epoch, bi + 1, where], spec.span));
          emit({ kind: 'stop', reason: 'non_finite_loss', epoch, message: diagnostics[diagnostics.length - 1]!.message });
          break;
        }
        optimizerStep(store, grads, rules.optimizer.def, rules.optimizer.args, math, lr, state.step + 1, rules.clip);
        store.applyBufferUpdates(bufferUpdates);
        state.step++;
        lossSum += lv * n;
        seen += n;
        await accumulate(sums, stats);
        tf.dispose([loss, ...stats.flatMap((s) => Object.values(s))]);
        const elapsed = (Date.now() - t0) / 1000;
        const rate = seen / Math.max(elapsed, 1e-3);
        emit({
          kind: 'batch',
          epoch,
          epochs,
          batch: bi + 1,
          batches: steps,
          samples: seen,
          samplesPerSecond: rate,
          etaSeconds: (trainView.size - seen) / rate,
          loss: lossSum / seen,
          metrics: finalizeMetrics(rules.metrics, sums, setup.classes ?? 0),
        });
      }
      if (stopped === 'non_finite_loss') break;

      const record: EpochRecord = {
        epoch,
        loss: lossSum / Math.max(1, seen),
        metrics: finalizeMetrics(rules.metrics, sums, setup.classes ?? 0),
        lr,
        seconds: 0,
      };
      if (evalView && evalView.size > 0) {
        const ev = await evaluateView(setup, store.map, evalView, rules, batchSize, math);
        record.val = { loss: ev.loss, metrics: ev.metrics };
        confusion = ev.confusion;
      }
      record.seconds = (Date.now() - t0) / 1000;
      state.history = [...state.history, record];
      state.epoch = epoch;
      state.rng = math.rngState();

      // Early stopping and the best value of the monitored quantity.
      let stopNow = false;
      const monitor = rules.earlyStopping?.monitor ?? (record.val ? 'val_loss' : 'loss');
      const value = monitorValue(record, monitor);
      const higher = higherIsBetter(monitor, rules);
      const minDelta = rules.earlyStopping?.minDelta ?? 0;
      const improved = state.best === undefined || (higher ? value > state.best.value + minDelta : value < state.best.value - minDelta);
      if (improved) {
        state.best = { monitor, value, epoch };
        state.wait = 0;
      } else {
        state.wait = (state.wait ?? 0) + 1;
        if (rules.earlyStopping && state.wait >= rules.earlyStopping.patience) stopNow = true;
      }

      checkpoint = await save(opts, store, state);
      emit({ kind: 'epoch', record, epochs, checkpoint, ...(confusion ? { confusion } : {}) });
      if (stopNow) {
        stopped = 'early_stopping';
        emit({ kind: 'stop', reason: 'early_stopping', epoch, message: `${monitor} has not improved for ${state.wait} epoch(s); best ${state.best!.value.toPrecision(4)} at epoch ${state.best!.epoch}` });
        break;
      }
    }
    if (stopped === 'completed') emit({ kind: 'stop', reason: 'completed', epoch: state.epoch });
  } finally {
    store.dispose();
    await Promise.all(pool.map((w) => w.close()));
  }
  return {
    result: { model: graph.name, backend, history: state.history, ...(checkpoint ? { checkpoint } : {}), stopped, ...(confusion ? { confusion } : {}) },
    diagnostics,
  };
}

function monitorValue(r: EpochRecord, monitor: string): number {
  if (monitor === 'loss') return r.loss;
  if (monitor === 'val_loss') return r.val?.loss ?? Number.NaN;
  if (monitor.startsWith('val_')) return r.val?.metrics[monitor.slice(4)] ?? Number.NaN;
  return r.metrics[monitor] ?? Number.NaN;
}

function higherIsBetter(monitor: string, rules: ResolvedRules): boolean {
  const name = monitor.replace(/^val_/, '');
  if (name === 'loss') return false;
  return rules.metrics.find((m) => m.name === name)?.def.higherIsBetter ?? false;
}

async function save(opts: TrainOptions, store: ParamStore, state: CheckpointState): Promise<string> {
  const weights = await store.weightsForCheckpoint();
  const optimizer = await store.slotsForCheckpoint();
  optimizer.set('step', { dtype: 'I64', shape: [], data: BigInt64Array.from([BigInt(state.step)]) });
  try {
    return await saveCheckpoint(opts.runDir, { weights, optimizer, state }, opts.keepLast !== undefined ? { keepLast: opts.keepLast } : {});
  } catch (e) {
    fail('DLM5064', [opts.runDir, e instanceof Error ? e.message : String(e)]);
  }
}

/**
 * One batch: augmentation (training only), forward, loss + penalties, gradients. Returns tensors
 * the caller must consume: the data loss, the gradients, the metric statistics and the buffer
 * updates.
 */
export function trainStep(
  setup: Setup,
  store: ParamStore,
  trainable: { name: string; v: tf.Variable }[],
  rules: ResolvedRules,
  penaltyTargets: PenaltyTarget[],
  math: TfjsMath,
  b: Batch,
): { loss: tf.Tensor; grads: Record<string, tf.Tensor>; stats: Record<string, tf.Tensor>[]; bufferUpdates: Map<string, tf.Tensor> } {
  const { x: x0, y } = batchTensors(b);
  let x = x0;
  if (rules.augmentations.length > 0) {
    x = tf.tidy(() => rules.augmentations.reduce((acc, a) => runRule('regularizer', a.def.name, () => a.def.augment(math, acc, a.args)), x0));
    x0.dispose();
  }
  let dataLoss: tf.Tensor | undefined;
  let stats: Record<string, tf.Tensor>[] = [];
  let bufferUpdates = new Map<string, tf.Tensor>();
  const seed = math.nextSeed();
  try {
    const { grads } = tf.variableGrads(() => {
      const r = setup.exec.run(store.map, { [setup.inputName]: x }, { training: true, seed });
      bufferUpdates = r.bufferUpdates;
      const out = r.outputs[setup.outputName]!;
      const loss = runRule('loss', rules.loss.def.name, () => rules.loss.def.compute(math, out, y, rules.loss.args));
      dataLoss = tf.keep(loss);
      stats = rules.metrics.map((m) => {
        const s = runRule('metric', m.name, () => m.def.batchStats(math, out, y, m.args, setup.classes ?? 0));
        for (const t of Object.values(s)) tf.keep(t);
        return s;
      });
      let total = loss;
      for (const { param, def, args } of penaltyTargets) {
        total = tf.add(total, runRule('regularizer', def.name, () => def.penalty(math, store.vars.get(param)!, args)));
      }
      return total as tf.Scalar;
    }, trainable.map((t) => t.v));
    const byName: Record<string, tf.Tensor> = {};
    for (const { name, v } of trainable) {
      const g = grads[v.name];
      if (g) byName[name] = g;
    }
    return { loss: dataLoss!, grads: byName, stats, bufferUpdates };
  } finally {
    x.dispose();
    y.dispose();
  }
}

/** Starts `workers - 1` shard workers; says why and trains on one thread when it cannot. */
async function startShardWorkers(opts: TrainOptions, backend: string, graph: Graph, setup: Setup, seed: number): Promise<ShardWorker[]> {
  const want = Math.max(1, Math.floor(opts.workers ?? 1));
  if (want === 1) return [];
  const why = backend === 'webgpu' ? 'it applies to the CPU backends (wasm, cpu), not webgpu' : !opts.pluginModules ? 'the caller did not say which plugin modules the workers must load' : undefined;
  if (why) {
    opts.log?.(`data-parallel training off: ${why}; training on one thread`);
    return [];
  }
  const init: WorkerInit = {
    graph,
    training: opts.training,
    inputName: setup.inputName,
    outputName: setup.outputName,
    ...(setup.classes !== undefined ? { classes: setup.classes } : {}),
    pluginUrls: opts.pluginModules!,
    seed,
  };
  const started = await Promise.allSettled(Array.from({ length: want - 1 }, () => ShardWorker.start(init)));
  const workers = started.filter((r): r is PromiseFulfilledResult<ShardWorker> => r.status === 'fulfilled').map((r) => r.value);
  const failed = started.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) {
    await Promise.all(workers.map((w) => w.close()));
    opts.log?.(`data-parallel training off: a worker could not start (${failed.reason instanceof Error ? failed.reason.message : String(failed.reason)}); training on one thread`);
    return [];
  }
  opts.log?.(`data-parallel training: each batch split over ${want} threads (single-threaded WASM in each worker)`);
  return workers;
}

/**
 * One batch split over the main thread and the workers. Returns the same tensors as trainStep,
 * combined weighted by shard size (every shard's loss is a mean, so this is the full batch's mean;
 * penalties are in every shard's gradient and the weights sum to one, so they count once).
 */
async function parallelStep(
  pool: ShardWorker[],
  setup: Setup,
  store: ParamStore,
  trainable: { name: string; v: tf.Variable }[],
  rules: ResolvedRules,
  penaltyTargets: PenaltyTarget[],
  math: TfjsMath,
  b: Batch,
): Promise<ReturnType<typeof trainStep>> {
  const shards = splitBatch(b, pool.length + 1);
  const n = b.xShape[0]!;
  const weights = shards.map((s) => s.xShape[0]! / n);
  const params = await Promise.all(store.graph.params.map(async (p) => (await store.vars.get(p.name)!.data()) as Float32Array | Int32Array));
  const seeds = shards.slice(1).map(() => math.nextSeed());
  const remote = shards.slice(1).map((sb, i) => pool[i]!.shard(params, sb, seeds[i]!));
  const local = trainStep(setup, store, trainable, rules, penaltyTargets, math, shards[0]!);
  let results: ShardResult[];
  try {
    results = await Promise.all(remote);
  } catch (e) {
    tf.dispose([local.loss, ...Object.values(local.grads), ...local.stats.flatMap((s) => Object.values(s)), ...local.bufferUpdates.values()]);
    if (isOutOfMemory(e)) throw e;
    throw new TrainingError([diag('DLM5067', [e instanceof Error ? e.message : String(e)])]);
  }
  const w0 = weights[0]!;
  const localLoss = (await local.loss.data())[0]!;
  const loss = tf.scalar(results.reduce((acc, r, k) => acc + weights[k + 1]! * r.loss, w0 * localLoss));
  const grads: Record<string, tf.Tensor> = {};
  trainable.forEach(({ name, v }, idx) => {
    grads[name] = tf.tidy(() => {
      let g = tf.mul(local.grads[name] ?? tf.zerosLike(v), w0);
      results.forEach((r, k) => (g = tf.add(g, tf.mul(tf.tensor(r.grads[idx]!, v.shape), weights[k + 1]!))));
      return g;
    });
  });
  // Metric statistics are sums over samples: add them up.
  const stats = local.stats.map((st, m) =>
    Object.fromEntries(Object.entries(st).map(([key, t]) => [key, tf.tidy(() => results.reduce((acc, r) => tf.add(acc, tf.tensor(r.stats[m]![key]!, t.shape)), t))])),
  );
  const bufferUpdates = new Map<string, tf.Tensor>();
  for (const [key, t] of local.bufferUpdates) {
    bufferUpdates.set(key, tf.keep(tf.tidy(() => results.reduce((acc, r, k) => tf.add(acc, tf.mul(tf.tensor(r.buffers[key]!, t.shape), weights[k + 1]!)), tf.mul(t, w0)))));
  }
  tf.dispose([local.loss, ...Object.values(local.grads), ...local.stats.flatMap((s) => Object.values(s)), ...local.bufferUpdates.values()]);
  return { loss, grads, stats, bufferUpdates };
}

export type PenaltyTarget = { param: string; def: ResolvedRules['penalties'][number]['def']; args: Args };

/**
 * Which penalty applies to which parameter: the train block's `regularize` penalties to every
 * trainable parameter (like PyTorch's weight_decay), plus each parameter's own (`{ weight:
 * regularizer l1(1e-5) }` in the model).
 */
export function penaltiesFor(graph: Graph, rules: ResolvedRules, registry: PluginRegistry): PenaltyTarget[] {
  const out: PenaltyTarget[] = [];
  for (const p of graph.params) {
    if (!p.trainable || p.buffer) continue;
    for (const r of rules.penalties) out.push({ param: p.name, def: r.def, args: r.args });
    for (const c of p.regularizers) {
      const def = resolve(registry, 'regularizer', c);
      if (def.kind === 'penalty') out.push({ param: p.name, def, args: withDefaults(def, c) });
    }
  }
  return out;
}

/** Runs plugin code; a throw becomes DLM5060 naming the plugin rule (tfjs and dlm errors pass through). */
function runRule<R>(kind: string, name: string, f: () => R): R {
  try {
    return f();
  } catch (e) {
    if (e instanceof DlmExecutionError || e instanceof TrainingError) throw e;
    throw new TrainingError([diag('DLM5060', [kind, name, e instanceof Error ? e.message : String(e)])]);
  }
}

// ───────────────────────────── evaluate / predict (CLI) ─────────────────────────────

export interface EvaluateOptions {
  program: Program;
  training: TrainingSpec;
  registry: PluginRegistry;
  backend?: BackendChoice;
  /** A checkpoint directory, or a run directory (its `last` checkpoint is used). */
  checkpoint: string;
  /** Run directory (for the default dataset cache `<runDir>/../.cache`); default: the checkpoint's parent. */
  runDir?: string;
  data?: PluginCall;
  /** See TrainOptions.sourceRoot. */
  sourceRoot?: string;
  split?: 'train' | 'test';
  limit?: number;
  cacheDir?: string;
  mirror?: string;
  log?: (message: string) => void;
}

/** Loads the checkpoint and evaluates loss, metrics and (classifiers) the confusion matrix on a split. */
export async function evaluate(opts: EvaluateOptions): Promise<PhaseResult<(EvalResult & { checkpoint: string }) | undefined>> {
  const warnings: Diagnostic[] = [];
  try {
    await startBackend(opts.backend);
    const spec = opts.training;
    if (spec.kind !== 'supervised') fail('DLM5061', ['evaluate works on supervised trainings; a GAN has no labels to evaluate against']);
    const graph = findModel(opts.program, spec.model, spec.span);
    const rules = resolveRules(opts.registry, { ...spec, regularizers: [] });
    const exec = createExecutor(graph);
    const dir = await resolveCheckpointDir(opts.checkpoint);
    const loaded = await loadCheckpoint(dir, graph);
    if (!loaded.result) throw new TrainingError(loaded.diagnostics);
    const dataCall = opts.data ?? spec.data;
    const { batch } = loaderArgs(withDefaults(resolve(opts.registry, 'dataset', dataCall), dataCall));
    const split = await openSplit(opts.registry, dataCall, opts.split ?? 'test', { runDir: opts.runDir ?? path.dirname(dir), ...pick(opts) });
    const view = SplitView.all(split, opts.limit);
    const setup = checkData(graph, exec, view, dataCall.name, dataCall.span);
    const w = checkLossFitsOutput(graph, setup.outputName, rules.loss.def, spec.loss.span);
    if (w) warnings.push(w);
    const store = new ParamStore(graph, valuesFromCheckpoint(loaded.result.weights));
    try {
      const r = await evaluateView(setup, store.map, view, rules, batch, createTfjsMath(0));
      return { result: { ...r, checkpoint: dir }, diagnostics: warnings };
    } finally {
      store.dispose();
    }
  } catch (e) {
    return { result: undefined, diagnostics: [...warnings, ...toDiagnostics(e)] };
  }
}

function pick(o: { cacheDir?: string; mirror?: string; log?: (m: string) => void; sourceRoot?: string }) {
  return { ...(o.cacheDir ? { cacheDir: o.cacheDir } : {}), ...(o.mirror ? { mirror: o.mirror } : {}), ...(o.log ? { log: o.log } : {}), ...(o.sourceRoot ? { sourceRoot: o.sourceRoot } : {}) };
}

/** A checkpoint directory as given, or the `last` one of a run directory. */
export async function resolveCheckpointDir(p: string): Promise<string> {
  const last = await lastCheckpoint(p);
  if (last) return last;
  const { promises: fs } = await import('node:fs');
  // `runs/<model>/last` itself: the pointer file names the epoch directory beside it.
  if ((await fs.stat(p).catch(() => undefined))?.isFile() && path.basename(p) === 'last') {
    const pointed = await lastCheckpoint(path.dirname(p));
    if (pointed) return pointed;
  }
  try {
    await fs.access(`${p}/state.json`);
    return p;
  } catch {
    fail('DLM5055', [p]);
  }
}

export interface PredictOptions {
  graph: Graph;
  /** Checkpoint or run directory. */
  checkpoint: string;
  /** One array per model input, batch-first. */
  inputs: Record<string, { data: Float32Array | Int32Array; shape: number[] }>;
  backend?: BackendChoice;
}

/** Runs the model in inference mode on given inputs with the checkpoint's weights. */
export async function predict(opts: PredictOptions): Promise<PhaseResult<Record<string, { data: Float32Array; shape: number[] }> | undefined>> {
  try {
    await startBackend(opts.backend);
    const dir = await resolveCheckpointDir(opts.checkpoint);
    const loaded = await loadCheckpoint(dir, opts.graph);
    if (!loaded.result) throw new TrainingError(loaded.diagnostics);
    const exec = createExecutor(opts.graph);
    const store = new ParamStore(opts.graph, valuesFromCheckpoint(loaded.result.weights));
    try {
      const outs = tf.tidy(() => {
        const ins: Record<string, tf.Tensor> = {};
        for (const [k, v] of Object.entries(opts.inputs)) ins[k] = tf.tensor(v.data, v.shape, v.data instanceof Int32Array ? 'int32' : 'float32');
        return exec.run(store.map, ins, { training: false }).outputs;
      });
      const result: Record<string, { data: Float32Array; shape: number[] }> = {};
      for (const [k, t] of Object.entries(outs)) {
        result[k] = { data: Float32Array.from((await t.data()) as Float32Array), shape: [...t.shape] };
      }
      tf.dispose(Object.values(outs));
      return { result, diagnostics: [] };
    } finally {
      store.dispose();
    }
  } catch (e) {
    return { result: undefined, diagnostics: toDiagnostics(e) };
  }
}

/**
 * The entry points of training: `train` (supervised or adversarial, one loop), `evaluate` and
 * `predict`, all against a `Runtime` the caller passes in. Nothing here touches the file system:
 * checkpoints go through a `CheckpointStore`, datasets open with the context the caller gives, and
 * data-parallel workers come from a `ShardPool` factory (the "./node" entry supplies all three).
 *
 * Phases of `train` (each failure is a diagnostic, returned, never a stack trace):
 *   1. resolve: the model graph(s), the train block's plugin calls and settings.
 *   2. data: open the dataset's splits; check shapes and labels against the model BEFORE any step.
 *   3. state: fresh parameters from core's seeded `initializeParams`, or the last checkpoint
 *      (`resume`: same epoch, optimizer slots, step counter and RNG state, so a resumed run ends
 *      with the same weights as an uninterrupted one on the same runtime).
 *   4. the loop (loop.ts) with the supervised or the adversarial step strategy.
 * The adversarial run is gan-trainer.ts; what both start from is run-setup.ts.
 */
import {
  diag,
  initializeParams,
  lossFitsOutput,
  DatasetError,
  type DatasetOpenContext,
  type Diagnostic,
  type Graph,
  type PhaseResult,
  type PluginCall,
  type PluginRegistry,
  type Program,
  type SafetensorsTensor,
  type TrainingSpec,
} from '@dlm/core';
import { ParamStore, SplitView, TrainingError, fail, isOutOfMemory, learningRate, loaderArgs, resolve, resolveRules, valuesFromCheckpoint, withDefaults, type Phase } from './common.js';
import { runLoop } from './loop.js';
import type { ConfusionReport, TrainEvent } from './progress.js';
import type { Runtime } from '@dlm/core';
import { preprocessingOf, type CheckpointStore, type EpochRecord } from './state.js';
import { checkData, checkProbabilityTargets, evaluateView, penaltiesFor, supervisedStrategy, type EvalResult, type ShardPool } from './supervised.js';
import { checkEngineRules, runWithEngine, type TrainingEngine } from './engine.js';
import { runGan } from './gan-trainer.js';
import { createRunner, findModel, freshState, lastCheckpoint, openSplit } from './run-setup.js';

// Part of this module's API before they moved to run-setup.ts (node/ imports them from here).
export { createRunner, findModel };

/** How a dataset is opened, apart from the split (the host knows its folders). */
export type DatasetContext = (call: PluginCall) => Omit<DatasetOpenContext, 'split'>;

/** What data-parallel workers need to compute shards of the supervised step. */
export interface ShardInit {
  graph: Graph;
  training: TrainingSpec;
  inputName: string;
  outputName: string;
  classes?: number;
  seed: number;
}

export interface TrainOptions<T = unknown> {
  runtime: Runtime<T>;
  program: Program;
  training: TrainingSpec;
  registry: PluginRegistry;
  /** Overrides the train block's `epochs`. */
  epochs?: number;
  /** Overrides the train block's `data` call (e.g. a local CSV instead of a download). */
  data?: PluginCall;
  /** Use only the first N samples of each split (CI slices, smoke tests). */
  limit?: { trainSamples?: number; testSamples?: number };
  datasetContext?: DatasetContext;
  /** Where checkpoints go; none: nothing is saved (and `resume` is refused). */
  checkpoints?: CheckpointStore;
  /** Continue from the store's last checkpoint. */
  resume?: boolean;
  /**
   * Fine-tune: start from these weights (checkpoint names, already checked against the model(s))
   * instead of initializing; optimizer state and history start fresh. Not with `resume`.
   */
  initWeights?: Map<string, SafetensorsTensor>;
  /** Starts data-parallel workers for a supervised run (none: one thread). */
  shardPool?: (init: ShardInit) => Promise<ShardPool | undefined>;
  /** Free-text messages (dataset downloads, resume notes). */
  log?: (message: string) => void;
  /** Aborting stops after the current step; the epoch in progress is dropped, earlier checkpoints stay (Ctrl-C). */
  signal?: AbortSignal;
  /** Structured progress; render with `consoleProgress(process.stderr)`. */
  progress?: (event: TrainEvent) => void;
  /** Awaited after every step (a web page yields to the browser here so it can redraw). */
  betweenSteps?: () => Promise<void>;
  /**
   * Another framework runs the optimizer steps (`@dlm/torch/node`'s torch engine); `runtime` then
   * only evaluates. Supervised trainings only.
   */
  engine?: TrainingEngine;
}

export interface TrainResult {
  model: string;
  backend: string;
  history: EpochRecord[];
  /** The last checkpoint written (or resumed from), if any. */
  checkpoint?: string;
  stopped: 'completed' | 'early_stopping' | 'non_finite_loss' | 'interrupted';
  /** Confusion matrix of the last evaluation (classifiers). */
  confusion?: ConfusionReport;
}

export async function train<T>(opts: TrainOptions<T>): Promise<PhaseResult<TrainResult | undefined>> {
  const warnings: Diagnostic[] = [];
  try {
    return opts.training.kind === 'gan' ? await runGan(opts) : await runSupervised(opts, warnings);
  } catch (e) {
    return { result: undefined, diagnostics: [...warnings, ...toDiagnostics(opts.runtime, e, 'training')] };
  }
}

/** User-facing errors → diagnostics; anything else is an internal bug and is rethrown. */
export function toDiagnostics(rt: Runtime<unknown>, e: unknown, phase: Phase = 'training'): Diagnostic[] {
  if (e instanceof TrainingError) return e.diagnostics;
  const located = rt.diagnose(e);
  if (located) return [located];
  // A dataset's own failures are named in openSplit; this is one from outside it (no name known).
  if (e instanceof DatasetError) return [diag('DLM5060', ['dataset', e.file ?? '?', e.message, phase])];
  if (isOutOfMemory(e)) return [diag('DLM5066', [rt.name, e instanceof Error ? e.message.split('\n')[0]! : String(e)])];
  throw e;
}

// ───────────────────────────── supervised ─────────────────────────────

async function runSupervised<T>(opts: TrainOptions<T>, warnings: Diagnostic[]): Promise<PhaseResult<TrainResult | undefined>> {
  const rt = opts.runtime;
  const spec = opts.training;
  const graph = findModel(opts.program, spec.model, spec.span);
  const rules = resolveRules(opts.registry, spec);
  const penaltyTargets = penaltiesFor(graph, rules, opts.registry);
  // Nothing runs when the engine cannot run the whole train block.
  if (opts.engine) checkEngineRules(opts.engine, spec, graph, rules, penaltyTargets);
  const runner = createRunner(rt, graph);
  const dataCall = opts.data ?? spec.data;
  const { batch: batchSize, shuffle } = loaderArgs(withDefaults(resolve(opts.registry, 'dataset', dataCall), dataCall));
  const epochs = opts.epochs ?? spec.epochs;

  // Data.
  let trainView = SplitView.all(await openSplit(opts.registry, dataCall, 'train', 'training', opts), opts.limit?.trainSamples);
  let evalView: SplitView | undefined;
  let evalSplit: 'validation' | 'test' = 'test';
  if (rules.validationSplit > 0) {
    const c = trainView.carve(rules.validationSplit, rules.seed);
    trainView = c.train;
    evalView = c.val;
    evalSplit = 'validation';
  } else {
    evalView = SplitView.all(await openSplit(opts.registry, dataCall, 'test', 'training', opts), opts.limit?.testSamples);
  }
  if (trainView.size === 0) fail('DLM5062', ['data', 'a dataset with training samples', 'an empty training split']);
  const setup = checkData(graph, runner, trainView, dataCall.name, dataCall.span ?? spec.span);
  checkProbabilityTargets(trainView, dataCall.name, { name: spec.loss.name, expects: rules.loss.def.expects }, spec.loss.span ?? spec.span);
  const w = lossFitsOutput(graph, rules.loss.def, spec.loss.name, spec.loss.span ?? spec.span);
  if (w) warnings.push(w);
  const monitors = ['loss', ...rules.metrics.map((m) => m.name), ...(evalView ? ['val_loss', ...rules.metrics.map((m) => `val_${m.name}`)] : [])];
  if (rules.earlyStopping && !monitors.includes(rules.earlyStopping.monitor)) fail('DLM5059', [rules.earlyStopping.monitor, monitors.join(', ')], rules.earlyStopping.span);

  // State.
  const math = rt.createMath(rules.seed);
  const hashes = opts.checkpoints ? { [graph.name]: opts.checkpoints.irHash(graph) } : {};
  let state = freshState(graph.name, hashes, math.rngState(), rules, { data: dataCall.name, batch: batchSize, seed: rules.seed });
  const preprocessing = preprocessingOf(setup.info);
  if (preprocessing) state.preprocessing = preprocessing;
  if (opts.engine) {
    const resumed = opts.resume ? await lastCheckpoint(opts, [graph]) : undefined;
    if (resumed) {
      state = { ...resumed.data.state, optimizer: state.optimizer, ...(preprocessing ? { preprocessing } : {}) };
      math.setRngState(state.rng);
      opts.log?.(`resuming from ${resumed.dir} (epoch ${state.epoch}, step ${state.step})`);
    }
    const r = await runWithEngine({
      rt,
      engine: opts.engine,
      setup,
      rules,
      penalties: penaltyTargets,
      math,
      train: trainView,
      ...(evalView ? { evalView } : {}),
      batchSize,
      shuffle,
      epochs,
      state,
      ...(resumed ? { resumed } : {}),
      ...(opts.initWeights ? { initWeights: opts.initWeights } : {}),
      loop: {
        eval: { samples: evalView?.size ?? 0, split: evalSplit },
        ...(opts.checkpoints ? { checkpoints: opts.checkpoints } : {}),
        monitors,
        ...(spec.span ? { span: spec.span } : {}),
        ...(opts.progress ? { progress: opts.progress } : {}),
        ...(opts.signal ? { signal: opts.signal } : {}),
        higherIsBetter: (monitor) => higherIsBetter(rules, monitor),
      },
    });
    return {
      result: { model: graph.name, backend: opts.engine.name, history: r.history, ...(r.checkpoint ? { checkpoint: r.checkpoint } : {}), stopped: r.stopped, ...(r.confusion ? { confusion: r.confusion } : {}) },
      diagnostics: [...warnings, ...r.diagnostics],
    };
  }
  let store: ParamStore<T>;
  let resumedFrom: string | undefined;
  if (opts.resume) {
    const last = await lastCheckpoint(opts, [graph]);
    store = new ParamStore(rt, graph, valuesFromCheckpoint(last.data.weights));
    store.initSlots(rules.optimizer.def, rules.optimizer.args, math);
    store.restoreSlots(last.data.optimizer);
    state = { ...last.data.state, optimizer: state.optimizer, ...(preprocessing ? { preprocessing } : {}) };
    math.setRngState(state.rng);
    resumedFrom = last.dir;
    opts.log?.(`resuming from ${last.dir} (epoch ${state.epoch}, step ${state.step})`);
  } else {
    store = new ParamStore(rt, graph, opts.initWeights ? valuesFromCheckpoint(opts.initWeights) : initializeParams(graph, rules.seed));
    store.initSlots(rules.optimizer.def, rules.optimizer.args, math);
  }
  const pool = opts.shardPool ? await opts.shardPool({ graph, training: spec, inputName: setup.inputName, outputName: setup.outputName, ...(setup.classes !== undefined ? { classes: setup.classes } : {}), seed: rules.seed }) : undefined;
  try {
    const strategy = supervisedStrategy({ rt, setup, store, rules, penalties: penaltyTargets, math, ...(evalView ? { evalView } : {}), batchSize, ...(pool ? { pool } : {}) });
    const r = await runLoop({
      backend: rt.name,
      strategy,
      rules,
      baseLr: learningRate(rules.optimizer),
      train: trainView,
      batchSize,
      shuffle,
      epochs,
      state,
      ...(resumedFrom ? { resumedFrom } : {}),
      eval: { samples: evalView?.size ?? 0, split: evalSplit },
      ...(opts.checkpoints ? { checkpoints: opts.checkpoints } : {}),
      monitors,
      ...(spec.span ? { span: spec.span } : {}),
      ...(opts.progress ? { progress: opts.progress } : {}),
      ...(opts.betweenSteps ? { betweenSteps: opts.betweenSteps } : {}),
      ...(opts.signal ? { signal: opts.signal } : {}),
      rngState: () => math.rngState(),
      higherIsBetter: (monitor) => higherIsBetter(rules, monitor),
    });
    return {
      result: { model: graph.name, backend: rt.name, history: r.history, ...(r.checkpoint ? { checkpoint: r.checkpoint } : {}), stopped: r.stopped, ...(r.confusion ? { confusion: r.confusion } : {}) },
      diagnostics: [...warnings, ...r.diagnostics],
    };
  } finally {
    store.dispose();
    await pool?.close();
  }
}

function higherIsBetter(rules: ReturnType<typeof resolveRules>, monitor: string): boolean {
  const name = monitor.replace(/^val_/, '');
  return name !== 'loss' && (rules.metrics.find((m) => m.name === name)?.def.higherIsBetter ?? false);
}

// ───────────────────────────── evaluate / predict ─────────────────────────────

export interface EvaluateOptions<T = unknown> {
  runtime: Runtime<T>;
  program: Program;
  training: TrainingSpec;
  registry: PluginRegistry;
  /** The checkpoint's weights (see `@dlm/train/node`'s `readWeights`). */
  weights: Map<string, SafetensorsTensor>;
  data?: PluginCall;
  datasetContext?: DatasetContext;
  split?: 'train' | 'test';
  limit?: number;
  log?: (message: string) => void;
}

/** Evaluates loss, metrics and (classifiers) the confusion matrix on a split with given weights. */
export async function evaluate<T>(opts: EvaluateOptions<T>): Promise<PhaseResult<EvalResult | undefined>> {
  const rt = opts.runtime;
  const warnings: Diagnostic[] = [];
  try {
    const spec = opts.training;
    if (spec.kind !== 'supervised') fail('DLM5061', ['evaluate works on supervised trainings; a GAN has no labels to evaluate against']);
    const graph = findModel(opts.program, spec.model, spec.span);
    const rules = resolveRules(opts.registry, { ...spec, regularizers: [] }, 'evaluating');
    const runner = createRunner(rt, graph);
    const dataCall = opts.data ?? spec.data;
    const { batch } = loaderArgs(withDefaults(resolve(opts.registry, 'dataset', dataCall), dataCall));
    const split = await openSplit(opts.registry, dataCall, opts.split ?? 'test', 'evaluating', opts);
    const view = SplitView.all(split, opts.limit);
    const setup = checkData(graph, runner, view, dataCall.name, dataCall.span);
    const w = lossFitsOutput(graph, rules.loss.def, spec.loss.name, spec.loss.span);
    if (w) warnings.push(w);
    const store = new ParamStore(rt, graph, valuesFromCheckpoint(opts.weights));
    try {
      return { result: await evaluateView(rt, setup, store.map, view, rules, batch, rt.createMath(0)), diagnostics: warnings };
    } finally {
      store.dispose();
    }
  } catch (e) {
    return { result: undefined, diagnostics: [...warnings, ...toDiagnostics(rt, e, 'evaluating')] };
  }
}

export interface PredictOptions<T = unknown> {
  runtime: Runtime<T>;
  graph: Graph;
  weights: Map<string, SafetensorsTensor>;
  /** One array per model input, batch-first. */
  inputs: Record<string, { data: Float32Array | Int32Array; shape: number[] }>;
}

/** Runs the model in inference mode on given inputs with the given weights. */
export async function predict<T>(opts: PredictOptions<T>): Promise<PhaseResult<Record<string, { data: Float32Array; shape: number[] }> | undefined>> {
  const rt = opts.runtime;
  try {
    const runner = createRunner(rt, opts.graph);
    const store = new ParamStore(rt, opts.graph, valuesFromCheckpoint(opts.weights));
    try {
      const outs = rt.tidy(() => {
        const ins: Record<string, T> = {};
        for (const [k, v] of Object.entries(opts.inputs)) ins[k] = rt.tensor(v.data, v.shape);
        return runner.run(store.map, ins, { training: false }).outputs;
      });
      const result: Record<string, { data: Float32Array; shape: number[] }> = {};
      for (const [k, t] of Object.entries(outs)) result[k] = { data: Float32Array.from((await rt.read(t)) as Float32Array), shape: rt.shape(t) };
      rt.dispose(Object.values(outs));
      return { result, diagnostics: [] };
    } finally {
      store.dispose();
    }
  } catch (e) {
    return { result: undefined, diagnostics: toDiagnostics(rt, e) };
  }
}

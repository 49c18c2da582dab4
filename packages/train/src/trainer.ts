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
 */
import {
  diag,
  formatShape,
  initializeParams,
  lossFitsOutput,
  DatasetError,
  type DatasetOpenContext,
  type DatasetSplit,
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
import { checkRange, fixedDims, ganIo, ganStrategy, type Side } from './gan.js';
import { runLoop } from './loop.js';
import type { ConfusionReport, TrainEvent } from './progress.js';
import type { GraphRunner, Runtime } from '@dlm/core';
import { CHECKPOINT_FORMAT, preprocessingOf, type CheckpointState, type CheckpointStore, type EpochRecord } from './state.js';
import { checkData, checkProbabilityTargets, evaluateView, penaltiesFor, supervisedStrategy, type EvalResult, type ShardPool } from './supervised.js';
import { checkEngineRules, runWithEngine, type TrainingEngine } from './engine.js';
import { runGanWithEngine } from './gan-engine.js';

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

export function findModel(program: Program, name: string, span?: Diagnostic['span']): Graph {
  const g = program.models.find((m) => m.name === name);
  if (!g) fail('DLM5056', [name], span);
  return g;
}

export function createRunner<T>(rt: Runtime<T>, graph: Graph): GraphRunner<T> {
  const { result, diagnostics } = rt.createRunner(graph);
  if (!result) throw new TrainingError(diagnostics);
  return result;
}

/**
 * Opens one split of the dataset `call` names. A failure to open it (a missing file, a failed
 * download: a DatasetError) is DLM5060 naming the dataset and what the command was doing.
 */
async function openSplit(registry: PluginRegistry, call: PluginCall, split: 'train' | 'test', phase: Phase, opts: { datasetContext?: DatasetContext; log?: (m: string) => void }): Promise<DatasetSplit> {
  const def = resolve(registry, 'dataset', call, phase);
  const ctx = opts.datasetContext?.(call) ?? { cacheDir: '.cache', log: opts.log ?? (() => {}) };
  let opened: DatasetSplit;
  try {
    opened = await def.open(withDefaults(def, call), { ...ctx, split });
  } catch (e) {
    if (e instanceof DatasetError) fail('DLM5060', ['dataset', call.name, `${e.message} (opening the ${split} split)`, phase], call.span);
    throw e;
  }
  // `open` is guarded like all plugin code; the split it returns is plugin code too: a throwing
  // `slice()` is DLM5060 naming the dataset, not an internal error of dlm.
  return new Proxy(opened, {
    get(target, prop) {
      const v: unknown = Reflect.get(target, prop, target);
      if (prop !== 'slice' || typeof v !== 'function') return v;
      return (start: number, count: number) => {
        try {
          return (v as DatasetSplit['slice']).call(target, start, count);
        } catch (e) {
          if (e instanceof TrainingError || isOutOfMemory(e)) throw e;
          fail('DLM5060', ['dataset', call.name, `${e instanceof Error ? e.message : String(e)} (in slice(${start}, ${count}) of the ${split} split)`, phase], call.span);
        }
      };
    },
  });
}

function freshState(model: string, hashes: Record<string, string>, rng: { seed: number; counter: number }, rules: ReturnType<typeof resolveRules>, info: Record<string, unknown>): CheckpointState {
  return { format: CHECKPOINT_FORMAT, model, irHash: hashes, epoch: 0, step: 0, rng, history: [], optimizer: { name: rules.optimizer.def.name, args: rules.optimizer.args }, info };
}

async function lastCheckpoint<T>(opts: TrainOptions<T>, graphs: Graph[]) {
  if (!opts.checkpoints) fail('DLM5055', ['(no run folder)']);
  const last = await opts.checkpoints.last(graphs);
  if (!last) fail('DLM5055', [opts.checkpoints.location]);
  return last;
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

// ───────────────────────────── adversarial ─────────────────────────────

async function runGan<T>(opts: TrainOptions<T>): Promise<PhaseResult<TrainResult | undefined>> {
  const rt = opts.runtime;
  const spec = opts.training;
  if (!spec.generator || !spec.discriminator) fail('DLM5061', ['the train block must name a generator and a discriminator'], spec.span);
  const gGraph = findModel(opts.program, spec.generator, spec.span);
  const dGraph = findModel(opts.program, spec.discriminator, spec.span);
  const gio = ganIo(gGraph, 'generator');
  const dio = ganIo(dGraph, 'discriminator');
  const noiseShape = fixedDims(gGraph.inputs[0]!.type.shape.slice(1));
  if (!noiseShape) fail('DLM5061', [`the generator's input ${formatShape(gGraph.inputs[0]!.type.shape)} must have fixed dims after the batch dim (the noise shape)`], gGraph.span);
  const fakeShape = gGraph.outputs[0]!.type.shape.slice(1);
  const dIn = dGraph.inputs[0]!.type.shape.slice(1);
  if (formatShape(fakeShape) !== formatShape(dIn)) {
    fail('DLM5061', [`the generator makes ${formatShape(gGraph.outputs[0]!.type.shape)} but the discriminator takes ${formatShape(dGraph.inputs[0]!.type.shape)}`], spec.span);
  }
  const dOut = dGraph.outputs[0]!.type.shape;
  if (dOut.length !== 2 || dOut[1] !== 1) fail('DLM5061', [`the discriminator must output one value per sample ([batch, 1]), not ${formatShape(dOut)}`], dGraph.span);

  const rules = resolveRules(opts.registry, { ...spec, metrics: [], regularizers: [] });
  // Nothing runs when the engine cannot run the whole train block.
  if (opts.engine) {
    const problems = opts.engine.check(spec, gGraph, dGraph);
    if (!opts.engine.startGan) problems.push(diag('DLM6107', [`adversarial (GAN) training runs only in the tfjs engine, not the ${opts.engine.name} engine`], spec.span));
    if (problems.length > 0) throw new TrainingError(problems);
  }
  const dataCall = opts.data ?? spec.data;
  const { batch: batchSize, shuffle } = loaderArgs(withDefaults(resolve(opts.registry, 'dataset', dataCall), dataCall));
  const epochs = opts.epochs ?? spec.epochs;
  const view = SplitView.all(await openSplit(opts.registry, dataCall, 'train', 'training', opts), opts.limit?.trainSamples);
  const info = view.split.info;
  if (formatShape(info.inputShape) !== formatShape(dIn)) {
    fail('DLM5054', [dataCall.name, formatShape(info.inputShape), dGraph.name, dio.input, formatShape(dGraph.inputs[0]!.type.shape)], dataCall.span ?? spec.span);
  }
  if (view.size === 0) fail('DLM5062', ['data', 'a dataset with training samples', 'an empty training split']);
  const warnings = checkRange(gGraph, gio.output, view, dataCall.name, dataCall.span ?? spec.span);

  const math = rt.createMath(rules.seed);
  const hashes = opts.checkpoints ? { [gGraph.name]: opts.checkpoints.irHash(gGraph), [dGraph.name]: opts.checkpoints.irHash(dGraph) } : {};
  let state = freshState(`${gGraph.name}+${dGraph.name}`, hashes, math.rngState(), rules, { data: dataCall.name, batch: batchSize, seed: rules.seed, kind: 'gan' });
  const writeSamples = opts.checkpoints?.writeSamples?.bind(opts.checkpoints);
  if (opts.engine) {
    const resumed = opts.resume ? await lastCheckpoint(opts, [gGraph, dGraph]) : undefined;
    if (resumed) {
      state = { ...resumed.data.state, optimizer: state.optimizer };
      math.setRngState(state.rng);
      opts.log?.(`resuming from ${resumed.dir} (epoch ${state.epoch}, step ${state.step})`);
    }
    const r = await runGanWithEngine({
      rt,
      engine: opts.engine,
      G: { graph: gGraph, runner: createRunner(rt, gGraph), ...gio, prefix: `${gGraph.name}/` },
      D: { graph: dGraph, ...dio, prefix: `${dGraph.name}/` },
      noiseShape,
      rules,
      math,
      train: view,
      batchSize,
      shuffle,
      epochs,
      state,
      ...(resumed ? { resumed } : {}),
      ...(opts.initWeights ? { initWeights: opts.initWeights } : {}),
      ...(writeSamples ? { writeSamples } : {}),
      loop: {
        ...(opts.checkpoints ? { checkpoints: opts.checkpoints } : {}),
        ...(spec.span ? { span: spec.span } : {}),
        ...(opts.progress ? { progress: opts.progress } : {}),
        ...(opts.signal ? { signal: opts.signal } : {}),
        rngState: () => math.rngState(),
      },
    });
    return {
      result: { model: `${gGraph.name}+${dGraph.name}`, backend: opts.engine.name, history: r.history, ...(r.checkpoint ? { checkpoint: r.checkpoint } : {}), stopped: r.stopped },
      diagnostics: [...warnings, ...r.diagnostics],
    };
  }
  let resumedFrom: string | undefined;
  const sides: Side<T>[] = [];
  const make = (graph: Graph, io: { input: string; output: string }, values: Map<string, Float32Array | Int32Array>): Side<T> => {
    const store = new ParamStore(rt, graph, values);
    sides.push({ graph, runner: createRunner(rt, graph), store, ...io, prefix: `${graph.name}/` });
    store.initSlots(rules.optimizer.def, rules.optimizer.args, math);
    return sides[sides.length - 1]!;
  };
  try {
    let G: Side<T>;
    let D: Side<T>;
    if (opts.resume) {
      const last = await lastCheckpoint(opts, [gGraph, dGraph]);
      G = make(gGraph, gio, valuesFromCheckpoint(last.data.weights, `${gGraph.name}/`));
      D = make(dGraph, dio, valuesFromCheckpoint(last.data.weights, `${dGraph.name}/`));
      G.store.restoreSlots(last.data.optimizer, G.prefix);
      D.store.restoreSlots(last.data.optimizer, D.prefix);
      state = { ...last.data.state, optimizer: state.optimizer };
      math.setRngState(state.rng);
      resumedFrom = last.dir;
    } else {
      // Different seeds per model so G and D do not start from correlated weights.
      G = make(gGraph, gio, opts.initWeights ? valuesFromCheckpoint(opts.initWeights, `${gGraph.name}/`) : initializeParams(gGraph, rules.seed));
      D = make(dGraph, dio, opts.initWeights ? valuesFromCheckpoint(opts.initWeights, `${dGraph.name}/`) : initializeParams(dGraph, rules.seed + 1));
    }
    const strategy = ganStrategy({ rt, rules, math, G, D, noiseShape, ...(writeSamples ? { writeSamples } : {}) });
    const r = await runLoop({
      backend: rt.name,
      strategy,
      rules,
      baseLr: learningRate(rules.optimizer),
      train: view,
      batchSize,
      shuffle,
      epochs,
      state,
      ...(resumedFrom ? { resumedFrom } : {}),
      ...(opts.checkpoints ? { checkpoints: opts.checkpoints } : {}),
      ...(spec.span ? { span: spec.span } : {}),
      ...(opts.progress ? { progress: opts.progress } : {}),
      ...(opts.betweenSteps ? { betweenSteps: opts.betweenSteps } : {}),
      ...(opts.signal ? { signal: opts.signal } : {}),
      rngState: () => math.rngState(),
      higherIsBetter: () => false,
    });
    return {
      result: { model: strategy.model, backend: rt.name, history: r.history, ...(r.checkpoint ? { checkpoint: r.checkpoint } : {}), stopped: r.stopped },
      diagnostics: [...warnings, ...r.diagnostics],
    };
  } finally {
    for (const s of sides) s.store.dispose();
  }
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

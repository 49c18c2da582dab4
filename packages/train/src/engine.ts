/**
 * Training engines: another framework (the torch engine, `@dlm/torch/node`) runs the optimizer
 * steps while everything around them stays dlm's one loop (loop.ts): the seeded per-epoch order,
 * progress events, the non-finite-loss stop, evaluation with dlm's metrics, early stopping and
 * checkpoints through the same `CheckpointStore`. So a run folder never depends on the engine.
 *
 * The engine receives a plan in plain data (core types only, so an engine package needs no
 * dependency on this one) and streams one outcome per step, in order; at each epoch's end it hands
 * back the weights and optimizer slots in dlm's checkpoint names and layouts.
 */
import { diag, initializeParams, type Args, type DatasetSplit, type Diagnostic, type Graph, type SafetensorsTensor, type TrainingSpec } from '@dlm/core';
import { TrainingError, valuesFromCheckpoint, ParamStore, learningRate, permutation, type ResolvedRules, type SplitView } from './common.js';
import { runLoop, type LoopOptions, type LoopResult, type StepOutcome, type StepStrategy } from './loop.js';
import type { CheckpointData, CheckpointState } from './state.js';
import type { Runtime, SeededMath } from '@dlm/core';
import { evaluateView, metricsOfOutputs, type PenaltyTarget, type Setup } from './supervised.js';

/** What every engine plan holds: the data, the loop's order and schedule, the rules and the starting tensors. */
export interface EngineRunPlan {
  /** The training samples in the loop's position order (`orders` index into it). */
  train: DatasetSplit;
  batchSize: number;
  /** The first epoch to run (1, or one past the resumed checkpoint) and the last. */
  firstEpoch: number;
  epochs: number;
  /** Optimizer steps already taken (the schedule's step counter). */
  startStep: number;
  /** The loop's sample order of an epoch (positions in `train`); undefined: 0..size-1. */
  order(epoch: number): Int32Array | undefined;
  seed: number;
  loss: { name: string; args: Args };
  optimizer: { name: string; args: Args };
  /** The optimizer's base learning rate (before the schedule). */
  lr: number;
  schedule?: { name: string; args: Args };
  clip?: number;
  /** Starting weights (fresh or resumed), dlm's checkpoint names and layouts. */
  weights: Map<string, SafetensorsTensor>;
  /** Optimizer slots `<param>/<slot>` of a resumed run; undefined for a fresh one. */
  optimizerSlots?: Map<string, SafetensorsTensor>;
  /**
   * The run folder the checkpoints go to (the store's `location`: the folder this run holds, which
   * may be beside the one asked for); an engine keeps its scratch files there. Undefined without checkpoints.
   */
  runDir?: string;
}

/** Everything an engine needs to run the steps of a supervised run, as plain data. */
export interface EnginePlan extends EngineRunPlan {
  graph: Graph;
  inputName: string;
  penalties: { param: string; name: string; args: Args }[];
  /** Record each epoch's training-mode outputs (one row per position of the order) for dlm's training metrics. */
  recordOutputs: boolean;
  /** The train block's augmentations in order (applied to each training batch before the forward pass); `torch` is a plugin's declared twin. */
  augmentations: { name: string; args: Args; torch?: string }[];
}

/**
 * Everything an engine needs to run the steps of an adversarial run (gan.ts's step: a D step on
 * real and fake images, then a G step against the updated D, one optimizer per model). Weights and
 * optimizer slots carry the models' prefixes (`<model>/<param>`), as in dlm's GAN checkpoints.
 */
export interface GanEnginePlan extends EngineRunPlan {
  generator: { graph: Graph; input: string; output: string };
  discriminator: { graph: Graph; input: string; output: string };
  /** G's input per sample (the noise z ~ N(0, 1) is drawn by the engine). */
  noiseShape: number[];
}

/** What an engine's step stream says, one per optimizer step (`parts`: a GAN's d_loss and g_loss). */
export type EngineStep = { loss: number; parts?: Record<string, number> } | { nonFinite: number; who?: string };

export interface EngineRun {
  /** The next step's outcome; rejects with a TrainingError when the engine fails. */
  nextStep(): Promise<EngineStep>;
  /** Weights and optimizer slots after `epoch` (dlm's names and layouts), once the engine has written them. */
  epochTensors(epoch: number): Promise<{
    weights: Map<string, SafetensorsTensor>;
    optimizer: Map<string, SafetensorsTensor>;
  }>;
  /** The outputs recorded in `epoch` (see `EnginePlan.recordOutputs`); undefined when the engine could not record them. */
  epochOutputs?(epoch: number): Promise<Float32Array | undefined>;
  /**
   * Stops the engine (early stopping, Ctrl-C, an error) or waits for its clean exit. `finished`:
   * the loop ended by itself (completed, early stopping, a non-finite loss) rather than by Ctrl-C
   * or an error, so the engine may drop what it keeps only for a resume (the torch engine's
   * dataset shards).
   */
  close(outcome?: { finished: boolean }): Promise<void>;
}

export interface TrainingEngine {
  /** `torch`: shown as the run's backend. */
  readonly name: string;
  /** Everything this engine cannot run in `spec` for its model(s) (located diagnostics), before anything runs. */
  check(spec: TrainingSpec, graph: Graph, ...more: Graph[]): Diagnostic[];
  /** The diagnostic when the engine cannot run penalty `name` (no twin), located at `span`; absent: it runs every penalty. */
  checkPenalty?(name: string, span?: Diagnostic['span']): Diagnostic | undefined;
  /** Whether the engine can run this augmentation (the torch engine: it has a Python twin); absent: it runs none. */
  runsAugmentation?(def: { name: string; torch?: string }): boolean;
  /** Why the engine records no training-mode outputs of `graph` (so no training metrics); undefined when it does. */
  noTrainingMetrics?(graph: Graph): string | undefined;
  start(plan: EnginePlan): Promise<EngineRun>;
  /** Adversarial training; absent: the engine runs supervised trainings only. */
  startGan?(plan: GanEnginePlan): Promise<EngineRun>;
}

/** Refuses what the loop would need from the engine but engines do not report (see docs/training.md). */
export function checkEngineRules(engine: TrainingEngine, spec: TrainingSpec, graph: Graph, rules: ResolvedRules, penalties: readonly PenaltyTarget[] = []): void {
  const problems = [...engine.check(spec, graph)];
  // One diagnostic per penalty call (the train block's applies to every parameter).
  const calls = new Map<string, PenaltyTarget>();
  for (const t of penalties) calls.set(`${t.def.name}@${t.span ? `${t.span.file}:${t.span.start}` : ''}`, t);
  for (const t of calls.values()) {
    const d = engine.checkPenalty?.(t.def.name, t.span ?? spec.span);
    if (d) problems.push(d);
  }
  for (const a of rules.augmentations) {
    if (!engine.runsAugmentation?.(a.def)) {
      problems.push(diag('DLM6107', [`the augmentation '${a.def.name}' has no twin in the ${engine.name} engine (a plugin's augmentation declares its PyTorch twin in its 'torch' field)`], a.span ?? spec.span));
    }
  }
  const es = rules.earlyStopping;
  if (es && es.monitor !== 'loss' && !es.monitor.startsWith('val_')) {
    const why = engine.noTrainingMetrics ? engine.noTrainingMetrics(graph) : 'it does not compute training metrics';
    if (why) problems.push(diag('DLM6107', [`early stopping monitors the training metric '${es.monitor}', which the ${engine.name} engine cannot compute here: ${why} (monitor loss or a val_ quantity)`], es.span ?? spec.span));
  }
  if (problems.length > 0) throw new TrainingError(problems);
}

export interface EngineStrategyOptions<T> {
  rt: Runtime<T>;
  run: EngineRun;
  setup: Setup<T>;
  rules: ResolvedRules;
  math: SeededMath<T>;
  evalView?: SplitView;
  train: SplitView;
  order: (epoch: number) => Int32Array | undefined;
  batchSize: number;
  firstEpoch: number;
}

/** The loop's step strategy over an engine: steps come from the engine, evaluation is dlm's own. */
export function engineStrategy<T>(o: EngineStrategyOptions<T>): StepStrategy {
  let epoch = o.firstEpoch - 1;
  let metrics: Record<string, number> = {};
  return {
    model: o.setup.graph.name,
    readsBatches: false,
    startEpoch() {
      epoch++;
      metrics = {};
    },
    async endEpoch() {
      if (o.rules.metrics.length === 0 || !o.run.epochOutputs) return;
      const outputs = await o.run.epochOutputs(epoch).catch(rethrow);
      if (outputs) metrics = await metricsOfOutputs(o.rt, o.setup, o.rules, o.math, o.train, o.order(epoch), outputs, o.batchSize);
    },
    async step(): Promise<StepOutcome> {
      const s = await o.run.nextStep().catch(rethrow);
      return 'nonFinite' in s ? { nonFinite: s.nonFinite, ...(s.who ? { who: s.who } : {}) } : { loss: s.loss };
    },
    // Training metrics come at the epoch's end, from the outputs the engine recorded.
    running: () => ({ metrics }),
    ...(o.evalView
      ? {
          async evaluate() {
            const { weights } = await o.run.epochTensors(epoch).catch(rethrow);
            const store = new ParamStore(o.rt, o.setup.graph, valuesFromCheckpoint(weights));
            try {
              return await evaluateView(o.rt, o.setup, store.map, o.evalView!, o.rules, o.batchSize, o.math);
            } finally {
              store.dispose();
            }
          },
        }
      : {}),
    tensors: async () => {
      const t = await o.run.epochTensors(epoch).catch(rethrow);
      return { weights: t.weights, optimizer: await withInitialSlots(o.rt, o.setup.graph, o.rules, o.math, t) };
    },
  };
}

/**
 * The engine's optimizer slots completed with the optimizer's initial slots (its own `initSlots`,
 * as the tfjs trainer creates them before the first step) for every trainable parameter that has
 * none: an engine keeps no state for a parameter that never got a gradient (torch.optim), but the
 * checkpoint must hold every slot the tfjs engine expects, or it cannot resume the run (DLM5051).
 */
export async function withInitialSlots<T>(
  rt: Runtime<T>,
  graph: Graph,
  rules: Pick<ResolvedRules, 'optimizer'>,
  math: SeededMath<T>,
  t: { weights: Map<string, SafetensorsTensor>; optimizer: Map<string, SafetensorsTensor> },
  prefix = '',
): Promise<Map<string, SafetensorsTensor>> {
  const out = new Map(t.optimizer);
  for (const p of graph.params) {
    if (!p.trainable || p.buffer) continue;
    const name = prefix + p.name;
    if ([...out.keys()].some((k) => k.startsWith(`${name}/`))) continue;
    const w = t.weights.get(name);
    if (!w) continue;
    const slots = rt.tidy(() => rules.optimizer.def.initSlots(math, rt.tensor(w.data as Float32Array, w.shape), rules.optimizer.args));
    for (const [slot, v] of Object.entries(slots)) {
      out.set(`${name}/${slot}`, { dtype: 'F32', shape: rt.shape(v), data: Float32Array.from((await rt.read(v)) as Float32Array) });
    }
    rt.dispose(Object.values(slots));
  }
  return out;
}

/** An engine's failure that carries diagnostics (its processes stopped) is the user's run failing, not a bug of dlm. */
export function rethrow(e: unknown): never {
  const d = (e as { diagnostics?: unknown } | null)?.diagnostics;
  if (Array.isArray(d) && !(e instanceof TrainingError)) throw new TrainingError(d as Diagnostic[]);
  throw e;
}

/** A model's freshly initialized parameters (core's seeded initializers) as checkpoint tensors, names prefixed by `prefix`. */
export function freshTensors(graph: Graph, seed: number, prefix = ''): Map<string, SafetensorsTensor> {
  return new Map(
    [...initializeParams(graph, seed)].map(([name, data]) => {
      const p = graph.params.find((q) => q.name === name)!;
      return [prefix + name, { dtype: data instanceof Int32Array ? 'I32' : 'F32', shape: p.type.shape as number[], data } as SafetensorsTensor];
    }),
  );
}

/** A checkpoint's optimizer slots without the step counter (the plan carries the step). */
export function resumedSlots(data: CheckpointData): Map<string, SafetensorsTensor> {
  return new Map([...data.optimizer].filter(([k]) => k !== 'step'));
}

/** The engine's view of penalties: which penalty applies to which parameter, by name. */
export function enginePenalties(targets: readonly PenaltyTarget[]): EnginePlan['penalties'] {
  return targets.map((t) => ({
    param: t.param,
    name: t.def.name,
    args: t.args,
  }));
}

/** A SplitView as a DatasetSplit in position order (what engines write to their own storage). */
export function viewAsSplit(view: SplitView): DatasetSplit {
  return {
    info: view.split.info,
    size: view.size,
    slice: (start, count) => view.batch(undefined, start, count),
  };
}

export interface EngineRunOptions<T> {
  rt: Runtime<T>;
  engine: TrainingEngine;
  setup: Setup<T>;
  rules: ResolvedRules;
  penalties: readonly PenaltyTarget[];
  math: SeededMath<T>;
  train: SplitView;
  evalView?: SplitView;
  batchSize: number;
  shuffle: boolean;
  epochs: number;
  state: CheckpointState;
  /** The checkpoint to continue from (`--resume`). */
  resumed?: { dir: string; data: CheckpointData };
  /** Fine-tuning: the starting weights (checkpoint names) instead of fresh ones. */
  initWeights?: Map<string, SafetensorsTensor>;
  /** Everything else of the loop (progress, checkpoints, monitors, signal…). */
  loop: Omit<LoopOptions, 'strategy' | 'rules' | 'baseLr' | 'train' | 'batchSize' | 'shuffle' | 'epochs' | 'state' | 'rngState' | 'backend' | 'resumedFrom'>;
}

/** The supervised loop with the engine doing the steps; returns the loop's result. */
export async function runWithEngine<T>(o: EngineRunOptions<T>): Promise<LoopResult> {
  const { graph } = o.setup;
  const state = o.state;
  const weights = o.resumed ? o.resumed.data.weights : (o.initWeights ?? freshTensors(graph, o.rules.seed));
  const slots = o.resumed ? resumedSlots(o.resumed.data) : undefined;
  const firstEpoch = state.epoch + 1;
  const baseLr = learningRate(o.rules.optimizer);
  const order = (epoch: number) => (o.shuffle ? permutation(o.train.size, o.rules.seed, `epoch-${epoch}`) : undefined);
  const run = await o.engine
    .start({
      graph,
      inputName: o.setup.inputName,
      train: viewAsSplit(o.train),
      batchSize: o.batchSize,
      firstEpoch,
      epochs: o.epochs,
      startStep: state.step,
      // The loop's own order (loop.ts), so both engines see the same samples in the same order.
      order,
      recordOutputs: o.rules.metrics.length > 0,
      seed: o.rules.seed,
      loss: { name: o.rules.loss.def.name, args: o.rules.loss.args },
      optimizer: {
        name: o.rules.optimizer.def.name,
        args: o.rules.optimizer.args,
      },
      lr: baseLr,
      ...(o.rules.schedule
        ? {
            schedule: {
              name: o.rules.schedule.def.name,
              args: o.rules.schedule.args,
            },
          }
        : {}),
      ...(o.rules.clip ? { clip: o.rules.clip } : {}),
      penalties: enginePenalties(o.penalties),
      augmentations: o.rules.augmentations.map((a) => ({ name: a.def.name, args: a.args, ...(a.def.torch !== undefined ? { torch: a.def.torch } : {}) })),
      weights,
      ...(slots ? { optimizerSlots: slots } : {}),
      ...(o.loop.checkpoints ? { runDir: o.loop.checkpoints.location } : {}),
    })
    .catch(rethrow);
  let finished = false;
  try {
    const strategy = engineStrategy({
      rt: o.rt,
      run,
      setup: o.setup,
      rules: o.rules,
      math: o.math,
      ...(o.evalView ? { evalView: o.evalView } : {}),
      train: o.train,
      order,
      batchSize: o.batchSize,
      firstEpoch,
    });
    const result = await runLoop({
      ...o.loop,
      backend: o.engine.name,
      strategy,
      rules: o.rules,
      baseLr,
      train: o.train,
      batchSize: o.batchSize,
      shuffle: o.shuffle,
      epochs: o.epochs,
      state,
      ...(o.resumed ? { resumedFrom: o.resumed.dir } : {}),
      rngState: () => o.math.rngState(),
    });
    finished = result.stopped !== 'interrupted';
    return result;
  } finally {
    await run.close({ finished });
  }
}

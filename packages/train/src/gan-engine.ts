/**
 * Adversarial training with an engine doing the steps (`dlm train --engine torch` on a train block
 * with `generator` and `discriminator`): the engine runs gan.ts's step (D on real and fake, then G
 * against the updated D) and reports each step's d_loss and g_loss; everything around the steps is
 * dlm's one loop, as for supervised runs (engine.ts): the seeded sample order, the schedule, the
 * non-finite stop naming the model, the per-epoch sample grid (drawn here, on the runtime, from the
 * epoch's generator weights and the same fixed noise as the tfjs path) and the checkpoints holding
 * both models under their prefixes.
 */
import { diag, type SafetensorsTensor } from '@dlm/core';
import { ParamStore, TrainingError, learningRate, permutation, valuesFromCheckpoint, type ResolvedRules, type SplitView } from './common.js';
import { freshTensors, resumedSlots, rethrow, viewAsSplit, withInitialSlots, type EngineRun, type TrainingEngine } from './engine.js';
import { sampleGridNoise, writeSampleGrid, type Side, type WriteSamples } from './gan.js';
import { runLoop, type LoopOptions, type LoopResult, type StepOutcome, type StepStrategy } from './loop.js';
import type { CheckpointData, CheckpointState } from './state.js';
import type { Runtime, SeededMath } from '@dlm/core';

export interface GanEngineRunOptions<T> {
  rt: Runtime<T>;
  engine: TrainingEngine;
  G: Pick<Side<T>, 'graph' | 'runner' | 'input' | 'output' | 'prefix'>;
  D: Pick<Side<T>, 'graph' | 'input' | 'output' | 'prefix'>;
  noiseShape: number[];
  rules: ResolvedRules;
  /** The run's math (initial optimizer slots of parameters the engine kept none for). */
  math: SeededMath<T>;
  train: SplitView;
  batchSize: number;
  shuffle: boolean;
  epochs: number;
  state: CheckpointState;
  resumed?: { dir: string; data: CheckpointData };
  initWeights?: Map<string, SafetensorsTensor>;
  writeSamples?: WriteSamples;
  loop: Omit<LoopOptions, 'strategy' | 'rules' | 'baseLr' | 'train' | 'batchSize' | 'shuffle' | 'epochs' | 'state' | 'backend' | 'resumedFrom' | 'higherIsBetter'>;
}

/** The GAN loop with the engine doing the steps; returns the loop's result. */
export async function runGanWithEngine<T>(o: GanEngineRunOptions<T>): Promise<LoopResult> {
  const { G, D, rules, state } = o;
  if (!o.engine.startGan) throw new TrainingError([diag('DLM6107', [`adversarial (GAN) training runs only in the tfjs engine, not the ${o.engine.name} engine`])]);
  // Different seeds per model so G and D do not start from correlated weights (as the tfjs path).
  const weights = o.resumed ? o.resumed.data.weights : (o.initWeights ?? new Map([...freshTensors(G.graph, rules.seed, G.prefix), ...freshTensors(D.graph, rules.seed + 1, D.prefix)]));
  const firstEpoch = state.epoch + 1;
  const baseLr = learningRate(rules.optimizer);
  const order = (epoch: number) => (o.shuffle ? permutation(o.train.size, rules.seed, `epoch-${epoch}`) : undefined);
  const run = await o.engine
    .startGan({
      generator: { graph: G.graph, input: G.input, output: G.output },
      discriminator: { graph: D.graph, input: D.input, output: D.output },
      noiseShape: o.noiseShape,
      train: viewAsSplit(o.train),
      batchSize: o.batchSize,
      firstEpoch,
      epochs: o.epochs,
      startStep: state.step,
      order,
      seed: rules.seed,
      loss: { name: rules.loss.def.name, args: rules.loss.args },
      optimizer: { name: rules.optimizer.def.name, args: rules.optimizer.args },
      lr: baseLr,
      ...(rules.schedule ? { schedule: { name: rules.schedule.def.name, args: rules.schedule.args } } : {}),
      ...(rules.clip ? { clip: rules.clip } : {}),
      weights,
      ...(o.resumed ? { optimizerSlots: resumedSlots(o.resumed.data) } : {}),
      ...(o.loop.checkpoints ? { runDir: o.loop.checkpoints.location } : {}),
    })
    .catch(rethrow);
  let finished = false;
  try {
    const result = await runLoop({
      ...o.loop,
      backend: o.engine.name,
      strategy: ganEngineStrategy(o, run, firstEpoch),
      rules,
      baseLr,
      train: o.train,
      batchSize: o.batchSize,
      shuffle: o.shuffle,
      epochs: o.epochs,
      state,
      ...(o.resumed ? { resumedFrom: o.resumed.dir } : {}),
      higherIsBetter: () => false,
    });
    finished = result.stopped !== 'interrupted';
    return result;
  } finally {
    await run.close({ finished });
  }
}

/** The loop's step strategy over an engine's GAN steps: d_loss and g_loss per epoch, the sample grid from the epoch's weights. */
function ganEngineStrategy<T>(o: GanEngineRunOptions<T>, run: EngineRun, firstEpoch: number): StepStrategy {
  const { rt, G, D } = o;
  const gridNoise = sampleGridNoise(o.rules.seed, o.noiseShape);
  let epoch = firstEpoch - 1;
  let batch = 0;
  let dSum = 0;
  let gSum = 0;
  let seen = 0;
  return {
    model: `${G.graph.name}+${D.graph.name}`,
    readsBatches: false,
    startEpoch() {
      epoch++;
      batch = 0;
      dSum = 0;
      gSum = 0;
      seen = 0;
    },
    async step(): Promise<StepOutcome> {
      const s = await run.nextStep().catch(rethrow);
      if ('nonFinite' in s) return { nonFinite: s.nonFinite, ...(s.who ? { who: s.who } : {}) };
      const n = Math.min(o.batchSize, o.train.size - batch * o.batchSize);
      batch++;
      dSum += (s.parts?.['d_loss'] ?? Number.NaN) * n;
      gSum += (s.parts?.['g_loss'] ?? Number.NaN) * n;
      seen += n;
      return { loss: s.loss };
    },
    running: () => ({ metrics: {}, extra: { d_loss: dSum / seen, g_loss: gSum / seen } }),
    async afterEpoch(e) {
      if (!o.writeSamples) return;
      const { weights } = await run.epochTensors(e).catch(rethrow);
      const store = new ParamStore(rt, G.graph, valuesFromCheckpoint(weights, G.prefix));
      try {
        await writeSampleGrid(rt, G, store.map, gridNoise, o.noiseShape, e, o.writeSamples);
      } finally {
        store.dispose();
      }
    },
    async tensors() {
      const t = await run.epochTensors(epoch).catch(rethrow);
      let optimizer = await withInitialSlots(rt, G.graph, o.rules, o.math, t, G.prefix);
      optimizer = await withInitialSlots(rt, D.graph, o.rules, o.math, { weights: t.weights, optimizer }, D.prefix);
      return { weights: t.weights, optimizer };
    },
  };
}

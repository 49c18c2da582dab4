/**
 * The one training loop. Supervised and adversarial training differ only in what one step does
 * with a batch, so they are two `StepStrategy`s of this loop; everything around the step is here:
 * the seeded per-epoch order, the learning-rate schedule, the non-finite-loss stop (before the bad
 * update, so the last checkpoint stays good), progress events, the epoch record, early stopping
 * and the checkpoint after every epoch.
 */
import { diag, type Batch, type Diagnostic } from '@dlm/core';
import { fail, permutation, type ResolvedRules, type SplitView } from './common.js';
import type { ConfusionReport, TrainEvent } from './progress.js';
import { firstNonFinite, type CheckpointData, type CheckpointState, type CheckpointStore, type EpochRecord } from './state.js';

/** What one step did: the batch's loss, or the non-finite value that stopped it (no update applied). */
export type StepOutcome = { loss: number } | { nonFinite: number; who?: string };

export interface StepStrategy {
  /** `Model`, or `Generator+Discriminator`. */
  readonly model: string;
  /** Called before each epoch's first step. */
  startEpoch(): void;
  /**
   * One optimizer step (`step` counts from 1) at learning rate `lr`. A step that waits for other
   * threads (data parallelism) calls `whileWaiting` once meanwhile: the loop assembles the next
   * batch there, off the step's serial part.
   */
  step(batch: Batch, lr: number, step: number, whileWaiting?: () => void): Promise<StepOutcome>;
  /** False when the steps read their data themselves (an engine): the loop then fetches no batches. */
  readonly readsBatches?: boolean;
  /** Called after an epoch's last step, before its record is made (an engine's training metrics). */
  endEpoch?(): Promise<void>;
  /** The running values of this epoch shown with each batch and stored in the record (metrics, GAN part losses). */
  running(): { metrics: Record<string, number>; extra?: Record<string, number> };
  /** Evaluation at the epoch's end (supervised), added to the record. */
  evaluate?(): Promise<{ loss: number; metrics: Record<string, number>; confusion?: ConfusionReport } | undefined>;
  /** Work after the record is complete (the GAN's sample grid). */
  afterEpoch?(epoch: number): Promise<void>;
  /** Weights and optimizer slots for a checkpoint. */
  tensors(): Promise<Pick<CheckpointData, 'weights' | 'optimizer'>>;
}

export interface LoopOptions {
  backend: string;
  strategy: StepStrategy;
  rules: ResolvedRules;
  /** The learning rate the optimizer declares (before the schedule). */
  baseLr: number;
  train: SplitView;
  batchSize: number;
  shuffle: boolean;
  epochs: number;
  state: CheckpointState;
  /** Where the run started from, when resumed. */
  resumedFrom?: string;
  eval?: { samples: number; split: 'validation' | 'test' | 'none' };
  checkpoints?: CheckpointStore;
  /** The quantities early stopping may monitor (the caller checked the train block's choice, DLM5059); absent: no monitoring (GAN). */
  monitors?: string[];
  /** The train block, for the non-finite-loss diagnostic. */
  span?: Diagnostic['span'];
  progress?: (event: TrainEvent) => void;
  /** Checked after every step: once aborted, the loop stops, dropping the epoch in progress (its last checkpoint stays). */
  signal?: AbortSignal;
  /** Awaited after every step (a web page yields to the browser here). */
  betweenSteps?: () => Promise<void>;
  /** Reads the RNG state to store with each checkpoint. */
  rngState: () => { seed: number; counter: number };
  /** Higher-is-better for a monitored quantity (metrics declare it). */
  higherIsBetter: (monitor: string) => boolean;
}

export interface LoopResult {
  history: EpochRecord[];
  checkpoint?: string;
  stopped: 'completed' | 'early_stopping' | 'non_finite_loss' | 'interrupted';
  confusion?: ConfusionReport;
  diagnostics: Diagnostic[];
}

/** What a strategy that reads its own data is handed instead of a batch. */
const NO_BATCH: Batch = { x: new Float32Array(0), y: new Float32Array(0), xShape: [0], yShape: [0] };

export async function runLoop(o: LoopOptions): Promise<LoopResult> {
  const { rules, strategy, state, batchSize } = o;
  const emit = (e: TrainEvent) => o.progress?.(e);
  const size = o.train.size;
  const steps = Math.ceil(size / batchSize);
  const totalSteps = steps * o.epochs;
  const lrAt = (s: number) => (rules.schedule ? rules.schedule.def.lr(o.baseLr, s, totalSteps, steps, rules.schedule.args) : o.baseLr);
  const es = rules.earlyStopping;
  emit({
    kind: 'start',
    model: strategy.model,
    backend: o.backend,
    firstEpoch: state.epoch + 1,
    epochs: o.epochs,
    trainSamples: size,
    evalSamples: o.eval?.samples ?? 0,
    evalSplit: o.eval?.split ?? 'none',
    batchSize,
    ...(o.resumedFrom ? { resumedFrom: o.resumedFrom } : {}),
  });
  let checkpoint = o.resumedFrom;
  let stopped: LoopResult['stopped'] = 'completed';
  let confusion: ConfusionReport | undefined;
  const diagnostics: Diagnostic[] = [];
  for (let epoch = state.epoch + 1; epoch <= o.epochs; epoch++) {
    const t0 = Date.now();
    const order = o.shuffle ? permutation(size, rules.seed, `epoch-${epoch}`) : undefined;
    strategy.startEpoch();
    let lossSum = 0;
    let seen = 0;
    let lr = lrAt(state.step);
    const batchAt = (bi: number) => (strategy.readsBatches === false ? NO_BATCH : o.train.batch(order, bi * batchSize, Math.min(batchSize, size - bi * batchSize)));
    // The next batch when the step assembled it while waiting (or the error doing so gave, thrown here, where it belongs).
    let next: { bi: number; batch?: Batch; error?: unknown } | undefined;
    for (let bi = 0; bi < steps; bi++) {
      const n = Math.min(batchSize, size - bi * batchSize);
      const ready = next?.bi === bi ? next : undefined;
      next = undefined;
      if (ready && 'error' in ready) throw ready.error;
      const b = ready?.batch ?? batchAt(bi);
      lr = lrAt(state.step);
      const prefetch =
        bi + 1 < steps && strategy.readsBatches !== false
          ? () => {
              try {
                next = { bi: bi + 1, batch: batchAt(bi + 1) };
              } catch (error) {
                next = { bi: bi + 1, error };
              }
            }
          : undefined;
      const r = await strategy.step(b, lr, state.step + 1, prefetch);
      if ('nonFinite' in r) {
        stopped = 'non_finite_loss';
        const where = checkpoint ? `The last good checkpoint is ${checkpoint}.` : 'No checkpoint was written yet.';
        const value = r.who ? `${r.nonFinite} (${r.who})` : String(r.nonFinite);
        diagnostics.push(diag('DLM5052', [value, epoch, bi + 1, where], o.span));
        emit({ kind: 'stop', reason: 'non_finite_loss', epoch, message: diagnostics[diagnostics.length - 1]!.message });
        break;
      }
      state.step++;
      lossSum += r.loss * n;
      seen += n;
      const elapsed = (Date.now() - t0) / 1000;
      const rate = seen / Math.max(elapsed, 1e-3);
      const run = strategy.running();
      emit({ kind: 'batch', epoch, epochs: o.epochs, batch: bi + 1, batches: steps, samples: seen, samplesPerSecond: rate, etaSeconds: (size - seen) / rate, loss: lossSum / seen, metrics: { ...run.metrics, ...(run.extra ?? {}) } });
      await o.betweenSteps?.();
      if (o.signal?.aborted) {
        stopped = 'interrupted';
        emit({ kind: 'stop', reason: 'interrupted', epoch, message: checkpoint ? `the last complete checkpoint is ${checkpoint}` : 'no checkpoint was written yet' });
        break;
      }
    }
    if (stopped === 'non_finite_loss' || stopped === 'interrupted') break;

    await strategy.endEpoch?.();
    const run = strategy.running();
    const record: EpochRecord = { epoch, loss: lossSum / Math.max(1, seen), metrics: run.metrics, ...(run.extra ? { extra: run.extra } : {}), lr, seconds: 0 };
    const ev = await strategy.evaluate?.();
    if (ev) {
      record.val = { loss: ev.loss, metrics: ev.metrics };
      confusion = ev.confusion;
    }
    record.seconds = (Date.now() - t0) / 1000;
    state.history = [...state.history, record];
    state.epoch = epoch;
    state.rng = o.rngState();

    // Early stopping and the best value of the monitored quantity.
    let stopNow = false;
    if (o.monitors) {
      const monitor = es?.monitor ?? (record.val ? 'val_loss' : 'loss');
      const value = monitorValue(record, monitor);
      const higher = o.higherIsBetter(monitor);
      const minDelta = es?.minDelta ?? 0;
      const improved = state.best === undefined || (higher ? value > state.best.value + minDelta : value < state.best.value - minDelta);
      if (improved) {
        state.best = { monitor, value, epoch };
        state.wait = 0;
      } else {
        state.wait = (state.wait ?? 0) + 1;
        if (es && state.wait >= es.patience) stopNow = true;
      }
    }
    await strategy.afterEpoch?.(epoch);
    if (o.checkpoints) {
      const saved = await save(o.checkpoints, strategy, state);
      if ('nonFinite' in saved) {
        // A finite loss does not prove finite weights (a NaN in an unused or masked parameter, a
        // buffer such as a running variance): a checkpoint of them would poison eval and resume.
        stopped = 'non_finite_loss';
        const where = checkpoint ? `The last good checkpoint is ${checkpoint}.` : 'No checkpoint was written yet.';
        diagnostics.push(diag('DLM5072', [saved.nonFinite.name, saved.nonFinite.value, epoch, where], o.span));
        emit({ kind: 'stop', reason: 'non_finite_loss', epoch, message: diagnostics[diagnostics.length - 1]!.message });
        break;
      }
      checkpoint = saved.checkpoint;
    }
    emit({ kind: 'epoch', record, epochs: o.epochs, ...(checkpoint ? { checkpoint } : {}), ...(confusion ? { confusion } : {}) });
    if (stopNow) {
      stopped = 'early_stopping';
      emit({ kind: 'stop', reason: 'early_stopping', epoch, message: `${es!.monitor} has not improved for ${state.wait} epoch(s); best ${state.best!.value.toPrecision(4)} at epoch ${state.best!.epoch}` });
      break;
    }
  }
  if (stopped === 'completed') emit({ kind: 'stop', reason: 'completed', epoch: state.epoch });
  return { history: state.history, ...(checkpoint ? { checkpoint } : {}), stopped, ...(confusion ? { confusion } : {}), diagnostics };
}

function monitorValue(r: EpochRecord, monitor: string): number {
  if (monitor === 'loss') return r.loss;
  if (monitor === 'val_loss') return r.val?.loss ?? Number.NaN;
  if (monitor.startsWith('val_')) return r.val?.metrics[monitor.slice(4)] ?? Number.NaN;
  return r.metrics[monitor] ?? Number.NaN;
}

async function save(store: CheckpointStore, strategy: StepStrategy, state: CheckpointState): Promise<{ checkpoint: string } | { nonFinite: { name: string; value: number } }> {
  const { weights, optimizer } = await strategy.tensors();
  const bad = firstNonFinite(weights);
  if (bad) return { nonFinite: bad };
  optimizer.set('step', { dtype: 'I64', shape: [], data: BigInt64Array.from([BigInt(state.step)]) });
  try {
    return { checkpoint: await store.save({ weights, optimizer, state }) };
  } catch (e) {
    fail('DLM5064', [store.location, e instanceof Error ? e.message : String(e)]);
  }
}

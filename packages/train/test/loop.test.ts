/**
 * The loop's own bookkeeping, independent of any runtime: a strategy that records what the loop
 * asks of it (batches, learning rates, step numbers) and returns scripted losses. What the loop
 * does around the step — the per-epoch seeded order, the schedule per step, the non-finite stop,
 * early stopping on the declared monitor, one checkpoint per epoch — is checked here once for
 * every engine.
 */
import { describe, expect, it } from 'vitest';
import type { Batch, DatasetSplit } from '@dlm/core';
import { CHECKPOINT_FORMAT, SplitView, runLoop, type CheckpointData, type CheckpointStore, type LoopOptions, type ResolvedRules, type StepOutcome, type TrainEvent } from '../src/index.js';

/** Sample i has x = i, so a batch shows which samples it holds. */
const split: DatasetSplit = {
  info: { inputShape: [1], inputDType: 'f32', targetShape: [] },
  size: 10,
  slice: (start, count): Batch => ({ x: Float32Array.from({ length: count }, (_, i) => start + i), xShape: [count, 1], y: new Float32Array(count), yShape: [count] }),
};

function rules(extra: Partial<ResolvedRules> = {}): ResolvedRules {
  return { seed: 3, validationSplit: 0, metrics: [], penalties: [], augmentations: [], loss: {} as ResolvedRules['loss'], optimizer: {} as ResolvedRules['optimizer'], ...extra };
}

function setup(losses: (epoch: number, step: number) => number, evalLoss?: (epoch: number) => number, opts: Partial<LoopOptions> = {}, weightsAt?: (epoch: number) => CheckpointData['weights']) {
  const calls: { samples: number[]; lr: number; step: number }[] = [];
  const saved: CheckpointData[] = [];
  const events: TrainEvent[] = [];
  let epoch = 0;
  const store: CheckpointStore = {
    location: 'mem',
    irHash: () => 'h',
    last: async () => undefined,
    save: async (d) => {
      saved.push(structuredClone(d));
      return `mem/epoch-${d.state.epoch}`;
    },
  };
  const run = runLoop({
    backend: 'test',
    strategy: {
      model: 'M',
      startEpoch: () => void epoch++,
      step: async (b, lr, step): Promise<StepOutcome> => {
        calls.push({ samples: Array.from(b.x), lr, step });
        const l = losses(epoch, step);
        return Number.isFinite(l) ? { loss: l } : { nonFinite: l };
      },
      running: () => ({ metrics: {} }),
      ...(evalLoss ? { evaluate: async () => ({ loss: evalLoss(epoch), metrics: {} }) } : {}),
      tensors: async () => ({ weights: weightsAt?.(epoch) ?? new Map(), optimizer: new Map() }),
    },
    rules: rules(),
    baseLr: 0.5,
    train: SplitView.all(split),
    batchSize: 4,
    shuffle: true,
    epochs: 3,
    state: { format: CHECKPOINT_FORMAT, model: 'M', irHash: {}, epoch: 0, step: 0, rng: { seed: 3, counter: 0 }, history: [], optimizer: { name: 'o', args: {} } },
    checkpoints: store,
    monitors: ['loss', 'val_loss'],
    progress: (e) => events.push(e),
    rngState: () => ({ seed: 3, counter: 0 }),
    higherIsBetter: () => false,
    ...opts,
  });
  return { run, calls, saved, events };
}

/** The `setup` loop with a strategy that calls `whileWaiting` during each step, as data-parallel steps do. */
function setupPrefetching(train = SplitView.all(split), signal?: AbortSignal, onSecondStep?: () => void) {
  const calls: { samples: number[]; lr: number; step: number }[] = [];
  let prefetched = 0;
  const base = setup(() => 1, undefined, {
    train,
    checkpoints: undefined,
    ...(signal ? { signal } : {}),
    strategy: {
      model: 'M',
      startEpoch: () => undefined,
      step: async (b, lr, step, whileWaiting): Promise<StepOutcome> => {
        calls.push({ samples: Array.from(b.x), lr, step });
        if (calls.length === 2) onSecondStep?.();
        if (whileWaiting) {
          prefetched++;
          whileWaiting();
        }
        await Promise.resolve();
        return { loss: 1 };
      },
      running: () => ({ metrics: {} }),
      tensors: async () => ({ weights: new Map(), optimizer: new Map() }),
    },
  });
  return { run: base.run, calls, get prefetched() { return prefetched; } };
}

describe('runLoop', () => {
  it('visits every sample once per epoch in a seeded order, numbers steps from 1 and checkpoints each epoch', async () => {
    const { run, calls, saved } = setup(() => 1);
    const r = await run;
    expect(r.stopped).toBe('completed');
    expect(calls.map((c) => c.step)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    for (let e = 0; e < 3; e++) {
      const seen = calls.slice(e * 3, e * 3 + 3).flatMap((c) => c.samples);
      expect([...seen].sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    }
    expect(calls.slice(0, 3).flatMap((c) => c.samples)).not.toEqual(calls.slice(3, 6).flatMap((c) => c.samples)); // reshuffled
    expect(saved.map((s) => [s.state.epoch, s.state.step, Number((s.optimizer.get('step')!.data as BigInt64Array)[0])])).toEqual([[1, 3, 3], [2, 6, 6], [3, 9, 9]]);
    expect(r.history.map((h) => h.loss)).toEqual([1, 1, 1]);
  });

  it('a step that assembles the next batch while it waits (data parallelism) gets the same batches; a failing read surfaces at its own step', async () => {
    const plain = setup(() => 1);
    await plain.run;
    const prefetching = setupPrefetching();
    await prefetching.run;
    expect(prefetching.calls).toEqual(plain.calls);
    expect(prefetching.prefetched).toBe(6); // the last step of each epoch has no next batch to assemble
    // A read that fails while prefetching is thrown when the loop reaches that batch, not earlier.
    let stepsStarted = () => 0;
    const failing: DatasetSplit = {
      ...split,
      slice: (start, count) => {
        if (stepsStarted() >= 2) throw new Error('disk gone');
        return split.slice(start, count);
      },
    };
    const f = setupPrefetching(SplitView.all(failing));
    stepsStarted = () => f.calls.length;
    await expect(f.run).rejects.toThrow('disk gone');
    expect(f.calls.length).toBe(2); // steps 1 and 2 ran; step 3's batch failed while step 2 waited
    // Stopped (Ctrl-C) during step 2: batch 3 is never needed, so its failed read is no error.
    const ctl = new AbortController();
    stepsStarted = () => 0;
    const g = setupPrefetching(SplitView.all(failing), ctl.signal, () => ctl.abort());
    stepsStarted = () => g.calls.length;
    expect((await g.run).stopped).toBe('interrupted');
    expect(g.calls.length).toBe(2);
  });

  it('applies the schedule per step to the declared base learning rate', async () => {
    const schedule = { def: { name: 'halve', doc: '', args: [], lr: (base: number, step: number) => base / 2 ** step }, args: {} };
    const { run, calls } = setup(() => 1, undefined, { rules: rules({ schedule }), epochs: 1 });
    await run;
    expect(calls.map((c) => c.lr)).toEqual([0.5, 0.25, 0.125]);
  });

  it('stops on a non-finite loss with DLM5052 naming the last good checkpoint, writing nothing more', async () => {
    const { run, saved, events } = setup((epoch, step) => (epoch === 2 && step === 5 ? Number.NaN : 1));
    const r = await run;
    expect(r.stopped).toBe('non_finite_loss');
    expect(r.diagnostics.map((d) => d.code)).toEqual(['DLM5052']);
    expect(r.diagnostics[0]!.message).toContain('mem/epoch-1');
    expect(saved).toHaveLength(1);
    expect(r.checkpoint).toBe('mem/epoch-1');
    expect(events.at(-1)).toMatchObject({ kind: 'stop', reason: 'non_finite_loss', epoch: 2 });
  });

  it('stops with DLM5072 when the weights (not the loss) became non-finite, before checkpointing them', async () => {
    const w = (epoch: number): CheckpointData['weights'] =>
      new Map([['bn.running_var', { dtype: 'F32', shape: [2], data: Float32Array.from([1, epoch === 2 ? Number.POSITIVE_INFINITY : 1]) }]]);
    const { run, saved, events } = setup(() => 1, undefined, {}, w);
    const r = await run;
    expect(r.stopped).toBe('non_finite_loss');
    expect(r.diagnostics.map((d) => d.code)).toEqual(['DLM5072']);
    expect(r.diagnostics[0]!.message).toBe("Parameter 'bn.running_var' became Infinity at epoch 2; training stopped before writing a checkpoint of it. The last good checkpoint is mem/epoch-1.");
    expect(saved.map((s) => s.state.epoch)).toEqual([1]);
    expect(r.checkpoint).toBe('mem/epoch-1');
    expect(events.at(-1)).toMatchObject({ kind: 'stop', reason: 'non_finite_loss', epoch: 2 });
  });

  it('stops after the current step once its signal is aborted (Ctrl-C), keeping the last complete checkpoint', async () => {
    const ctl = new AbortController();
    const { run, saved, events, calls } = setup((epoch, step) => {
      if (epoch === 2 && step === 5) ctl.abort();
      return 1;
    }, undefined, { signal: ctl.signal });
    const r = await run;
    expect(r.stopped).toBe('interrupted');
    expect(r.diagnostics).toEqual([]);
    expect(calls.map((c) => c.step)).toEqual([1, 2, 3, 4, 5]);
    expect(saved.map((s) => s.state.epoch)).toEqual([1]);
    expect(r.checkpoint).toBe('mem/epoch-1');
    expect(events.at(-1)).toEqual({ kind: 'stop', reason: 'interrupted', epoch: 2, message: 'the last complete checkpoint is mem/epoch-1' });
  });

  it('early-stops when the monitored quantity has not improved by min_delta for `patience` epochs', async () => {
    const earlyStopping = { monitor: 'val_loss', patience: 1, minDelta: 0.1 };
    // val_loss: 1.0, then 0.95 (an improvement smaller than min_delta) → stop after epoch 2.
    const { run, saved } = setup(() => 1, (epoch) => (epoch === 1 ? 1 : 0.95), { rules: rules({ earlyStopping }) });
    const r = await run;
    expect(r.stopped).toBe('early_stopping');
    expect(r.history).toHaveLength(2);
    expect(saved.at(-1)!.state).toMatchObject({ best: { monitor: 'val_loss', value: 1, epoch: 1 }, wait: 1 });
  });
});

/**
 * What both kinds of training (and evaluate/predict) start from: the model graph by name, its
 * runner, a dataset split opened with failures named, a fresh checkpoint state, the last
 * checkpoint to resume from.
 */
import { DatasetError, type DatasetSplit, type Diagnostic, type Graph, type GraphRunner, type PluginCall, type PluginRegistry, type Program, type Runtime } from '@dlm/core';
import { TrainingError, fail, isOutOfMemory, resolve, resolveRules, withDefaults, type Phase } from './common.js';
import { CHECKPOINT_FORMAT, type CheckpointState } from './state.js';
import type { DatasetContext, TrainOptions } from './trainer.js';

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
export async function openSplit(registry: PluginRegistry, call: PluginCall, split: 'train' | 'test', phase: Phase, opts: { datasetContext?: DatasetContext; log?: (m: string) => void }): Promise<DatasetSplit> {
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
  // `slice()`, `gather()` or `targets()` is DLM5060 naming the dataset, not an internal error of dlm.
  const guard = <R>(what: () => string, run: () => R): R => {
    try {
      return run();
    } catch (e) {
      if (e instanceof TrainingError || isOutOfMemory(e)) throw e;
      fail('DLM5060', ['dataset', call.name, `${e instanceof Error ? e.message : String(e)} (in ${what()} of the ${split} split)`, phase], call.span);
    }
  };
  // The wrappers are made once (the trainer reads `slice` per batch, or per sample without `gather`).
  const slice = opened.slice;
  const gather = opened.gather;
  const targets = opened.targets;
  const guarded: Partial<DatasetSplit> = {
    slice: (start, count) => guard(() => `slice(${start}, ${count})`, () => slice.call(opened, start, count)),
    ...(typeof gather === 'function' ? { gather: (indices: Int32Array) => guard(() => `gather() of ${indices.length} samples`, () => gather.call(opened, indices)) } : {}),
    ...(typeof targets === 'function' ? { targets: (indices: Int32Array) => guard(() => `targets() of ${indices.length} samples`, () => checkedTargets(targets.call(opened, indices), indices.length, opened.info.targetShape)) } : {}),
  };
  return new Proxy(opened, {
    get(target, prop) {
      if (prop === 'slice' || prop === 'gather' || prop === 'targets') return guarded[prop];
      return Reflect.get(target, prop, target);
    },
  });
}

/**
 * A split's `targets()` answer, checked for its length: the label check reads rows from it by
 * position, so a short or long answer would skip rows or blame the wrong one.
 */
function checkedTargets(y: Float32Array | Int32Array, samples: number, targetShape: readonly number[]): Float32Array | Int32Array {
  const each = targetShape.reduce((a, b) => a * b, 1);
  if (y.length !== samples * each) throw new Error(`targets() returned ${y.length} values for ${samples} samples of ${each} each`);
  return y;
}

export function freshState(model: string, hashes: Record<string, string>, rng: { seed: number; counter: number }, rules: ReturnType<typeof resolveRules>, info: Record<string, unknown>): CheckpointState {
  return { format: CHECKPOINT_FORMAT, model, irHash: hashes, epoch: 0, step: 0, rng, history: [], optimizer: { name: rules.optimizer.def.name, args: rules.optimizer.args }, info };
}

export async function lastCheckpoint<T>(opts: TrainOptions<T>, graphs: Graph[]) {
  if (!opts.checkpoints) fail('DLM5055', ['(no run folder)']);
  const last = await opts.checkpoints.last(graphs);
  if (!last) fail('DLM5055', [opts.checkpoints.location]);
  return last;
}

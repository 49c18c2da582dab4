/**
 * Training in the page: @dlm/train's loop — the same one `dlm train` runs — on the tfjs runtime
 * over the browser's backend. Everything in the train block that a page can run is honoured
 * (loss, optimizer, schedule, clip, seed, validation_split, penalties, augmentations, early
 * stopping, metrics); what it cannot run is named before anything starts (`unsupported`). The
 * page's step budget plays the part of `dlm train --epochs/--limit`: it sets how many batches run.
 * Checkpoints stay in memory: the last one's weights are what the page exports to ONNX.
 */
import * as tf from '@tensorflow/tfjs-core';
import { loaderArgs, predict, train, type CheckpointStore, type TrainEvent } from '@dlm/train';
import { tfjsRuntime } from '@dlm/tfjs';
import type { Args, Graph, PluginRegistry, Program, SafetensorsTensor } from '@dlm/core';
import { batchOf, splitSize } from './data.js';
import { unsupported } from './train-settings.js';

export interface TrainHooks {
  onStep(step: number, loss: number): void;
}

export interface TrainedModel {
  graph: Graph;
  weights: Map<string, Float32Array>;
  losses: number[];
  accuracy: number;
  /** Eval-mode outputs of the first test digits (checked against onnxruntime by the e2e test). */
  probe: { input: number[]; inputShape: number[]; output: number[]; outputShape: number[] };
  /** The split the accuracy is measured on, and its size. */
  evaluatedOn: { split: 'validation' | 'test' | 'none'; samples: number };
}

export class TrainError extends Error {}

/** Checkpoints in memory: the latest epoch's weights (nothing to resume from in a page). */
function memoryCheckpoints(): CheckpointStore & { weights?: Map<string, SafetensorsTensor> } {
  const store: CheckpointStore & { weights?: Map<string, SafetensorsTensor> } = {
    location: 'the page',
    irHash: () => '',
    last: async () => undefined,
    async save(data) {
      store.weights = data.weights;
      return `epoch ${data.state.epoch} (in memory)`;
    },
  };
  return store;
}

export async function trainInBrowser(program: Program, registry: PluginRegistry, backend: string, steps: number, hooks: TrainHooks): Promise<TrainedModel> {
  const spec = program.trainings[0];
  if (!spec) throw new TrainError('Add a `train` block to train (see the example).');
  const cannot = unsupported(spec);
  if (cannot.length > 0) throw new TrainError(`The playground cannot run ${cannot.join('; ')}.`);
  const graph = program.models.find((m) => m.name === spec.model)!;
  const datasetArgs: Args = { ...Object.fromEntries((registry.get('dataset', 'mnist')?.def.args ?? []).flatMap((a) => (a.default !== undefined ? [[a.name, a.default]] : []))), ...spec.data.args };
  const { batch } = loaderArgs(datasetArgs);
  // The step budget: whole epochs of the training split, the last one cut to what is left.
  const n = splitSize('train');
  const perEpoch = Math.ceil(n / batch);
  const epochs = Math.max(1, Math.ceil(steps / perEpoch));
  const limit = steps < perEpoch ? { trainSamples: steps * batch } : undefined;

  const runtime = tfjsRuntime(backend);
  const checkpoints = memoryCheckpoints();
  const losses: number[] = [];
  let seenBefore = 0;
  let meanBefore = 0;
  const progress = (e: TrainEvent) => {
    if (e.kind !== 'batch') return;
    if (e.batch === 1) seenBefore = meanBefore = 0;
    // The event carries the epoch's running mean; the chart shows each step's own loss.
    const loss = (e.loss * e.samples - meanBefore * seenBefore) / (e.samples - seenBefore);
    seenBefore = e.samples;
    meanBefore = e.loss;
    losses.push(loss);
    hooks.onStep(losses.length, loss);
  };
  const { result, diagnostics } = await train({
    runtime,
    program,
    training: spec,
    registry,
    epochs,
    ...(limit ? { limit } : {}),
    checkpoints,
    progress,
    // Yield to the browser between batches so the chart updates live.
    betweenSteps: () => tf.nextFrame(),
  });
  const errors = diagnostics.filter((d) => d.severity === 'error' || d.code === 'DLM5052');
  if (!result || errors.length > 0) throw new TrainError((errors.length ? errors : diagnostics).map((d) => `${d.code} ${d.message}`).join('\n'));
  if (!checkpoints.weights) throw new TrainError('Training ran no epoch.');
  const last = result.history[result.history.length - 1];
  const confusion = result.confusion;
  const correct = confusion ? confusion.matrix.reduce((a, row, i) => a + row[i]!, 0) : 0;
  const total = confusion ? confusion.matrix.flat().reduce((a, b) => a + b, 0) : 0;
  const accuracy = last?.val?.metrics['accuracy'] ?? (total > 0 ? correct / total : Number.NaN);

  const pb = batchOf('test', [0, 1], datasetArgs['normalize'] === true);
  const probed = await predict({ runtime, graph, weights: checkpoints.weights, inputs: { [graph.inputs[0]!.name]: { data: pb.x, shape: pb.xShape } } });
  const out = probed.result?.[graph.outputs[0]!.name];
  if (!out) throw new TrainError(probed.diagnostics.map((d) => `${d.code} ${d.message}`).join('\n'));
  const weights = new Map<string, Float32Array>();
  for (const [name, t] of checkpoints.weights) weights.set(name, t.data instanceof Float32Array ? t.data : Float32Array.from(t.data as ArrayLike<number>, Number));
  return {
    graph,
    weights,
    losses,
    accuracy,
    probe: { input: Array.from(pb.x), inputShape: pb.xShape, output: Array.from(out.data), outputShape: out.shape },
    evaluatedOn: { split: total > 0 ? (spec.settings['validation_split'] ? 'validation' : 'test') : 'none', samples: total },
  };
}

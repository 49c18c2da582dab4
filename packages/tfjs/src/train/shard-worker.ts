/**
 * The worker side of data-parallel training (data-parallel.ts): a single-threaded WASM backend,
 * the same registry (plugins re-loaded by module URL), the same executor and the same trainStep
 * as the main thread. Each `shard` message brings the current weights and a shard of the batch;
 * the reply carries its loss, gradients, metric statistics and batch-norm updates.
 */
import { parentPort } from 'node:worker_threads';
import * as tf from '@tensorflow/tfjs-core';
import { PluginRegistry, type Batch, type DlmPlugin, type DatasetInfo } from '@dlm/core';
import { setupBackend } from '../backend.js';
import { createTfjsMath, type TfjsMath } from '../tensor-math.js';
import { ParamStore, resolveRules, type ResolvedRules } from './common.js';
import { createExecutor, penaltiesFor, trainStep, type PenaltyTarget, type Setup } from './trainer.js';
import type { ShardResult, WorkerInit } from './data-parallel.js';

interface State {
  setup: Setup;
  store: ParamStore;
  rules: ResolvedRules;
  penalties: PenaltyTarget[];
  math: TfjsMath;
}

let state: State | undefined;
const port = parentPort!;

async function init(msg: WorkerInit): Promise<void> {
  await setupBackend('wasm', { wasmThreads: 1 });
  const registry = new PluginRegistry();
  for (const url of msg.pluginUrls) {
    // check-deps: computed-import workers re-import the plugins by module URL (plugin code cannot cross threads).
    const mod = (await import(url)) as Record<string, unknown>;
    const plugin = (mod['default'] ?? mod['plugin']) as DlmPlugin | undefined;
    if (!plugin) throw new Error(`${url} exports no plugin`);
    const problems = registry.register(plugin, url);
    if (problems.some((d) => d.severity === 'error')) throw new Error(problems.map((d) => d.message).join('; '));
  }
  const rules = resolveRules(registry, msg.training);
  const exec = createExecutor(msg.graph);
  const zeros = new Map(msg.graph.params.map((p) => [p.name, p.type.dtype === 'f32' ? new Float32Array(size(p.type.shape)) : new Int32Array(size(p.type.shape))]));
  const info = { inputShape: [], inputDType: 'f32', targetShape: [] } as unknown as DatasetInfo;
  state = {
    setup: { graph: msg.graph, exec, inputName: msg.inputName, outputName: msg.outputName, info, ...(msg.classes !== undefined ? { classes: msg.classes } : {}) },
    store: new ParamStore(msg.graph, zeros),
    rules,
    penalties: penaltiesFor(msg.graph, rules, registry),
    math: createTfjsMath(msg.seed),
  };
}

function size(shape: readonly (number | string)[]): number {
  return shape.reduce<number>((a, d) => a * (typeof d === 'number' ? d : 1), 1);
}

async function shard(params: (Float32Array | Int32Array)[], batch: Batch, seed: number): Promise<{ result: ShardResult; transfer: ArrayBuffer[] }> {
  const s = state!;
  s.store.graph.params.forEach((p, i) => {
    const v = s.store.vars.get(p.name)!;
    tf.tidy(() => v.assign(tf.tensor(params[i]!, v.shape, v.dtype)));
  });
  s.math.setRngState({ seed, counter: 0 });
  const trainable = s.store.trainable;
  const { loss, grads, stats, bufferUpdates } = trainStep(s.setup, s.store, trainable, s.rules, s.penalties, s.math, batch);
  const result: ShardResult = {
    loss: (await loss.data())[0]!,
    grads: await Promise.all(trainable.map(async ({ name, v }) => Float32Array.from((await (grads[name] ?? tf.zerosLike(v)).data()) as Float32Array))),
    stats: await Promise.all(stats.map(async (st) => Object.fromEntries(await Promise.all(Object.entries(st).map(async ([k, t]) => [k, Float32Array.from((await t.data()) as Float32Array)] as const))))),
    buffers: Object.fromEntries(await Promise.all([...bufferUpdates].map(async ([k, t]) => [k, Float32Array.from((await t.data()) as Float32Array)] as const))),
  };
  tf.dispose([loss, ...Object.values(grads), ...stats.flatMap((st) => Object.values(st)), ...bufferUpdates.values()]);
  const transfer = [...result.grads, ...result.stats.flatMap((st) => Object.values(st)), ...Object.values(result.buffers)].map((a) => a.buffer as ArrayBuffer);
  return { result, transfer };
}

port.on('message', async (m: { kind: 'init'; init: WorkerInit } | { kind: 'shard'; params: (Float32Array | Int32Array)[]; batch: Batch; seed: number }) => {
  try {
    if (m.kind === 'init') {
      await init(m.init);
      port.postMessage({ ok: true });
    } else {
      const { result, transfer } = await shard(m.params, m.batch, m.seed);
      port.postMessage({ ok: true, result }, transfer);
    }
  } catch (e) {
    port.postMessage({ ok: false, error: e instanceof Error ? e.message : String(e) });
  }
});

/**
 * The worker side of data-parallel training (data-parallel.ts): its own runtime (the module the
 * main thread's runtime names, e.g. a single-threaded WASM backend), the same registry (plugins
 * re-loaded by module URL), the same graph runner and the same `trainStep` as the main thread.
 * Each `shard` message brings the current weights and a shard of the batch; the reply carries its
 * loss, gradients, metric statistics and batch-norm updates.
 */
import { parentPort } from 'node:worker_threads';
import { PluginRegistry, type Batch, type DlmPlugin, type DatasetInfo } from '@dlm/core';
import { ParamStore, TrainingError, resolveRules, type ResolvedRules } from '../common.js';
import type { Runtime, SeededMath } from '@dlm/core';
import { penaltiesFor, trainStep, type PenaltyTarget, type Setup, type ShardResult } from '../supervised.js';
import { createRunner } from '../trainer.js';
import type { WorkerInit } from './data-parallel.js';

interface State<T> {
  rt: Runtime<T>;
  setup: Setup<T>;
  store: ParamStore<T>;
  rules: ResolvedRules;
  penalties: PenaltyTarget[];
  math: SeededMath<T>;
}

let state: State<unknown> | undefined;
const port = parentPort!;

async function init(msg: WorkerInit): Promise<void> {
  // check-deps: computed-import the runtime is named by the host (train imports no runtime package)
  const mod = (await import(msg.runtimeModule)) as { createWorkerRuntime?: () => Promise<Runtime<unknown>> };
  if (typeof mod.createWorkerRuntime !== 'function') throw new Error(`${msg.runtimeModule} exports no createWorkerRuntime()`);
  const rt = await mod.createWorkerRuntime();
  const registry = msg.loaderModule ? await loaderRegistry(msg.loaderModule, msg.pluginUrls) : new PluginRegistry();
  for (const url of msg.loaderModule ? [] : msg.pluginUrls) {
    // check-deps: computed-import workers re-import the host's plugins by module URL
    const pm = (await import(url)) as Record<string, unknown>;
    const plugin = (pm['default'] ?? pm['plugin']) as DlmPlugin | undefined;
    if (!plugin) throw new Error(`${url} exports no plugin`);
    const problems = registry.register(plugin, url);
    if (problems.some((d) => d.severity === 'error')) throw new Error(problems.map((d) => d.message).join('; '));
  }
  const rules = resolveRules(registry, msg.training);
  const runner = createRunner(rt, msg.graph);
  const zeros = new Map(msg.graph.params.map((p) => [p.name, p.type.dtype === 'f32' ? new Float32Array(size(p.type.shape)) : new Int32Array(size(p.type.shape))]));
  const info = { inputShape: [], inputDType: 'f32', targetShape: [] } as unknown as DatasetInfo;
  state = {
    rt,
    setup: { graph: msg.graph, runner, inputName: msg.inputName, outputName: msg.outputName, info, ...(msg.classes !== undefined ? { classes: msg.classes } : {}) },
    store: new ParamStore(rt, msg.graph, zeros),
    rules,
    penalties: penaltiesFor(msg.graph, rules, registry),
    math: rt.createMath(msg.seed),
  };
}

/** The registry built by the host's own plugin loader (@dlm/plugin-loader), so workers load plugins exactly as the host. */
async function loaderRegistry(loaderModule: string, urls: string[]): Promise<PluginRegistry> {
  // check-deps: computed-import the host names its plugin loader (train imports only core)
  const loader = (await import(loaderModule)) as {
    registryFromModuleUrls?: (urls: readonly string[]) => Promise<{ registry: PluginRegistry; diagnostics: { severity: string; message: string }[] }>;
  };
  if (typeof loader.registryFromModuleUrls !== 'function') throw new Error(`${loaderModule} exports no registryFromModuleUrls()`);
  const loaded = await loader.registryFromModuleUrls(urls);
  const errors = loaded.diagnostics.filter((d) => d.severity === 'error');
  if (errors.length > 0) throw new Error(errors.map((d) => d.message).join('; '));
  return loaded.registry;
}

function size(shape: readonly (number | string)[]): number {
  return shape.reduce<number>((a, d) => a * (typeof d === 'number' ? d : 1), 1);
}

async function shard<T>(s: State<T>, params: (Float32Array | Int32Array)[], batch: Batch, seed: number): Promise<{ result: ShardResult; transfer: ArrayBuffer[] }> {
  const rt = s.rt;
  s.store.setValues(params);
  s.math.setRngState({ seed, counter: 0 });
  const { loss, grads, stats, bufferUpdates } = trainStep(s.setup, s.store, s.rules, s.penalties, s.math, batch);
  const f32 = async (t: T) => Float32Array.from((await rt.read(t)) as Float32Array);
  const result: ShardResult = {
    loss: (await rt.read(loss))[0]!,
    grads: await Promise.all(s.store.trainable.map(async ({ name, v }) => (grads[name] !== undefined ? await f32(grads[name]!) : new Float32Array(rt.shape(v).reduce((a, b) => a * b, 1))))),
    stats: await Promise.all(stats.map(async (st) => Object.fromEntries(await Promise.all(Object.entries(st).map(async ([k, t]) => [k, await f32(t)] as const))))),
    buffers: Object.fromEntries(await Promise.all([...bufferUpdates].map(async ([k, t]) => [k, await f32(t)] as const))),
  };
  rt.dispose([loss, ...Object.values(grads), ...stats.flatMap((st) => Object.values(st)), ...bufferUpdates.values()]);
  const transfer = [...result.grads, ...result.stats.flatMap((st) => Object.values(st)), ...Object.values(result.buffers)].map((a) => a.buffer as ArrayBuffer);
  return { result, transfer };
}

port.on('message', async (m: { kind: 'init'; init: WorkerInit } | { kind: 'shard'; params: (Float32Array | Int32Array)[]; batch: Batch; seed: number }) => {
  try {
    if (m.kind === 'init') {
      await init(m.init);
      port.postMessage({ ok: true });
    } else {
      const { result, transfer } = await shard(state!, m.params, m.batch, m.seed);
      port.postMessage({ ok: true, result }, transfer);
    }
  } catch (e) {
    // A dlm diagnostic (a plugin's DLM5060, a runtime's out-of-memory) is plain data: it crosses
    // back whole, so the main thread reports the same diagnostic as with one thread.
    const diagnostics = e instanceof TrainingError ? e.diagnostics : undefined;
    port.postMessage({ ok: false, error: e instanceof Error ? e.message : String(e), ...(diagnostics ? { diagnostics } : {}) });
  }
});

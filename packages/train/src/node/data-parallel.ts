/**
 * Data-parallel training over worker threads: each step's batch is split into shards; the main
 * thread computes the first shard's gradients while each worker computes another's on its own
 * runtime (for tfjs: a single-threaded WASM backend); the gradients, losses, metric statistics
 * and batch-norm updates are combined weighted by shard size. On two cores this beats one WASM instance with two
 * threads, whose thread pool spins on small convolutions (docs/benchmarks.md).
 *
 * The model, the train block and the weights are plain data, so they cross to a worker as they
 * are; plugin code cannot, so a worker re-loads the standard plugin and every plugin the caller
 * names (`pluginUrls`), and builds its runtime from the module the main runtime names. Batch norm
 * sees per-shard statistics, as PyTorch's DistributedDataParallel without SyncBatchNorm does.
 */
import { Worker } from 'node:worker_threads';
import type { Batch, Diagnostic } from '@dlm/core';
import { TrainingError } from '../common.js';
import type { ShardInit } from '../trainer.js';
import type { ShardPool, ShardResult } from '../supervised.js';

export interface WorkerInit extends ShardInit {
  /** Module URLs of every plugin of the registry, in registration order. */
  pluginUrls: string[];
  /** URL of the module whose `createWorkerRuntime()` gives each worker its runtime. */
  runtimeModule: string;
  /** URL of the host's plugin loader (`registryFromModuleUrls`, @dlm/plugin-loader): the workers build their registry with it. */
  loaderModule?: string;
}

type Reply = { ok: true; result?: ShardResult } | { ok: false; error: string; diagnostics?: Diagnostic[] };

/** One worker thread running shards. Messages are answered in order. */
export class ShardWorker {
  private readonly worker: Worker;
  private pending: { resolve: (r: Reply) => void }[] = [];

  private constructor(worker: Worker) {
    this.worker = worker;
    worker.on('message', (m: Reply) => this.pending.shift()?.resolve(m));
    worker.on('error', (e) => {
      for (const p of this.pending.splice(0)) p.resolve({ ok: false, error: e.message });
    });
    worker.on('exit', (code) => {
      for (const p of this.pending.splice(0)) p.resolve({ ok: false, error: `the worker thread exited (code ${code})` });
    });
    // Not unref()'d: the main thread awaits its replies. The trainer closes workers when it ends.
  }

  static async start(init: WorkerInit): Promise<ShardWorker> {
    const here = import.meta.url;
    // From source (tests, tsx) the worker is TypeScript: a small bootstrap registers tsx in the
    // thread and resolves workspace packages to their sources, as the parent does; built, the
    // worker is plain JavaScript.
    const fromSource = here.endsWith('.ts');
    const url = new URL(fromSource ? './shard-worker.ts' : './shard-worker.js', here);
    const worker = fromSource
      ? new Worker(
          `import('tsx/esm/api').then(({ register }) => { register(); return import(${JSON.stringify(url.href)}); }).catch((e) => { throw e; });`,
          { eval: true, execArgv: ['--conditions=@dlm/source'] },
        )
      : new Worker(url);
    const w = new ShardWorker(worker);
    const reply = await w.request({ kind: 'init', init });
    if (!reply.ok) {
      await worker.terminate();
      throw new Error(reply.error);
    }
    return w;
  }

  request(message: unknown, transfer: ArrayBuffer[] = []): Promise<Reply> {
    return new Promise((resolve) => {
      this.pending.push({ resolve });
      this.worker.postMessage(message, transfer);
    });
  }

  /** Computes one shard with the given parameter values (all params, `graph.params` order). */
  async shard(params: (Float32Array | Int32Array)[], batch: Batch, seed: number): Promise<ShardResult> {
    const reply = await this.request({ kind: 'shard', params, batch, seed });
    if (!reply.ok) throw reply.diagnostics ? new TrainingError(reply.diagnostics) : new Error(reply.error);
    return reply.result!;
  }

  async close(): Promise<void> {
    await this.worker.terminate();
  }
}

/**
 * Starts `threads - 1` shard workers (this thread computes one shard too) as a `ShardPool`; says
 * why and returns undefined (train on one thread) when it cannot.
 */
export async function startShardPool(init: WorkerInit, threads: number, log?: (m: string) => void): Promise<ShardPool | undefined> {
  const started = await Promise.allSettled(Array.from({ length: threads - 1 }, () => ShardWorker.start(init)));
  const workers = started.filter((r): r is PromiseFulfilledResult<ShardWorker> => r.status === 'fulfilled').map((r) => r.value);
  const failed = started.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) {
    await Promise.all(workers.map((w) => w.close()));
    log?.(`data-parallel training off: a worker could not start (${failed.reason instanceof Error ? failed.reason.message : String(failed.reason)}); training on one thread`);
    return undefined;
  }
  return {
    size: workers.length,
    shard: (i, params, batch, seed) => workers[i]!.shard(params, batch, seed),
    close: async () => {
      await Promise.all(workers.map((w) => w.close()));
    },
  };
}

/**
 * Data-parallel training over worker threads: each step's batch is split into shards; the main
 * thread computes the first shard's gradients while each worker computes another's on its own
 * single-threaded WASM backend; the gradients, losses, metric statistics and batch-norm updates
 * are combined weighted by shard size. On two cores this beats one WASM instance with two
 * threads, whose thread pool spins on small convolutions (docs/benchmarks.md).
 *
 * The model, the train block and the weights are plain data, so they cross to a worker as they
 * are; plugin code cannot, so a worker re-loads the standard plugin and every plugin the caller
 * names (`pluginSpecs`). Batch norm sees per-shard statistics, as PyTorch's DistributedDataParallel
 * without SyncBatchNorm does.
 */
import { Worker } from 'node:worker_threads';
import type { Batch, Graph, TrainingSpec } from '@dlm/core';

export interface WorkerInit {
  graph: Graph;
  training: TrainingSpec;
  inputName: string;
  outputName: string;
  classes?: number;
  /** Module URLs of the plugins besides @dlm/plugin-std, in registration order. */
  pluginUrls: string[];
  seed: number;
}

export interface ShardResult {
  loss: number;
  /** Gradients of the trainable parameters, in `graph.params` order of the trainable ones. */
  grads: Float32Array[];
  /** Per metric, its statistics by name. */
  stats: Record<string, Float32Array>[];
  /** Batch-norm buffer updates by parameter name. */
  buffers: Record<string, Float32Array>;
}

type Reply = { ok: true; result?: ShardResult } | { ok: false; error: string };

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
    if (!reply.ok) throw new Error(reply.error);
    return reply.result!;
  }

  async close(): Promise<void> {
    await this.worker.terminate();
  }
}

/** Splits a batch into `parts` contiguous shards of near-equal size (the first ones larger). */
export function splitBatch(b: Batch, parts: number): Batch[] {
  const n = b.xShape[0]!;
  const xPer = b.x.length / n;
  const yPer = b.y.length / n;
  const out: Batch[] = [];
  let start = 0;
  for (let i = 0; i < parts; i++) {
    const size = Math.floor(n / parts) + (i < n % parts ? 1 : 0);
    if (size === 0) continue;
    out.push({
      x: b.x.slice(start * xPer, (start + size) * xPer),
      xShape: [size, ...b.xShape.slice(1)],
      y: b.y.slice(start * yPer, (start + size) * yPer),
      yShape: [size, ...b.yShape.slice(1)],
    });
    start += size;
  }
  return out;
}

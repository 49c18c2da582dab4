/**
 * Training in a run folder: the pure loop of `@dlm/train` with checkpoints in `runDir`
 * (node/checkpoint.ts), datasets opened relative to the `.dlm` file, and data-parallel worker
 * threads. `evaluate` and `predict` read a checkpoint or run folder; reading weights needs no
 * runtime at all (`readCheckpointWeights`), so `dlm export --checkpoint` starts none.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { diag, type Diagnostic, type Graph, type PhaseResult, type PluginCall, type SafetensorsTensor } from '@dlm/core';
import * as pure from '../trainer.js';
import { TrainingError } from '../common.js';
import type { EvalResult } from '../supervised.js';
import type { CheckpointData, CheckpointState, CheckpointStore, Preprocessing } from '../state.js';
import { irHash, lastCheckpoint, loadCheckpoint, saveCheckpoint } from './checkpoint.js';
import { startShardPool } from './data-parallel.js';
import { describeFsError, lockRunFolder, removeLeftovers } from './run-lock.js';
import { RunLogs } from './run-logs.js';
import { chooseRunFolder, fingerprintDifferences, runFingerprint, type FingerprintInput, type RunFingerprint } from './fingerprint.js';

/** Where datasets look for files and cache downloads (see `DatasetOpenContext`). */
export interface FolderDataOptions {
  /** Directory that source file names in spans are relative to (the CLI's cwd); default process.cwd(). */
  sourceRoot?: string;
  /** Where datasets cache downloads; default `<runDir>/../.cache`. */
  cacheDir?: string;
  /** Download mirror for datasets (tests). */
  mirror?: string;
}

export interface FolderTrainOptions<T> extends Omit<pure.TrainOptions<T>, 'checkpoints' | 'datasetContext' | 'shardPool' | 'initWeights'>, FolderDataOptions {
  /**
   * Checkpoint directory of this run, e.g. runs/<model>. When it holds another run (another
   * model, dataset or settings: see node/fingerprint.ts), a new folder beside it is used and the
   * result says which; `resume` is then an error (DLM5084).
   */
  runDir: string;
  /** Fine-tune: start from this checkpoint's (or run folder's) weights, checked against the model; optimizer state and history start fresh. */
  initFrom?: string;
  /** Keep only the newest N epoch checkpoints (default: all). */
  keepLast?: number;
  /**
   * Data-parallel training: each batch is split over this many threads (this one plus workers,
   * each with the runtime's worker runtime). Default 1.
   */
  workers?: number;
  /** Module URLs of every plugin of `registry`, in registration order: workers re-load them. */
  pluginModules?: string[];
  /**
   * URL of the module exporting `registryFromModuleUrls` (@dlm/plugin-loader's `PLUGIN_LOADER_MODULE`):
   * workers then load plugins exactly as the host did. Absent: workers import the modules themselves.
   */
  pluginLoaderModule?: string;
  /** Encodes the GAN's per-epoch sample grid as PNG (`@dlm/report`'s sampleGridPng); absent: no grids. */
  encodeSamples?: (data: Float32Array, n: number, c: number, h: number, w: number) => Uint8Array;
}

/**
 * A `CheckpointStore` over a run folder: `runDir/epoch-N/`, `runDir/last`, `runDir/samples/`, and
 * after each checkpoint the logs other tools read (metrics.csv, TensorBoard events; run-logs.ts).
 * With `fingerprint`, every checkpoint records which run it belongs to (fingerprint.ts).
 */
export function folderCheckpoints(runDir: string, opts: Pick<FolderTrainOptions<unknown>, 'keepLast' | 'encodeSamples' | 'log'> & { fingerprint?: RunFingerprint } = {}): CheckpointStore {
  const encode = opts.encodeSamples;
  const logs = new RunLogs(runDir, opts.log);
  const fingerprint = opts.fingerprint;
  return {
    location: runDir,
    irHash,
    async last(graphs) {
      const dir = await lastCheckpoint(runDir);
      if (!dir) return undefined;
      const loaded = await loadCheckpoint(dir, graphs, { sameGraph: true });
      if (!loaded.result) throw new TrainingError(loaded.diagnostics);
      return { dir, data: loaded.result };
    },
    // Node's raw messages ("EEXIST: file already exists, mkdir …") become sentences with the path.
    save: (data: CheckpointData) =>
      saveCheckpoint(runDir, fingerprint ? { ...data, state: { ...data.state, fingerprint } } : data, opts.keepLast !== undefined ? { keepLast: opts.keepLast } : {})
        .then(async (dir) => {
          await logs.record(data.state.history);
          return dir;
        })
        .catch((e: unknown) => {
          throw new Error(describeFsError(e, runDir));
        }),
    ...(encode
      ? {
          async writeSamples(epoch, g) {
            const dir = path.join(runDir, 'samples');
            await fs.mkdir(dir, { recursive: true });
            await fs.writeFile(path.join(dir, `epoch-${epoch}.png`), encode(g.data, g.n, g.c, g.h, g.w));
          },
        }
      : {}),
  };
}

/**
 * Opens datasets as a command line does: paths in a .dlm file are relative to that file. A
 * message a dataset repeats (the same note for its train and test split) is passed on once.
 */
export function folderDatasets(o: FolderDataOptions & { runDir: string; log?: (m: string) => void }): pure.DatasetContext {
  const said = new Set<string>();
  const log = (m: string): void => {
    if (said.has(m)) return;
    said.add(m);
    o.log?.(m);
  };
  return (call: PluginCall) => ({
    cacheDir: o.cacheDir ?? `${o.runDir}/../.cache`,
    ...(o.mirror ? { mirror: o.mirror } : {}),
    // Paths written in a .dlm file are relative to that file; a --data override has no span.
    ...(call.span?.file ? { baseDir: path.dirname(path.resolve(o.sourceRoot ?? '.', call.span.file)) } : {}),
    log,
  });
}

/** What an engine needs to write checkpoints of one run into a run folder (see `openRunFolder`). */
export interface OpenedRunFolder {
  /** The folder used: the one asked for, or one beside it when that holds another run. */
  runDir: string;
  fingerprint: RunFingerprint;
  /** Writes checkpoints (with the fingerprint) into `runDir`. */
  checkpoints: CheckpointStore;
  /** A fine-tune's starting weights (`initFrom`), checked against the model(s). */
  init?: { dir: string; weights: Map<string, SafetensorsTensor> };
  /** Releases the folder's lock. */
  close(): Promise<void>;
}

/**
 * Opens the run folder of one training run, for any engine: fingerprints the run, chooses the
 * folder (`chooseRunFolder`: another run's folder is left alone, --resume finds or refuses),
 * reads and checks `initFrom`'s weights, takes the folder's lock (which also proves it writable)
 * and removes an interrupted run's leftovers. Diagnostics (DLM5050, DLM5062, DLM5068, DLM5073,
 * DLM5074, DLM5084, warning DLM5085) instead of a folder when it cannot be used.
 */
export async function openRunFolder(
  o: FingerprintInput & Pick<FolderTrainOptions<unknown>, 'keepLast' | 'encodeSamples' | 'resume' | 'log'> & { runDir: string },
): Promise<PhaseResult<OpenedRunFolder | undefined>> {
  if (o.initFrom && o.resume) return { result: undefined, diagnostics: [diag('DLM5062', ['--init-from', 'used without --resume (a fine-tune starts a new run)', '--resume as well'])] };
  const names = o.training.kind === 'gan' ? [o.training.generator, o.training.discriminator] : [o.training.model];
  const models = names.flatMap((n) => o.program.models.filter((m) => m.name === n));
  // A fine-tune's weights must fit the model (DLM5050 lists every mismatch) before anything starts.
  let init: OpenedRunFolder['init'];
  if (o.initFrom) {
    const w = await readCheckpointWeights(o.initFrom, models);
    if (!w.result) return { result: undefined, diagnostics: w.diagnostics };
    init = { dir: path.resolve(w.result.dir), weights: w.result.weights };
  }
  const fingerprint = runFingerprint({ ...o, ...(init ? { initFrom: init.dir } : {}) });
  const chosen = await chooseRunFolder(o.runDir, fingerprint, { resume: !!o.resume });
  if ('error' in chosen) return { result: undefined, diagnostics: [chosen.error] };
  const runDir = chosen.dir;
  if (chosen.moved) o.log?.(chosen.moved);
  const locked = await lockRunFolder(runDir);
  if ('diagnostic' in locked) return { result: undefined, diagnostics: [...chosen.diagnostics, locked.diagnostic] };
  const removed = await removeLeftovers(runDir);
  if (removed.length > 0) o.log?.(`removed ${removed.length} unfinished checkpoint write(s) left in ${runDir} by an interrupted run: ${removed.join(', ')}`);
  if (init) o.log?.(`fine-tuning: starting from the weights of ${init.dir}`);
  const checkpoints = folderCheckpoints(runDir, { fingerprint, ...(o.keepLast !== undefined ? { keepLast: o.keepLast } : {}), ...(o.encodeSamples ? { encodeSamples: o.encodeSamples } : {}), ...(o.log ? { log: o.log } : {}) });
  return { result: { runDir, fingerprint, checkpoints, ...(init ? { init } : {}), close: () => locked.lock.release() }, diagnostics: chosen.diagnostics };
}

export async function train<T>(opts: FolderTrainOptions<T>): Promise<PhaseResult<(pure.TrainResult & { runDir: string }) | undefined>> {
  const { runDir: _asked, keepLast: _k, workers, pluginModules, pluginLoaderModule, encodeSamples: _e, sourceRoot, cacheDir, mirror, initFrom: _i, ...rest } = opts;
  const threads = Math.max(1, Math.floor(workers ?? 1));
  const rt = opts.runtime;
  let shardPool: pure.TrainOptions<T>['shardPool'];
  if (threads > 1) {
    const why = !rt.worker ? `the ${rt.name} runtime has no worker runtime` : rt.worker.unavailable ?? (!pluginModules ? 'the caller did not say which plugin modules the workers must load' : undefined);
    if (why) opts.log?.(`data-parallel training off: ${why}; training on one thread`);
    else {
      shardPool = async (init) => {
        const pool = await startShardPool({ ...init, pluginUrls: pluginModules!, runtimeModule: rt.worker!.module, ...(pluginLoaderModule ? { loaderModule: pluginLoaderModule } : {}) }, threads, opts.log);
        if (pool) opts.log?.(`data-parallel training: each batch split over ${threads} threads (this one and ${threads - 1} worker${threads === 2 ? '' : 's'}, ${rt.worker!.describe})`);
        return pool;
      };
    }
  }
  const opened = await openRunFolder(opts);
  if (!opened.result) return { result: undefined, diagnostics: opened.diagnostics };
  const { runDir, init, checkpoints } = opened.result;
  try {
    const r = await pure.train({
      ...rest,
      ...(init ? { initWeights: init.weights } : {}),
      checkpoints,
      datasetContext: folderDatasets({ runDir, ...(sourceRoot ? { sourceRoot } : {}), ...(cacheDir ? { cacheDir } : {}), ...(mirror ? { mirror } : {}), ...(opts.log ? { log: opts.log } : {}) }),
      ...(shardPool ? { shardPool } : {}),
    });
    return { result: r.result ? { ...r.result, runDir } : undefined, diagnostics: [...opened.diagnostics, ...r.diagnostics] };
  } finally {
    await opened.result.close();
  }
}

/** A checkpoint directory as given, or the `last` one of a run directory; DLM5055 when neither. */
export async function resolveCheckpointDir(p: string): Promise<PhaseResult<string | undefined>> {
  const last = await lastCheckpoint(p);
  if (last) return { result: last, diagnostics: [] };
  // `runs/<model>/last` itself: the pointer file names the epoch directory beside it.
  if ((await fs.stat(p).catch(() => undefined))?.isFile() && path.basename(p) === 'last') {
    const pointed = await lastCheckpoint(path.dirname(p));
    if (pointed) return { result: pointed, diagnostics: [] };
  }
  try {
    await fs.access(`${p}/state.json`);
    return { result: p, diagnostics: [] };
  } catch {
    return { result: undefined, diagnostics: [diag('DLM5055', [p])] };
  }
}

/**
 * What a checkpoint is about to be used for, checked against its fingerprint (DLM5086 naming both
 * sides): the models always (their IR hash, recorded in every checkpoint), the dataset when given
 * and the checkpoint records one.
 */
export interface CheckpointUse {
  /** 'evaluation', 'prediction'. */
  purpose: string;
  /** The IR hash of each model, by name, and for an evaluation the dataset (see `runFingerprint`). */
  fingerprint: Pick<RunFingerprint, 'models'> & Partial<Pick<RunFingerprint, 'data'>>;
}

function checkUse(dir: string, state: CheckpointState, use: CheckpointUse): Diagnostic | undefined {
  // Compare only the models this use runs (predicting with a GAN's generator ignores its discriminator).
  const recordedModels = state.fingerprint?.models ?? state.irHash ?? {};
  const names = Object.keys(use.fingerprint.models).filter((m) => recordedModels[m] !== undefined);
  const theirs: Partial<RunFingerprint> = { models: Object.fromEntries(names.map((m) => [m, recordedModels[m]!])), ...(state.fingerprint ? { data: state.fingerprint.data } : {}) };
  const ours: Partial<RunFingerprint> = { models: Object.fromEntries(names.map((m) => [m, use.fingerprint.models[m]!])), ...(use.fingerprint.data !== undefined ? { data: use.fingerprint.data } : {}) };
  const parts = use.fingerprint.data !== undefined && state.fingerprint ? (['models', 'data'] as const) : (['models'] as const);
  const diff = fingerprintDifferences(ours, theirs, parts, { ours: `this ${use.purpose}`, theirs: 'the checkpoint' });
  if (diff.notes.length === 0) return undefined;
  return diag('DLM5086', [dir, use.purpose, `it was trained for ${diff.summary}`], undefined, diff.notes);
}

/** The weights of a checkpoint or run folder, checked against the model(s) and, with `use`, what they are used for. No runtime involved. */
export async function readCheckpointWeights(
  checkpoint: string,
  graphs: Graph | readonly Graph[],
  use?: CheckpointUse,
): Promise<PhaseResult<{ dir: string; weights: Map<string, SafetensorsTensor>; preprocessing?: Preprocessing } | undefined>> {
  const dir = await resolveCheckpointDir(checkpoint);
  if (!dir.result) return { result: undefined, diagnostics: dir.diagnostics };
  const loaded = await loadCheckpoint(dir.result, graphs, { optimizerOptional: true });
  if (!loaded.result) return { result: undefined, diagnostics: loaded.diagnostics };
  const mismatch = use ? checkUse(dir.result, loaded.result.state, use) : undefined;
  if (mismatch) return { result: undefined, diagnostics: [...loaded.diagnostics, mismatch] };
  const preprocessing = loaded.result.state.preprocessing;
  return { result: { dir: dir.result, weights: loaded.result.weights, ...(preprocessing ? { preprocessing } : {}) }, diagnostics: loaded.diagnostics };
}

export interface FolderEvaluateOptions<T> extends Omit<pure.EvaluateOptions<T>, 'weights' | 'datasetContext'>, FolderDataOptions {
  /** A checkpoint directory, or a run directory (its `last` checkpoint is used). */
  checkpoint: string;
  /** Run directory (for the default dataset cache `<runDir>/../.cache`); default: the checkpoint's parent. */
  runDir?: string;
}

/** Loads the checkpoint and evaluates loss, metrics and (classifiers) the confusion matrix on a split. */
export async function evaluate<T>(opts: FolderEvaluateOptions<T>): Promise<PhaseResult<(EvalResult & { checkpoint: string }) | undefined>> {
  const { checkpoint, runDir, sourceRoot, cacheDir, mirror, ...rest } = opts;
  const model = opts.training.kind === 'supervised' ? opts.program.models.find((m) => m.name === opts.training.model) : undefined;
  if (!model) return pure.evaluate({ ...rest, weights: new Map() }) as Promise<PhaseResult<undefined>>;
  const fp = runFingerprint({ program: opts.program, training: opts.training, registry: opts.registry, ...(opts.data ? { data: opts.data } : {}) });
  const w = await readCheckpointWeights(checkpoint, model, { purpose: 'evaluation', fingerprint: { models: { [model.name]: fp.models[model.name]! }, data: fp.data } });
  if (!w.result) return { result: undefined, diagnostics: w.diagnostics };
  const dir = w.result.dir;
  const r = await pure.evaluate({
    ...rest,
    weights: w.result.weights,
    datasetContext: folderDatasets({ runDir: runDir ?? path.dirname(dir), ...(sourceRoot ? { sourceRoot } : {}), ...(cacheDir ? { cacheDir } : {}), ...(mirror ? { mirror } : {}), ...(opts.log ? { log: opts.log } : {}) }),
  });
  return { result: r.result ? { ...r.result, checkpoint: dir } : undefined, diagnostics: [...w.diagnostics, ...r.diagnostics] };
}

/** Runs the model in inference mode on given inputs with a checkpoint's weights. */
export async function predict<T>(opts: Omit<pure.PredictOptions<T>, 'weights'> & { checkpoint: string }): Promise<PhaseResult<Record<string, { data: Float32Array; shape: number[] }> | undefined>> {
  const w = await readCheckpointWeights(opts.checkpoint, opts.graph, { purpose: 'prediction', fingerprint: { models: { [opts.graph.name]: irHash(opts.graph) } } });
  if (!w.result) return { result: undefined, diagnostics: w.diagnostics };
  const { checkpoint: _, ...rest } = opts;
  const r = await pure.predict({ ...rest, weights: w.result.weights });
  return { result: r.result, diagnostics: [...w.diagnostics, ...r.diagnostics] };
}

/**
 * The train block's dataset opened outside a training run (`dlm predict`, `dlm sample`), with the
 * context `dlm train` gives it (`folderDatasets` of @dlm/train): paths written in the .dlm file
 * are relative to that file, not to the working directory, and downloads are cached beside the
 * run folder. `--data`, `--cache-dir` and `--mirror` act as they do for `dlm train`.
 */
import { resolve } from 'node:path';
import type { DatasetSplit, TrainingSpec } from '@dlm/core';
import { folderDatasets } from '@dlm/train/node';
import { dataOverride, runDirFor } from './training.js';
import type { CommandContext, Loaded } from './workspace.js';

/**
 * `--cache-dir` (resolved against the command's working directory, like every path flag) and
 * `--mirror`, as every command that opens a dataset passes them on; absent flags are left out.
 */
export function datasetFlags(ctx: CommandContext): { cacheDir?: string; mirror?: string } {
  const cacheDir = ctx.values['cache-dir'] as string | undefined;
  const mirror = ctx.values['mirror'] as string | undefined;
  return { ...(cacheDir ? { cacheDir: resolve(ctx.io.cwd, cacheDir) } : {}), ...(mirror ? { mirror } : {}) };
}

/** One split of the dataset `spec` trains on; throws (a `DatasetError`, or `Error` for an unknown name) when it cannot be opened. */
export async function openTrainingSplit(ctx: CommandContext, loaded: Loaded, spec: TrainingSpec, split: 'train' | 'test'): Promise<{ name: string; split: DatasetSplit }> {
  const call = dataOverride(ctx, loaded, spec) ?? spec.data;
  const ds = loaded.registry.get('dataset', call.name);
  if (!ds) throw new Error(`unknown dataset '${call.name}'`);
  const context = folderDatasets({ runDir: runDirFor(ctx, spec), sourceRoot: ctx.io.cwd, ...datasetFlags(ctx) })(call);
  const defaults = Object.fromEntries(ds.def.args.filter((a) => a.default !== undefined).map((a) => [a.name, a.default]));
  return { name: call.name, split: await ds.def.open({ ...defaults, ...call.args } as never, { ...context, split }) };
}

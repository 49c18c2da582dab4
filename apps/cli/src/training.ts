/** Shared by train / eval: choosing the train block, the backend, and data overrides. */
import { resolve } from 'node:path';
import type { Graph, PluginCall, Program, TrainingSpec } from '@dlm/core';
import type { BackendChoice, TfjsRuntime } from '@dlm/tfjs';
import { loadTfjs } from './backends.js';
import { CliError } from './io.js';
import type { CommandContext, Loaded } from './workspace.js';
import { snakeCase } from './workspace.js';

const BACKENDS: BackendChoice[] = ['auto', 'webgpu', 'wasm', 'cpu'];

/** The train block for `--model`, or the file's only/first one. */
export function pickTraining(program: Program, model: string | undefined): TrainingSpec {
  if (program.trainings.length === 0) throw new CliError('the file has no train block: add `train <Model> { data … loss … optimizer … }`');
  if (!model) return program.trainings[0]!;
  const t = program.trainings.find((s) => s.model === model || s.generator === model || s.discriminator === model);
  if (!t) throw new CliError(`no train block for model '${model}'; the file trains ${program.trainings.map((s) => `'${s.model}'`).join(', ')}`);
  return t;
}

/** Starts the backend and says which one runs and why (never a silent fallback); returns the tfjs runtime over it. */
export async function startRuntime(ctx: CommandContext): Promise<TfjsRuntime> {
  const choice = ((ctx.values['backend'] as string | undefined) ?? 'auto') as BackendChoice;
  if (!BACKENDS.includes(choice)) throw new CliError(`unknown backend '${choice}'; use one of ${BACKENDS.join(', ')}`, 2);
  // Outside the try: a missing @dlm/tfjs is DLM9005 ("install @dlm/tfjs to …"), printed as a diagnostic.
  const { setupBackend, tfjsRuntime } = await loadTfjs('train, evaluate and predict');
  try {
    const info = await setupBackend(choice);
    ctx.io.stderr(`backend: ${info.backend} (${info.reason}${info.adapter ? `; adapter: ${info.adapter}` : ''})\n`);
    return tfjsRuntime(info.backend);
  } catch (e) {
    throw new CliError(e instanceof Error ? e.message : String(e));
  }
}

/** `--data fashion-mnist` replaces the dataset, keeping the batch size and shuffling of the train block. */
export function dataOverride(ctx: CommandContext, loaded: Loaded, spec: TrainingSpec): PluginCall | undefined {
  const name = ctx.values['data'] as string | undefined;
  if (!name) return undefined;
  const normalized = name.replace(/-/g, '_');
  const def = loaded.registry.get('dataset', normalized);
  if (!def) {
    const hint = loaded.registry.suggest('dataset', normalized);
    throw new CliError(`unknown dataset '${name}'.${hint ? ` Did you mean '${hint}'?` : ''} Run 'dlm plugins' to list datasets.`, 2);
  }
  const keep = new Set(def.def.args.map((a) => a.name));
  const args = Object.fromEntries(Object.entries(spec.data.args).filter(([k]) => keep.has(k) && (k === 'batch' || k === 'shuffle')));
  return { name: normalized, args };
}

export function runDirFor(ctx: CommandContext, spec: TrainingSpec): string {
  const given = ctx.values['run-dir'] as string | undefined;
  const name = spec.kind === 'gan' ? `${snakeCase(spec.generator ?? 'gan')}_gan` : snakeCase(spec.model);
  return resolve(ctx.io.cwd, given ?? `runs/${name}`);
}

export function positiveInt(ctx: CommandContext, key: string): number | undefined {
  const v = ctx.values[key] as string | undefined;
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n <= 0) throw new CliError(`--${key} must be a positive integer, got '${v}'`, 2);
  return n;
}

/** The models a train block trains: its model, or a GAN's generator and discriminator. */
export function trainedModels(program: Program, spec: TrainingSpec): Graph[] {
  const names = spec.kind === 'gan' ? [spec.generator, spec.discriminator] : [spec.model];
  return program.models.filter((m) => names.includes(m.name));
}

/** The batch size a dataset call trains with (its `batch` argument or the dataset's default; 32 when it declares none). */
export function batchSizeOf(loaded: Loaded, call: PluginCall): number {
  const declared = loaded.registry.get('dataset', call.name)?.def.args.find((a) => a.name === 'batch')?.default;
  const b = call.args['batch'] ?? declared;
  return typeof b === 'number' && b >= 1 ? Math.floor(b) : 32;
}

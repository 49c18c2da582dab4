/** Weights for export: from a checkpoint (any run layout) or freshly initialized with a seed. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { initializeParams, type Diagnostic, type Graph, type Program } from '@dlm/core';
// Reading weights needs no runtime: `dlm export --checkpoint` neither loads nor starts tfjs.
import { checkpointParamName, loadCheckpoint, resolveCheckpointDir } from '@dlm/train/node';
import type { Preprocessing } from '@dlm/train';
import { CliError } from './io.js';

export async function weightsFor(
  program: Program,
  graph: Graph,
  checkpoint: string | undefined,
  seed: number,
): Promise<{ weights: Map<string, Float32Array>; diagnostics: Diagnostic[]; source: string; preprocessing?: Preprocessing }> {
  if (!checkpoint) return { weights: initializeParams(graph, seed), diagnostics: [], source: `initial weights (seed ${seed})` };
  const found = await resolveCheckpointDir(checkpoint);
  if (!found.result) return { weights: new Map(), diagnostics: found.diagnostics, source: checkpoint };
  const dir = found.result;
  // A GAN checkpoint holds several models; its state names them ("Generator+Discriminator").
  let names = [graph.name];
  try {
    const state = JSON.parse(readFileSync(join(dir, 'state.json'), 'utf8')) as { model?: string };
    if (typeof state.model === 'string' && state.model.includes('+')) names = state.model.split('+');
  } catch {
    // loadCheckpoint reports unreadable state below.
  }
  const graphs = names.map((n) => program.models.find((m) => m.name === n)).filter((g): g is Graph => g !== undefined);
  if (!graphs.includes(graph)) {
    throw new CliError(`checkpoint '${dir}' was written for ${names.map((n) => `'${n}'`).join(' and ')}, not for '${graph.name}'`);
  }
  // Export never uses the optimizer state: a damaged optimizer file is a warning here, not a refusal.
  const loaded = await loadCheckpoint(dir, graphs, { optimizerOptional: true });
  if (!loaded.result) return { weights: new Map(), diagnostics: loaded.diagnostics, source: dir };
  const prefix = checkpointParamName(graphs, graph, '');
  const weights = new Map<string, Float32Array>();
  for (const [name, t] of loaded.result.weights) {
    if (!name.startsWith(prefix)) continue;
    weights.set(name.slice(prefix.length), t.data instanceof Float32Array ? t.data : Float32Array.from(t.data as ArrayLike<number>, Number));
  }
  const preprocessing = graphs.length === 1 ? loaded.result.state.preprocessing : undefined;
  return { weights, diagnostics: loaded.diagnostics, source: dir, ...(preprocessing ? { preprocessing } : {}) };
}

/**
 * The checkpoint's preprocessing as one affine map (x − sub) / div on the model's only f32 input,
 * or undefined when there is none or it does not fit the input (then nothing is put in front).
 * Pixel scalings are affine in the raw 0..255 value: unit x/255, tanh (x − 127.5)/127.5,
 * standard (x/255 − mean)/std = (x − 255·mean)/(255·std), per channel of [batch, C, H, W].
 */
export function inputScalingOf(graph: Graph, prep: Preprocessing | undefined): { input: string; sub: number[]; div: number[]; dims: number[]; describe: string } | undefined {
  const input = graph.inputs.length === 1 ? graph.inputs[0]! : undefined;
  if (!prep || !input || input.type.dtype !== 'f32') return undefined;
  const shape = input.type.shape;
  if (prep.standardize && shape[shape.length - 1] === prep.standardize.mean.length) {
    const { mean, std } = prep.standardize;
    return { input: input.name, sub: [...mean], div: [...std], dims: [mean.length], describe: 'standardize' };
  }
  const channels = shape[1];
  if (prep.pixels && shape.length === 4 && typeof channels === 'number') {
    const { scale, mean, std } = prep.pixels;
    const per = (f: (c: number) => number) => Array.from({ length: channels }, (_, c) => f(c));
    const m = (c: number) => mean[c] ?? mean[0] ?? 0;
    const s = (c: number) => std[c] ?? std[0] ?? 1;
    const sub = scale === 'unit' ? per(() => 0) : scale === 'tanh' ? per(() => 127.5) : per((c) => 255 * m(c));
    const div = scale === 'unit' ? per(() => 255) : scale === 'tanh' ? per(() => 127.5) : per((c) => 255 * s(c));
    return { input: input.name, sub, div, dims: [channels, 1, 1], describe: `pixels ${scale}` };
  }
  return undefined;
}

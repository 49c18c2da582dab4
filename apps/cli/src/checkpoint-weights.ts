/** Weights for export: from a checkpoint (any run layout) or freshly initialized with a seed. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { initializeParams, type Diagnostic, type Graph, type Program } from '@dlm/core';
// Reading weights needs no runtime: `dlm export --checkpoint` neither loads nor starts tfjs.
import { checkpointParamName, loadCheckpoint, resolveCheckpointDir } from '@dlm/train/node';
import { CliError } from './io.js';

export async function weightsFor(
  program: Program,
  graph: Graph,
  checkpoint: string | undefined,
  seed: number,
): Promise<{ weights: Map<string, Float32Array>; diagnostics: Diagnostic[]; source: string }> {
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
  return { weights, diagnostics: loaded.diagnostics, source: dir };
}

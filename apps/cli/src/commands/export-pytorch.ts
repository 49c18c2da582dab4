/**
 * `dlm export --format pytorch`: the model as a readable PyTorch module (model.py) plus its
 * weights next to it (model.safetensors, dlm's names and layouts, loadable with
 * `model.load_state_dict(load_safetensors(...))`). Feasibility is checked before anything is written.
 */
import { basename, dirname, join } from 'node:path';
import { diag, writeSafetensors, type Graph, type SafetensorsTensor } from '@dlm/core';
import { printDiagnostics, type CommandContext } from '../workspace.js';
import { writeFileAtomic } from '../files.js';
import { CliError } from '../io.js';

export function writePytorchExport(
  ctx: CommandContext,
  torch: typeof import('@dlm/torch'),
  graph: Graph,
  weights: ReadonlyMap<string, Float32Array>,
  weightsSource: string,
  sourceFile: string,
  out: string,
  sources: Map<string, string>,
): number {
  const exported = torch.exportPytorch(graph, { sourceFile });
  printDiagnostics(ctx, exported.diagnostics, sources);
  if (!exported.result) throw new CliError(`model '${graph.name}' cannot be written as PyTorch; nothing was written`);
  const weightsFile = join(dirname(out), `${basename(out).replace(/\.py$/, '')}.safetensors`);
  const tensors = new Map<string, SafetensorsTensor>();
  for (const p of graph.params) {
    const data = weights.get(p.name)!;
    const shape = p.type.shape as number[];
    tensors.set(p.name, p.type.dtype === 'f32' ? { dtype: 'F32', shape, data } : p.type.dtype === 'i64' ? { dtype: 'I64', shape, data: BigInt64Array.from(data, (v) => BigInt(Math.round(v))) } : { dtype: 'I32', shape, data: Int32Array.from(data, Math.round) });
  }
  for (const [file, data] of [
    [out, exported.result],
    [weightsFile, writeSafetensors(tensors, { model: graph.name, weights: weightsSource })],
  ] as const) {
    try {
      writeFileAtomic(file, data);
    } catch (e) {
      printDiagnostics(ctx, [diag('DLM6105', [file, e instanceof Error ? e.message : String(e)])], sources);
      return 1;
    }
  }
  ctx.io.stdout(`wrote ${out} (${graph.name}, PyTorch module) and ${weightsFile} (${weightsSource})\n`);
  return 0;
}

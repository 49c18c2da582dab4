import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { hasErrors } from '@dlm/core';
import { DEFAULT_OPSET, checkWeights, exportOnnx, writeOnnxFile } from '@dlm/onnx';
import type { Command } from './index.js';
import { compileOrFail, loadPlugins, pickModel, printDiagnostics, requireOneFile, snakeCase } from '../workspace.js';
import { weightsFor } from '../checkpoint-weights.js';
import { CliError } from '../io.js';

/**
 * `dlm export`: the inference graph as ONNX. Feasibility (every op at the chosen opset) and the
 * weights are checked before anything is written; the file is written atomically.
 */
export const exportCommand: Command = {
  name: 'export',
  summary: 'export a model to ONNX (initial or checkpoint weights)',
  usage: 'export <file.dlm> [-o model.onnx] [--checkpoint DIR] [--opset 13..17] [--model Name] [--seed N]',
  help: { opset: 'ONNX opset, 13 to 17 (default 17)', seed: 'seed of the initial weights when no --checkpoint is given' },
  options: {
    output: { type: 'string', short: 'o' },
    checkpoint: { type: 'string' },
    opset: { type: 'string' },
    model: { type: 'string' },
    seed: { type: 'string' },
  },
  async run(ctx) {
    const file = requireOneFile(ctx, 'export');
    const opsetText = ctx.values['opset'] as string | undefined;
    const opset = opsetText === undefined ? DEFAULT_OPSET : Number(opsetText);
    if (!Number.isInteger(opset)) throw new CliError(`--opset must be an integer, got '${opsetText}'`, 2);
    const seed = Number((ctx.values['seed'] as string | undefined) ?? 0);
    if (!Number.isInteger(seed)) throw new CliError(`--seed must be an integer`, 2);
    const loaded = await loadPlugins(ctx);
    const { program, sources } = compileOrFail(ctx, loaded, file);
    const graph = pickModel(program, ctx.values['model'] as string | undefined);
    const checkpoint = ctx.values['checkpoint'] as string | undefined;
    const w = await weightsFor(program, graph, checkpoint ? resolve(ctx.io.cwd, checkpoint) : undefined, seed);
    const weightProblems = [...w.diagnostics, ...(hasErrors(w.diagnostics) ? [] : checkWeights(graph, w.weights))];
    if (hasErrors(weightProblems)) {
      printDiagnostics(ctx, weightProblems, sources);
      throw new CliError(`the weights in '${w.source}' do not fit model '${graph.name}'; nothing was written`);
    }
    const exported = exportOnnx(graph, w.weights, {
      opset,
      metadata: { source_file: file, model: graph.name, weights: checkpoint ? 'checkpoint' : 'initial' },
    });
    printDiagnostics(ctx, exported.diagnostics, sources);
    if (!exported.result) throw new CliError(`model '${graph.name}' cannot be exported at opset ${opset}; nothing was written`);
    const out = resolve(ctx.io.cwd, (ctx.values['output'] as string | undefined) ?? `${snakeCase(graph.name)}.onnx`);
    // Like every other output of dlm, a missing output folder is created; an unwritable one is
    // reported by writeOnnxFile (DLM6008) with nothing left behind.
    try {
      mkdirSync(dirname(out), { recursive: true });
    } catch {
      // writeOnnxFile names the problem.
    }
    const writeProblems = writeOnnxFile(out, exported.result);
    if (writeProblems.length) {
      printDiagnostics(ctx, writeProblems, sources);
      return 1;
    }
    ctx.io.stdout(`wrote ${out} (${graph.name}, opset ${opset}, ${w.source}, ${exported.result.length.toLocaleString('en-US')} bytes)\n`);
    return 0;
  },
};

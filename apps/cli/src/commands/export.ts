import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { totalmem } from 'node:os';
import { hasErrors } from '@dlm/core';
import type { Command } from './index.js';
import { compileOrFail, loadPlugins, pickModel, printDiagnostics, refuseIfTooBig, snakeCase } from '../workspace.js';
import { oneInput } from '../inputs.js';
import { COMMON } from '../flags.js';
import { inputScalingOf, weightsFor } from '../checkpoint-weights.js';
import { CliError } from '../io.js';
import { loadOnnx, loadTorch } from '../backends.js';
import { writePytorchExport } from './export-pytorch.js';

/** Largest protobuf message, so the largest ONNX file written without external data. */
const ONNX_MAX_BYTES = 2 ** 31 - 1;
import { lastCheckpoint } from '@dlm/train/node';

/**
 * `dlm export`: the inference graph as ONNX. Feasibility (every op at the chosen opset) and the
 * weights are checked before anything is written; the file is written atomically.
 */
export const exportCommand: Command = {
  name: 'export',
  summary: 'export a model to ONNX or PyTorch (checkpoint or, with --initial, untrained weights)',
  usage: 'export <file.dlm|-> [--format onnx|pytorch] [-o model.onnx|model.py|-] [--checkpoint DIR | --initial [--seed N]] [--no-preprocessing] [--opset 13..17] [--model Name]',
  options: {
    format: { type: 'string', arg: 'onnx|pytorch', default: 'onnx', help: 'pytorch: a readable nn.Module (model.py) and its weights (model.safetensors)' },
    output: { ...COMMON.output, default: '<model>.onnx (.py with --format pytorch)' },
    checkpoint: COMMON.checkpoint,
    opset: { type: 'string', arg: 'n', default: '17', help: 'ONNX opset, 13 to 17' },
    model: COMMON.model,
    initial: { type: 'boolean', help: 'export untrained (initial) weights; without it and without --checkpoint, the latest checkpoint of runs/<model> is used' },
    seed: { type: 'string', arg: 'n', default: '0', help: 'seed of the initial weights (with --initial)' },
    'no-preprocessing': { type: 'boolean', help: "leave out the checkpoint's input preprocessing (standardization, pixel scaling, the text vocabulary in the metadata): the model then takes prepared inputs" },
  },
  async run(ctx) {
    const input = await oneInput(ctx, 'export');
    const file = input.file;
    const format = (ctx.values['format'] as string | undefined) ?? 'onnx';
    if (format !== 'onnx' && format !== 'pytorch') throw new CliError(`--format must be onnx or pytorch, got '${format}'`, 2);
    if (format === 'pytorch') return exportPytorchCommand(ctx, input);
    const { DEFAULT_OPSET, checkWeights, exportOnnx, writeOnnxFile } = await loadOnnx('export to ONNX');
    const opsetText = ctx.values['opset'] as string | undefined;
    const opset = opsetText === undefined ? DEFAULT_OPSET : Number(opsetText);
    if (!Number.isInteger(opset)) throw new CliError(`--opset must be an integer, got '${opsetText}'`, 2);
    const seed = Number((ctx.values['seed'] as string | undefined) ?? 0);
    if (!Number.isInteger(seed)) throw new CliError(`--seed must be an integer`, 2);
    const loaded = await loadPlugins(ctx, input.file);
    const { program, sources } = compileOrFail(ctx, loaded, input.file, input.text);
    const graph = pickModel(program, ctx.values['model'] as string | undefined);
    // The writer holds the weights about three times (values, protobuf, file buffer), and one
    // ONNX protobuf holds at most 2 GiB: refuse before allocating anything.
    refuseIfTooBig(ctx, graph, 'export', sources, { activations: false }, Math.min(ONNX_MAX_BYTES, totalmem() / 3));
    const checkpoint = await chooseCheckpoint(ctx, graph.name);
    const w = await weightsFor(program, graph, checkpoint, seed);
    const weightProblems = [...w.diagnostics, ...(hasErrors(w.diagnostics) ? [] : checkWeights(graph, w.weights))];
    printDiagnostics(ctx, weightProblems, sources); // errors, or warnings such as a damaged optimizer file (DLM5071)
    if (hasErrors(weightProblems)) {
      // "do not fit" only when they do not: a damaged or non-finite checkpoint says what it is.
      const misfit = weightProblems.some((d) => d.severity === 'error' && d.code === 'DLM5050') || !hasErrors(w.diagnostics);
      throw new CliError(misfit ? `the weights in '${w.source}' do not fit model '${graph.name}'; nothing was written` : `the checkpoint '${w.source}' cannot be used; nothing was written`);
    }
    const scaling = ctx.values['no-preprocessing'] ? undefined : inputScalingOf(graph, w.preprocessing);
    // Tokenizing text is not expressible as ONNX ops: the vocabulary travels as metadata instead.
    const tokenizer = ctx.values['no-preprocessing'] ? undefined : w.preprocessing?.tokenizer;
    const exported = exportOnnx(graph, w.weights, {
      opset,
      metadata: {
        source_file: file,
        model: graph.name,
        weights: checkpoint ? 'checkpoint' : 'initial',
        // What the graph's first ops do to the raw input, for tools that read the metadata.
        ...(scaling ? { preprocessing: JSON.stringify({ kind: scaling.describe, input: scaling.input, sub: scaling.sub, div: scaling.div }) } : {}),
        ...(tokenizer ? { tokenizer: JSON.stringify({ input: graph.inputs[0]?.name, ...tokenizer }) } : {}),
      },
      ...(scaling ? { inputScaling: scaling } : {}),
    });
    printDiagnostics(ctx, exported.diagnostics, sources);
    if (!exported.result) throw new CliError(`model '${graph.name}' cannot be exported at opset ${opset}; nothing was written`);
    const summary = `${graph.name}, opset ${opset}, ${w.source}${scaling ? `, input preprocessing (${scaling.describe}) included` : ''}${tokenizer ? `, vocabulary of ${tokenizer.words.length} ${tokenizer.scheme === 'chars' ? 'characters' : 'words'} in the metadata ('tokenizer')` : ''}, ${exported.result.length.toLocaleString('en-US')} bytes`;
    if (ctx.values['output'] === '-') {
      ctx.io.stdout(exported.result);
      ctx.io.stderr(`wrote the model to stdout (${summary})\n`);
      return 0;
    }
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
    ctx.io.stdout(`wrote ${out} (${summary})\n`);
    return 0;
  },
};

/** `--format pytorch`: the same model selection and weights as ONNX, written by @dlm/torch. */
async function exportPytorchCommand(ctx: Parameters<Command['run']>[0], input: Awaited<ReturnType<typeof oneInput>>): Promise<number> {
  const torch = await loadTorch('export to PyTorch');
  const seed = Number((ctx.values['seed'] as string | undefined) ?? 0);
  if (!Number.isInteger(seed)) throw new CliError(`--seed must be an integer`, 2);
  const loaded = await loadPlugins(ctx);
  const { program, sources } = compileOrFail(ctx, loaded, input.file, input.text);
  const graph = pickModel(program, ctx.values['model'] as string | undefined);
  const checkpoint = await chooseCheckpoint(ctx, graph.name);
  const w = await weightsFor(program, graph, checkpoint, seed);
  if (hasErrors(w.diagnostics)) {
    printDiagnostics(ctx, w.diagnostics, sources);
    throw new CliError(`the weights in '${w.source}' do not fit model '${graph.name}'; nothing was written`);
  }
  const given = ctx.values['output'] as string | undefined;
  if (given === '-') throw new CliError('--format pytorch writes two files (model.py and its weights); give -o model.py', 2);
  const out = resolve(ctx.io.cwd, given ?? `${snakeCase(graph.name)}.py`);
  mkdirSync(dirname(out), { recursive: true });
  return writePytorchExport(ctx, torch, graph, w.weights, checkpoint ? 'checkpoint' : w.source, input.file, out, sources);
}

/**
 * Which weights to export: --checkpoint as given; --initial for untrained ones; otherwise the
 * latest checkpoint of the model's run folder (runs/<model>, as `dlm train` names it), said
 * aloud. Untrained weights are never chosen silently: a trained model.onnx must not be replaced
 * by an untrained one because a flag was forgotten.
 */
async function chooseCheckpoint(ctx: Parameters<Command['run']>[0], model: string): Promise<string | undefined> {
  const given = ctx.values['checkpoint'] as string | undefined;
  const initial = ctx.values['initial'] === true;
  if (given !== undefined && initial) throw new CliError('--checkpoint and --initial exclude each other: give one', 2);
  if (given !== undefined) return resolve(ctx.io.cwd, given);
  if (initial) return undefined;
  const runDir = resolve(ctx.io.cwd, 'runs', snakeCase(model));
  const last = await lastCheckpoint(runDir);
  if (!last) {
    throw new CliError(`model '${model}' has no checkpoint in ${runDir}: give --checkpoint DIR for trained weights, or --initial to export untrained ones (seed --seed)`, 2);
  }
  ctx.io.stderr(`no --checkpoint given: using the latest checkpoint of ${runDir} (${last})\n`);
  return last;
}

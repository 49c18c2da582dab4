import { resolve } from 'node:path';
import { diag, formatType, type DatasetInfo, type Diagnostic, type Graph, type TrainingSpec } from '@dlm/core';
import { mulberry32 } from '@dlm/datasets';
import { predict as runPredict } from '@dlm/train';
import { readCheckpointWeights } from '@dlm/train/node';
import type { Command } from './index.js';
import { compileOrFail, loadPlugins, pickModel, printDiagnostics, requireOneFile, type CommandContext, type Loaded } from '../workspace.js';
import { openTrainingSplit } from '../datasets.js';
import { COMMON, TRAINING_FLAGS } from '../flags.js';
import { dataOverride, positiveInt, startRuntime } from '../training.js';
import { CliError } from '../io.js';
import { drawToken, nextTokenProbabilities } from '../sampling.js';

/**
 * `dlm sample`: writes text with a trained language model, one token at a time. The vocabulary
 * is the one the checkpoint recorded from its dataset (`chars` names the character of every id),
 * so the training text is not needed once trained (only for the default prompt, its first
 * token); the model sees the last `context` tokens (the dataset's sample length), and each next
 * token is drawn from softmax(scores / temperature) over the top-k, with a seeded generator.
 */
export const sampleCommand: Command = {
  name: 'sample',
  summary: 'write text with a trained language model (prompt, temperature, top-k, seed)',
  usage: 'sample <file.dlm> --checkpoint DIR [--prompt TEXT] [--length 200] [--temperature 1] [--top-k K] [--seed 0]',
  options: {
    model: TRAINING_FLAGS.model,
    backend: TRAINING_FLAGS.backend,
    'cache-dir': TRAINING_FLAGS['cache-dir'],
    data: TRAINING_FLAGS.data,
    checkpoint: COMMON.checkpoint,
    prompt: { type: 'string', arg: 'text', help: "the text to continue (default: the training text's first token)" },
    length: { type: 'string', arg: 'n', default: '200', help: 'how many tokens to write after the prompt' },
    temperature: { type: 'string', arg: 't', default: '1', help: 'divides the scores before the softmax: lower is more conservative, 0 always takes the likeliest token' },
    'top-k': { type: 'string', arg: 'k', help: 'draw only among the k likeliest tokens' },
    seed: { type: 'string', arg: 'n', default: '0', help: 'seed of the draws: the same seed writes the same text' },
  },
  async run(ctx) {
    const file = requireOneFile(ctx, 'sample');
    const checkpoint = ctx.values['checkpoint'] as string | undefined;
    if (!checkpoint) throw new CliError("'dlm sample' needs --checkpoint (e.g. runs/char_gpt/last)", 2);
    const length = positiveInt(ctx, 'length') ?? 200;
    const topK = positiveInt(ctx, 'top-k');
    const temperature = Number((ctx.values['temperature'] as string | undefined) ?? 1);
    if (!Number.isFinite(temperature) || temperature < 0) throw new CliError(`--temperature must be a number ≥ 0, got '${String(ctx.values['temperature'])}'`, 2);
    const seed = Number((ctx.values['seed'] as string | undefined) ?? 0);
    if (!Number.isInteger(seed)) throw new CliError(`--seed must be a whole number, got '${String(ctx.values['seed'])}'`, 2);

    const loaded = await loadPlugins(ctx, file);
    const { program, sources } = compileOrFail(ctx, loaded, file);
    const modelName = ctx.values['model'] as string | undefined;
    const spec = program.trainings.find((t) => t.model === (modelName ?? t.model));
    const graph = pickModel(program, modelName ?? spec?.model);
    const fail = (d: Diagnostic) => (printDiagnostics(ctx, [d], sources), 1);

    const shapeProblem = autoregressiveProblem(graph);
    if (shapeProblem) return fail(diag('DLM9030', [graph.name, shapeProblem], graph.span));
    if (!spec) return fail(diag('DLM9030', [graph.name, 'it has no train block, so there is no dataset to take the vocabulary from'], graph.span));
    const ck = await readCheckpointWeights(resolve(ctx.io.cwd, checkpoint), graph);
    if (!ck.result) {
      printDiagnostics(ctx, ck.diagnostics, sources);
      return 1;
    }
    const prompt = ctx.values['prompt'] as string | undefined;
    // The checkpoint records its vocabulary; the training text is read only for checkpoints that
    // do not (written before vocabularies were stored) or for the default prompt.
    const recorded = ck.result.preprocessing?.tokenizer;
    const datasetName = (dataOverride(ctx, loaded, spec) ?? spec.data).name;
    const open = (purpose: string) => openTokens(ctx, loaded, spec, datasetName, purpose);
    let data = recorded ? undefined : await open('for the vocabulary (the checkpoint records none)');
    const vocabulary = recorded ? { tokens: recorded.words, chars: recorded.scheme === 'chars', context: recorded.maxLen } : data && vocabularyOf(data.info);
    if (!vocabulary) return fail(diag('DLM9031', [datasetName, graph.name], spec.data.span));
    const { tokens, chars } = vocabulary;
    const scores = graph.outputs[0]!.type.shape[2] as number;
    if (scores !== tokens.length) return fail(diag('DLM9033', [graph.name, scores, datasetName, tokens.length], graph.span));

    const ids = new Map(tokens.map((t, i) => [t, i]));
    const pieces = prompt === undefined ? [] : chars ? Array.from(prompt) : prompt.split(/\s+/).filter(Boolean);
    const unknown = pieces.find((p) => !ids.has(p));
    if (unknown !== undefined) return fail(diag('DLM9032', [JSON.stringify(unknown), tokens.length, graph.name]));
    if (pieces.length === 0) data ??= await open("for the default prompt, the training text's first token (give --prompt to do without it)");
    const sequence = pieces.length > 0 ? pieces.map((p) => ids.get(p)!) : [data!.firstToken];
    const context = vocabulary.context ?? sequence.length;

    const runtime = await startRuntime(ctx);
    const uniform = mulberry32(seed);
    const input = graph.inputs[0]!;
    const written: number[] = [];
    for (let step = 0; step < length; step++) {
      const window = sequence.slice(-context);
      const { result, diagnostics } = await runPredict({ runtime, graph, weights: ck.result.weights, inputs: { [input.name]: { data: Int32Array.from(window), shape: [1, window.length] } } });
      if (!result) {
        printDiagnostics(ctx, diagnostics, sources);
        return 1;
      }
      const out = result[graph.outputs[0]!.name]!.data;
      const last = out.subarray((window.length - 1) * scores, window.length * scores);
      const next = drawToken(nextTokenProbabilities(last, { temperature, topK }), uniform());
      sequence.push(next);
      written.push(next);
    }
    const text = (list: number[]) => list.map((i) => tokens[i]!).join(chars ? '' : ' ');
    ctx.io.stdout(`${pieces.length === 0 ? text([data!.firstToken]) : prompt}${chars ? '' : ' '}${text(written)}\n`);
    return 0;
  },
};

/** Why `graph` cannot continue a token sequence, or undefined when it can. */
function autoregressiveProblem(graph: Graph): string | undefined {
  if (graph.inputs.length !== 1 || graph.outputs.length !== 1) return `it has ${graph.inputs.length} inputs and ${graph.outputs.length} outputs, not one of each`;
  const x = graph.inputs[0]!.type;
  const y = graph.outputs[0]!.type;
  if ((x.dtype !== 'i32' && x.dtype !== 'i64') || x.shape.length !== 2) return `its input '${graph.inputs[0]!.name}' is ${formatType(x)}, not token ids [batch, time]`;
  if (typeof x.shape[1] === 'number') return `its input '${graph.inputs[0]!.name}' is ${formatType(x)}, a fixed length, while sampling grows the sequence one token at a time (declare the time axis symbolic: i32[batch, time])`;
  if (y.shape.length !== 3 || y.shape[1] !== x.shape[1] || typeof y.shape[2] !== 'number') return `its output '${graph.outputs[0]!.name}' is ${formatType(y)}, not next-token scores [batch, ${String(x.shape[1])}, vocabulary] at every position`;
  return undefined;
}

/** How ids become text, from a dataset that names its tokens (`chars`): checkpoints from before vocabularies were stored. */
function vocabularyOf(info: DatasetInfo): { tokens: string[]; chars: boolean; context: number | undefined } | undefined {
  const tokens = info.classNames;
  if (!tokens) return undefined;
  // Characters join with nothing, words with a space.
  return { tokens, chars: tokens.every((t) => Array.from(t).length === 1), context: info.inputShape[0] };
}

/** The train block's dataset (train split): its vocabulary, sample length and first token. */
async function openTokens(ctx: CommandContext, loaded: Loaded, spec: TrainingSpec, name: string, purpose: string): Promise<{ info: DatasetInfo; firstToken: number }> {
  try {
    const { split } = await openTrainingSplit(ctx, loaded, spec, 'train');
    const first = split.size > 0 ? split.slice(0, 1).x[0] ?? 0 : 0;
    return { info: split.info, firstToken: first };
  } catch (e) {
    if (e instanceof CliError) throw e;
    throw new CliError(`cannot open dataset '${name}' ${purpose}: ${e instanceof Error ? e.message : String(e)}`);
  }
}

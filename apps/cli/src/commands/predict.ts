import { readFileSync } from 'node:fs';
import { extname, resolve } from 'node:path';
import { diag, type DatasetInfo, type Diagnostic, type Graph } from '@dlm/core';
import type { Command } from './index.js';
import { compileOrFail, loadPlugins, pickModel, printDiagnostics, refuseIfTooBig, requireOneFile, type CommandContext } from '../workspace.js';
import { CHECKPOINT_DATA_FLAGS, COMMON } from '../flags.js';
import { startRuntime } from '../training.js';
import { openTrainingSplit } from '../datasets.js';
import { DEFAULT_MAX_IMAGE_PIXELS, readImage, resizePlanes, toPlanes } from '../image-input.js';
import { describeFsError } from '../files.js';
import { CliError } from '../io.js';
import { predict as runPredict, type Preprocessing } from '@dlm/train';
import { irHash, readCheckpointWeights } from '@dlm/train/node';
import { jsonInputBatch } from '../predict-input.js';
import { encodeText } from '@dlm/datasets';

type Arr = { data: Float32Array | Int32Array; shape: number[] };

const IMAGE_EXTENSIONS = new Set(['.png', '.jpg', '.jpeg']);

/**
 * `dlm predict`: runs a checkpoint on PNG or JPEG images (converted to the model's channels,
 * resized to its input and preprocessed exactly as the train block's dataset does), raw text
 * (encoded with the vocabulary the checkpoint recorded) or JSON arrays, and prints the predicted
 * class per sample.
 */
export const predictCommand: Command = {
  name: 'predict',
  summary: 'run a checkpoint on PNG or JPEG images, text or JSON arrays',
  usage: 'predict <file.dlm> --checkpoint DIR (--input digit.png [--input more.jpg] | --text "a great movie" [--text …]) [--invert] [--no-preprocessing] [--max-image-pixels N] [--json]',
  options: {
    ...CHECKPOINT_DATA_FLAGS,
    checkpoint: COMMON.checkpoint,
    input: { type: 'string', multiple: true, arg: 'file', help: "a .png or .jpg image (converted to the model's channels and size, with a note) or one .json nested array, batch first" },
    text: { type: 'string', multiple: true, arg: 'text', help: "raw text, one sample per --text, encoded with the checkpoint's vocabulary (text datasets)" },
    invert: { type: 'boolean', help: 'invert image pixels (dark digits on white paper)' },
    'max-image-pixels': { type: 'string', arg: 'n', default: `${DEFAULT_MAX_IMAGE_PIXELS} or DLM_MAX_IMAGE_PIXELS`, help: "refuse larger images before decoding them (a small file can inflate to gigabytes)" },
    'no-preprocessing': { type: 'boolean', help: "feed inputs as given: skip the checkpoint's feature standardization and pixel normalization (images are then only scaled to 0..1)" },
    json: COMMON.json,
  },
  async run(ctx) {
    const file = requireOneFile(ctx, 'predict');
    const checkpoint = ctx.values['checkpoint'] as string | undefined;
    const inputs = (ctx.values['input'] as string[] | undefined) ?? [];
    const texts = (ctx.values['text'] as string[] | undefined) ?? [];
    if (!checkpoint) throw new CliError("'dlm predict' needs --checkpoint (e.g. runs/mnist_cnn/last)", 2);
    if (inputs.length === 0 && texts.length === 0) throw new CliError("'dlm predict' needs at least one --input (a .png or .jpg image, or a .json array) or --text", 2);
    if (inputs.length > 0 && texts.length > 0) throw new CliError('give either --input files or --text samples, not both', 2);
    if (texts.length > 0 && ctx.values['no-preprocessing']) throw new CliError("--text needs the checkpoint's vocabulary, which --no-preprocessing leaves out: give token ids as a .json --input instead", 2);
    const loaded = await loadPlugins(ctx, file);
    const { program, sources } = compileOrFail(ctx, loaded, file);
    const modelName = ctx.values['model'] as string | undefined;
    const spec = program.trainings.find((t) => t.model === (modelName ?? t.model));
    const graph = pickModel(program, modelName ?? spec?.model);
    if (graph.inputs.length !== 1) throw new CliError(`model '${graph.name}' has ${graph.inputs.length} inputs; predict feeds exactly one`);
    const input = graph.inputs[0]!;
    // Parameters and one sample's activations must fit before the checkpoint is read.
    refuseIfTooBig(ctx, graph, 'prediction', sources, { batch: 1 });

    // The dataset tells how pixels were scaled and what the classes are called.
    // Only a fallback (the checkpoint's record wins) and the class names: a dataset that does not
    // open is no error here, while a wrong --data still is.
    let info: DatasetInfo | undefined;
    if (spec) {
      info = await openTrainingSplit(ctx, loaded, spec, 'test').then(
        (d) => d.split.info,
        (e: unknown) => {
          if (e instanceof CliError) throw e;
          return undefined;
        },
      );
    }
    // The checkpoint's own record of the preprocessing wins; older checkpoints fall back to the dataset's.
    const ck = await readCheckpointWeights(resolve(ctx.io.cwd, checkpoint), graph, { purpose: 'prediction', fingerprint: { models: { [graph.name]: irHash(graph) } } });
    if (!ck.result) {
      printDiagnostics(ctx, ck.diagnostics, sources);
      return 1;
    }
    const prep: Preprocessing = ctx.values['no-preprocessing'] ? {} : ck.result.preprocessing ?? {
      ...(info?.standardize ? { standardize: info.standardize } : {}),
      ...(info?.pixels ? { pixels: info.pixels } : {}),
      ...(info?.tokenizer ? { tokenizer: info.tokenizer } : {}),
    };
    let batch: Arr;
    if (texts.length > 0) {
      batch = textsToBatch(texts, graph, prep.tokenizer, ck.result.dir);
    } else if (inputs.some((p) => IMAGE_EXTENSIONS.has(extname(p).toLowerCase()))) {
      const images = imagesToBatch(ctx, inputs, graph, prep.pixels, Boolean(ctx.values['invert']));
      if (!('data' in images)) {
        printDiagnostics(ctx, [images], sources);
        return 1;
      }
      batch = images;
    } else {
      const checked = jsonInputBatch(inputs[0]!, readJson(ctx.io.cwd, inputs), graph, prep);
      if (!checked.batch) {
        printDiagnostics(ctx, checked.diagnostics, sources);
        return 1;
      }
      batch = checked.batch;
    }

    const runtime = await startRuntime(ctx);
    const { result, diagnostics } = await runPredict({ runtime, graph, weights: ck.result.weights, inputs: { [input.name]: batch } });
    printDiagnostics(ctx, diagnostics, sources);
    if (!result) return 1;
    if (ctx.values['json']) {
      ctx.io.stdout(JSON.stringify(Object.fromEntries(Object.entries(result).map(([k, v]) => [k, { shape: v.shape, data: Array.from(v.data) }]))) + '\n');
      return 0;
    }
    const out = result[graph.outputs[0]!.name]!;
    const expects = spec ? loaded.registry.get('loss', spec.loss.name)?.def.expects : undefined;
    const n = out.shape[0] ?? 1;
    const k = out.data.length / n;
    const labels = texts.length > 0 ? texts.map((t) => JSON.stringify(t.length > 40 ? `${t.slice(0, 37)}...` : t)) : inputs;
    for (let i = 0; i < n; i++) {
      const row = Array.from(out.data.subarray(i * k, (i + 1) * k));
      const label = labels.length === n ? labels[i]! : `sample ${i}`;
      if (k === 1) {
        const p = expects === 'logits' ? 1 / (1 + Math.exp(-row[0]!)) : row[0]!;
        ctx.io.stdout(`${label}: ${p.toFixed(4)}${expects === 'values' ? '' : ` (class ${p >= 0.5 ? 1 : 0})`}\n`);
        continue;
      }
      const probs = toProbabilities(row, expects);
      const best = probs.indexOf(Math.max(...probs));
      const name = info?.classNames?.[best];
      const top = probs
        .map((p, c) => [p, c] as const)
        .sort((a, b) => b[0] - a[0])
        .slice(0, 3)
        .map(([p, c]) => `${info?.classNames?.[c] ?? c} ${(p * 100).toFixed(1)}%`)
        .join(', ');
      ctx.io.stdout(`${label}: class ${best}${name && name !== String(best) ? ` (${name})` : ''}  [${top}]\n`);
    }
    return 0;
  },
};

function toProbabilities(row: number[], expects: string | undefined): number[] {
  if (expects === 'log_probabilities') return row.map(Math.exp);
  if (expects === 'probabilities') return row;
  const m = Math.max(...row);
  const e = row.map((v) => Math.exp(v - m));
  const s = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / s);
}

/** `--max-image-pixels`, else DLM_MAX_IMAGE_PIXELS, else the default; a diagnostic when malformed. */
function maxImagePixels(ctx: CommandContext): number | Diagnostic {
  const given = (ctx.values['max-image-pixels'] as string | undefined) ?? ctx.io.env['DLM_MAX_IMAGE_PIXELS'];
  if (given === undefined || given === '') return DEFAULT_MAX_IMAGE_PIXELS;
  const n = Number(given);
  return /^\d+$/.test(given.trim()) && Number.isSafeInteger(n) && n > 0 ? n : diag('DLM9027', [given]);
}

/**
 * Images as the model's NCHW batch: each decoded (the header first, against the pixel limit),
 * converted to the model's channels, resized to its H×W and scaled as training scaled pixels. A
 * file that needed converting or resizing gets one note line saying what was done.
 */
function imagesToBatch(ctx: CommandContext, files: string[], graph: Graph, scaling: Preprocessing['pixels'], invert: boolean): Arr | Diagnostic {
  const shape = graph.inputs[0]!.type.shape;
  const [, c, h, w] = shape;
  if (shape.length !== 4 || typeof c !== 'number' || typeof h !== 'number' || typeof w !== 'number') {
    throw new CliError(`model '${graph.name}' input '${graph.inputs[0]!.name}' is [${shape.join(', ')}], not an image [batch, C, H, W]`);
  }
  if (c !== 1 && c !== 3) throw new CliError(`model '${graph.name}' takes ${c}-channel images; predict feeds grey (1) or RGB (3) images`);
  const maxPixels = maxImagePixels(ctx);
  if (typeof maxPixels !== 'number') return maxPixels;
  const pixels = scaling ?? { scale: 'unit' as const, mean: [0], std: [1] };
  const data = new Float32Array(files.length * c * h * w);
  for (let i = 0; i < files.length; i++) {
    const f = files[i]!;
    let bytes: Uint8Array;
    try {
      bytes = readFileSync(resolve(ctx.io.cwd, f));
    } catch (e) {
      throw new CliError(`cannot read '${f}': ${describeFsError(e)}`);
    }
    const read = readImage(f, bytes, maxPixels);
    if (!read.image) return read.diagnostic;
    const img = read.image;
    const done: string[] = [];
    if (img.alpha) done.push('transparency composited on white');
    if (c === 1 && img.color) done.push('converted to grey (ITU-R 601 luma)');
    if (c === 3 && !img.color) done.push('grey repeated into RGB');
    if (img.width !== w || img.height !== h) done.push(`resized from ${img.width}×${img.height} to ${w}×${h} (bilinear, area-averaging when shrinking)`);
    if (done.length > 0) ctx.io.stderr(`note: '${f}' (${img.kind}): ${done.join('; ')}\n`);
    const planes = resizePlanes(toPlanes(img, c), c, img.width, img.height, w, h);
    for (let ch = 0; ch < c; ch++) {
      const mean = pixels.mean[ch] ?? pixels.mean[0] ?? 0;
      const std = pixels.std[ch] ?? pixels.std[0] ?? 1;
      for (let p = 0; p < h * w; p++) {
        let v = planes[ch * h * w + p]!;
        if (invert) v = 255 - v;
        data[(i * c + ch) * h * w + p] = pixels.scale === 'unit' ? v / 255 : pixels.scale === 'tanh' ? v / 127.5 - 1 : (v / 255 - mean) / std;
      }
    }
  }
  return { data, shape: [files.length, c, h, w] };
}

/** Token ids [texts, maxLen], each text encoded exactly as the training dataset encoded its samples. */
function textsToBatch(texts: string[], graph: Graph, tokenizer: Preprocessing['tokenizer'], checkpoint: string): Arr {
  const input = graph.inputs[0]!;
  if (!tokenizer) throw new CliError(`checkpoint '${checkpoint}' records no vocabulary (its model was not trained on a text dataset, or by a dlm before vocabularies were stored): give token ids as a .json --input instead`);
  if (tokenizer.scheme !== 'words') throw new CliError(`checkpoint '${checkpoint}' is a character language model's (its vocabulary has no padding): continue a text with 'dlm sample --prompt', or give token ids as a .json --input`);
  const shape = input.type.shape;
  const time = shape[1];
  if (input.type.dtype !== 'i32' || shape.length !== 2 || (typeof time === 'number' && time !== tokenizer.maxLen)) {
    throw new CliError(`model '${graph.name}' input '${input.name}' is ${input.type.dtype}[${shape.join(', ')}], not token ids [batch, ${tokenizer.maxLen}] as the checkpoint's text dataset made them`);
  }
  const data = new Int32Array(texts.length * tokenizer.maxLen);
  texts.forEach((t, i) => data.set(encodeText(t, tokenizer), i * tokenizer.maxLen));
  return { data, shape: [texts.length, tokenizer.maxLen] };
}

function readJson(cwd: string, files: string[]): unknown {
  if (files.length !== 1) throw new CliError('give one JSON file holding the whole batch');
  try {
    return JSON.parse(readFileSync(resolve(cwd, files[0]!), 'utf8'));
  } catch (e) {
    throw new CliError(`cannot read '${files[0]}' as JSON: ${e instanceof Error ? e.message : String(e)}`);
  }
}

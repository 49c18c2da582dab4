import { availableParallelism } from 'node:os';
import { join, resolve } from 'node:path';
import { hasErrors } from '@dlm/core';
import type { Command } from './index.js';
import { compileOrFail, loadPlugins, printDiagnostics, refuseIfTooBig, requireOneFile } from '../workspace.js';
import { ENGINE_FLAGS, TRAINING_FLAGS } from '../flags.js';
import { engineFromFlags } from '../engine.js';
import { batchSizeOf, dataOverride, pickTraining, positiveInt, runDirFor, startRuntime, trainedModels } from '../training.js';
import { CliError } from '../io.js';
import { writeFileAtomic } from '../files.js';
import { datasetFlags } from '../datasets.js';
import { confusionMatrixSvg, historyFromRecords, lossCurveSvg, reportHtml, sampleGridPng } from '@dlm/report';
import { canRedraw } from '../color.js';
import { consoleProgress, formatConfusion, type TrainResult } from '@dlm/train';
import { train as runTraining } from '@dlm/train/node';
import { PLUGIN_LOADER_MODULE } from '@dlm/plugin-loader';

/**
 * `dlm train`: runs the file's train block. Checkpoints after every epoch (atomically), so an
 * interrupted run resumes with `--resume`; at the end writes loss.svg, confusion.svg and
 * report.html next to the checkpoints.
 */
export const train: Command = {
  name: 'train',
  summary: 'train a model as its train block says (checkpoints, --resume)',
  usage: 'train <file.dlm> [--data NAME] [--epochs N] [--backend auto|webgpu|wasm|cpu] [--run-dir DIR] [--resume | --init-from CHECKPOINT] [--limit N] [--limit-test N] [--engine torch [--nproc-per-node N] [--device cpu|cuda] …]',
  options: {
    ...TRAINING_FLAGS,
    ...ENGINE_FLAGS,
    epochs: { type: 'string', arg: 'n', help: "override the train block's epochs" },
    resume: { type: 'boolean', help: 'continue from the last checkpoint in the run directory (same model, dataset and settings)' },
    'init-from': { type: 'string', arg: 'checkpoint', help: 'fine-tune: start a new run from the weights of this checkpoint or run directory' },
    limit: { type: 'string', arg: 'n', help: 'train on the first N samples only (smoke runs)' },
    'limit-test': { type: 'string', arg: 'n', help: 'evaluate on the first N test samples only' },
    'keep-last': { type: 'string', arg: 'n', help: 'keep only the newest N epoch checkpoints' },
    workers: { type: 'string', arg: 'n', default: 'half the cores, at most 4', help: 'split each batch over N threads on the CPU backends (1 = off)' },
  },
  async run(ctx) {
    const file = requireOneFile(ctx, 'train');
    const epochs = positiveInt(ctx, 'epochs');
    const trainSamples = positiveInt(ctx, 'limit');
    const testSamples = positiveInt(ctx, 'limit-test');
    const keepLast = positiveInt(ctx, 'keep-last');
    const workers = positiveInt(ctx, 'workers') ?? defaultWorkers();
    const loaded = await loadPlugins(ctx, file);
    const { program, sources } = compileOrFail(ctx, loaded, file);
    const spec = pickTraining(program, ctx.values['model'] as string | undefined);
    const data = dataOverride(ctx, loaded, spec);
    const initFrom = ctx.values['init-from'] as string | undefined;
    if (initFrom !== undefined && ctx.values['resume']) throw new CliError('--init-from starts a new run from a checkpoint\'s weights; --resume continues one: give only one of them', 2);
    // Parameters, gradients, optimizer state and a batch of activations must fit before anything is allocated.
    for (const g of trainedModels(program, spec)) refuseIfTooBig(ctx, g, 'training', sources, { batch: batchSizeOf(loaded, data ?? spec.data), training: true });
    const askedRunDir = runDirFor(ctx, spec);
    // The torch engine runs the steps; the tfjs runtime then only evaluates (dlm's metrics).
    const chosen = await engineFromFlags(ctx);
    if (chosen.diagnostics.length > 0) {
      printDiagnostics(ctx, chosen.diagnostics, sources);
      return 1;
    }
    const engine = chosen.engine;
    const runtime = await startRuntime(ctx);
    // Ctrl-C stops after the current batch, keeping the last complete checkpoint; a second one quits at once.
    const interrupt = new AbortController();
    const onSigint = (): void => {
      if (interrupt.signal.aborted) {
        ctx.io.stderr('\nquitting now; checkpoints already written are intact (they are written atomically)\n');
        process.exit(130);
      }
      interrupt.abort();
      ctx.io.stderr('\nstopping after this batch (press Ctrl-C again to quit at once)\n');
    };
    process.on('SIGINT', onSigint);
    const { result, diagnostics } = await runTraining({
      signal: interrupt.signal,
      runtime,
      program,
      training: spec,
      registry: loaded.registry,
      runDir: askedRunDir,
      resume: Boolean(ctx.values['resume']),
      ...(initFrom !== undefined ? { initFrom: resolve(ctx.io.cwd, initFrom) } : {}),
      sourceRoot: ctx.io.cwd,
      ...(epochs !== undefined ? { epochs } : {}),
      ...(data ? { data } : {}),
      ...(trainSamples !== undefined || testSamples !== undefined ? { limit: { ...(trainSamples ? { trainSamples } : {}), ...(testSamples ? { testSamples } : {}) } } : {}),
      ...datasetFlags(ctx),
      ...(keepLast !== undefined ? { keepLast } : {}),
      // Batches are split over threads on the CPU backends only; a GPU runs the whole batch.
      workers: runtime.name === 'webgpu' || engine ? 1 : workers,
      ...(engine ? { engine } : {}),
      encodeSamples: (pixels, n, c, h, w) => sampleGridPng(pixels, n, c, h, w, Math.ceil(Math.sqrt(n))),
      pluginModules: loaded.modules,
      pluginLoaderModule: PLUGIN_LOADER_MODULE,
      log: (m) => ctx.io.stderr(`${m}\n`),
      progress: consoleProgress({ write: ctx.io.stderr, isTTY: canRedraw(ctx.io.isTTY, ctx.io.env) }),
    }).finally(() => process.removeListener('SIGINT', onSigint));
    printDiagnostics(ctx, diagnostics, sources);
    if (!result || hasErrors(diagnostics)) return 1;
    // A folder holding another run (model, dataset or settings) is left alone: the run went beside it.
    const runDir = result.runDir;

    // The run's report, beside the checkpoints. Training is done and checkpointed by now, so a
    // report that cannot be written says so rather than leaving the user to wonder about the run.
    try {
      writeReport(ctx, result, runDir, file, spec.kind === 'gan');
    } catch (e) {
      if (!(e instanceof CliError)) throw e;
      throw new CliError(`training finished and its checkpoint ${result.checkpoint ?? '(none)'} is saved, but the report could not be written: ${e.message}`);
    }
    ctx.io.stdout(`run directory: ${runDir} (checkpoint ${result.checkpoint ?? 'none'}; report.html, loss.svg)\n`);
    if (result.stopped === 'interrupted') {
      const runDirFlag = ctx.values['run-dir'] !== undefined || runDir !== askedRunDir ? ` --run-dir ${runDir}` : '';
      ctx.io.stderr(`interrupted: ${result.checkpoint ? `continue from ${result.checkpoint} with` : 'nothing was saved yet; start again with'} dlm train ${file}${result.checkpoint ? ' --resume' : ''}${runDirFlag}\n`);
      return 130;
    }
    return result.stopped === 'non_finite_loss' ? 1 : 0;
  },
};

/**
 * Data-parallel threads by default: half the cores, at most 4 (small CNN batches stop scaling
 * there). Each thread pays the step's fixed cost and the main thread's serial part, so a second
 * thread gains only where a core is idle: on 2 cores, 2 workers measured 0.99–1.2× of 1 thread
 * when calm and 0.4–0.7× under other work (docs/backends.md), hence 1 there.
 */
function defaultWorkers(): number {
  return Math.max(1, Math.min(4, Math.floor(availableParallelism() / 2)));
}

/** loss.svg, confusion.svg and report.html beside the checkpoints (atomically; CliError sentences on failure). */
function writeReport(ctx: Parameters<Command['run']>[0], result: TrainResult, runDir: string, file: string, gan: boolean): void {
  const history = historyFromRecords(result.history);
  const title = `${result.model}: ${gan ? 'adversarial training' : 'training'}`;
  if (history.length > 0) writeFileAtomic(join(runDir, 'loss.svg'), lossCurveSvg(history, { title }));
  if (result.confusion) {
    writeFileAtomic(join(runDir, 'confusion.svg'), confusionMatrixSvg(result.confusion.matrix, result.confusion.classNames));
    ctx.io.stdout(formatConfusion(result.confusion) + '\n');
  }
  const last = result.history[result.history.length - 1];
  writeFileAtomic(
    join(runDir, 'report.html'),
    reportHtml({
      title,
      facts: {
        model: result.model,
        file,
        backend: result.backend,
        epochs: result.history.length,
        stopped: result.stopped,
        checkpoint: result.checkpoint ?? '-',
        ...(last?.val ? Object.fromEntries(Object.entries(last.val.metrics).map(([k, v]) => [`final ${k}`, v])) : {}),
      },
      history,
      ...(result.confusion ? { confusion: { matrix: result.confusion.matrix, ...(result.confusion.classNames ? { classNames: result.confusion.classNames } : {}) } } : {}),
    }),
  );
}

import { resolve } from 'node:path';
import type { Command } from './index.js';
import { compileOrFail, loadPlugins, printDiagnostics, requireOneFile } from '../workspace.js';
import { CHECKPOINT_DATA_FLAGS, COMMON } from '../flags.js';
import { dataOverride, pickTraining, positiveInt, startRuntime } from '../training.js';
import { CliError } from '../io.js';
import { datasetFlags } from '../datasets.js';
import { formatConfusion } from '@dlm/train';
import { evaluate } from '@dlm/train/node';

/** `dlm eval`: loss and metrics of a checkpoint on the test split (confusion matrix for classifiers). */
export const evalCommand: Command = {
  name: 'eval',
  summary: 'evaluate a checkpoint on the test split',
  usage: 'eval <file.dlm> --checkpoint DIR [--data NAME] [--split test|train] [--limit N] [--json]',
  options: {
    ...CHECKPOINT_DATA_FLAGS,
    checkpoint: COMMON.checkpoint,
    split: { type: 'string', default: 'test', help: 'test or train' },
    limit: { type: 'string', arg: 'n', help: 'evaluate the first N samples only' },
    json: COMMON.json,
  },
  async run(ctx) {
    const file = requireOneFile(ctx, 'eval');
    const checkpoint = ctx.values['checkpoint'] as string | undefined;
    if (!checkpoint) throw new CliError("'dlm eval' needs --checkpoint (a checkpoint or run directory, e.g. runs/mnist_cnn/last)", 2);
    const split = (ctx.values['split'] as string | undefined) ?? 'test';
    if (split !== 'test' && split !== 'train') throw new CliError(`--split must be test or train, got '${split}'`, 2);
    const limit = positiveInt(ctx, 'limit');
    const loaded = await loadPlugins(ctx, file);
    const { program, sources } = compileOrFail(ctx, loaded, file);
    const spec = pickTraining(program, ctx.values['model'] as string | undefined);
    const data = dataOverride(ctx, loaded, spec);
    const runtime = await startRuntime(ctx);
    const { result, diagnostics } = await evaluate({
      runtime,
      program,
      training: spec,
      registry: loaded.registry,
      checkpoint: resolve(ctx.io.cwd, checkpoint),
      split,
      sourceRoot: ctx.io.cwd,
      ...(data ? { data } : {}),
      ...(limit !== undefined ? { limit } : {}),
      ...datasetFlags(ctx),
      log: (m) => ctx.io.stderr(`${m}\n`),
    });
    printDiagnostics(ctx, diagnostics, sources);
    if (!result) return 1;
    if (ctx.values['json']) {
      ctx.io.stdout(JSON.stringify(result, null, 2) + '\n');
      return 0;
    }
    const metrics = Object.entries(result.metrics).map(([k, v]) => `${k} ${v.toFixed(4)}`).join(', ');
    ctx.io.stdout(`${split}: ${result.samples} samples, loss ${result.loss.toFixed(4)}${metrics ? `, ${metrics}` : ''} (checkpoint ${result.checkpoint})\n`);
    if (result.confusion) ctx.io.stdout(formatConfusion(result.confusion) + '\n');
    return 0;
  },
};

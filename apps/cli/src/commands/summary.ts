import { formatSummary, summarize } from '@dlm/core';
import type { Command } from './index.js';
import { compileOrFail, loadPlugins, pickModel } from '../workspace.js';
import { oneInput } from '../inputs.js';
import { COMMON } from '../flags.js';

/** `dlm summary`: a Keras-style table per model, computed statically (nothing runs). */
export const summary: Command = {
  name: 'summary',
  summary: 'print layers, output shapes, parameters and FLOPs',
  usage: 'summary <file.dlm|-> [--model Name] [--json]',
  options: { model: COMMON.model, json: COMMON.json },
  async run(ctx) {
    const input = await oneInput(ctx, 'summary');
    const loaded = await loadPlugins(ctx, input.file);
    const { program } = compileOrFail(ctx, loaded, input.file, input.text);
    const name = ctx.values['model'] as string | undefined;
    const graphs = name ? [pickModel(program, name)] : program.models;
    const summaries = graphs.map(summarize);
    if (ctx.values['json']) ctx.io.stdout(JSON.stringify(name ? summaries[0] : summaries, null, 2) + '\n');
    else ctx.io.stdout(summaries.map(formatSummary).join('\n'));
    return 0;
  },
};

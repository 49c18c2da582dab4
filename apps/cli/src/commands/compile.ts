import { toJSON } from '@dlm/core';
import type { Command } from './index.js';
import { compileOrFail, loadPlugins } from '../workspace.js';
import { oneInput } from '../inputs.js';
import { COMMON } from '../flags.js';
import { writeFileAtomic } from '../files.js';
import { resolve } from 'node:path';

/** `dlm compile`: the IR as JSON, to a file (written atomically) or stdout. */
export const compile: Command = {
  name: 'compile',
  summary: 'compile a .dlm file to IR JSON',
  usage: 'compile <file.dlm|-> [-o out.ir.json]',
  options: { output: { ...COMMON.output, default: 'stdout' } },
  async run(ctx) {
    const input = await oneInput(ctx, 'compile');
    const loaded = await loadPlugins(ctx, input.file);
    const { program } = compileOrFail(ctx, loaded, input.file, input.text);
    const json = toJSON(program);
    const out = ctx.values['output'] as string | undefined;
    if (out && out !== '-') writeFileAtomic(resolve(ctx.io.cwd, out), json);
    else ctx.io.stdout(json);
    return 0;
  },
};

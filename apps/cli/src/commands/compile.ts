import { toJSON } from '@dlm/core';
import type { Command } from './index.js';
import { compileOrFail, loadPlugins, requireOneFile } from '../workspace.js';
import { writeFileAtomic } from '../files.js';
import { resolve } from 'node:path';

/** `dlm compile`: the IR as JSON, to a file (written atomically) or stdout. */
export const compile: Command = {
  name: 'compile',
  summary: 'compile a .dlm file to IR JSON',
  usage: 'compile <file.dlm> [-o out.ir.json]',
  options: { output: { type: 'string', short: 'o' } },
  async run(ctx) {
    const file = requireOneFile(ctx, 'compile');
    const loaded = await loadPlugins(ctx);
    const { program } = compileOrFail(ctx, loaded, file);
    const json = toJSON(program);
    const out = ctx.values['output'] as string | undefined;
    if (out && out !== '-') writeFileAtomic(resolve(ctx.io.cwd, out), json);
    else ctx.io.stdout(json);
    return 0;
  },
};

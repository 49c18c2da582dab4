import type { Command } from './index.js';
import { compileAndReport, loadPlugins } from '../workspace.js';
import { CliError } from '../io.js';

/** `dlm check`: every diagnostic of every file at once; silent and exit 0 when clean. */
export const check: Command = {
  name: 'check',
  summary: 'report every error and warning in .dlm files',
  usage: 'check <file.dlm>...',
  options: {},
  async run(ctx) {
    if (ctx.positionals.length === 0) throw new CliError("'dlm check' needs at least one .dlm file", 2);
    const loaded = await loadPlugins(ctx);
    let failed = false;
    for (const f of ctx.positionals) failed = !compileAndReport(ctx, loaded, f).ok || failed;
    return failed ? 1 : 0;
  },
};

import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { format } from '@dlm/language';
import type { Command } from './index.js';
import { displayPath, printDiagnostics } from '../workspace.js';
import { writeFileAtomic, describeFsError } from '../files.js';
import { CliError } from '../io.js';

/** `dlm fmt`: rewrites files in the canonical layout (idempotent); `--check` only reports. */
export const fmt: Command = {
  name: 'fmt',
  summary: 'format .dlm files in place (--check to only report)',
  usage: 'fmt <file.dlm>... [--check] [--stdout]',
  help: { check: 'only report files that are not formatted (exit 1)', stdout: 'print the formatted text instead of rewriting' },
  options: { check: { type: 'boolean' }, stdout: { type: 'boolean' } },
  async run(ctx) {
    if (ctx.positionals.length === 0) throw new CliError("'dlm fmt' needs at least one .dlm file", 2);
    let status = 0;
    for (const f of ctx.positionals) {
      const path = displayPath(ctx, f);
      let text: string;
      try {
        text = readFileSync(resolve(ctx.io.cwd, f), 'utf8');
      } catch (e) {
        ctx.io.stderr(`error: cannot read '${path}': ${describeFsError(e)}\n`);
        status = 1;
        continue;
      }
      const { result, diagnostics } = format(text, path);
      if (result === undefined) {
        printDiagnostics(ctx, diagnostics, new Map([[path, text]]));
        status = 1;
        continue;
      }
      if (ctx.values['stdout']) ctx.io.stdout(result);
      else if (ctx.values['check']) {
        if (result !== text) {
          ctx.io.stdout(`${path}: not formatted\n`);
          status = 1;
        }
      } else if (result !== text) {
        writeFileAtomic(resolve(ctx.io.cwd, f), result);
        ctx.io.stdout(`formatted ${path}\n`);
      }
    }
    return status;
  },
};

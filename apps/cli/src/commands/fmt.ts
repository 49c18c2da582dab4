import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { format } from '@dlm/language';
import type { Command } from './index.js';
import { displayPath, printDiagnostics } from '../workspace.js';
import { writeFileAtomic, describeFsError } from '../files.js';
import { expandInputs } from '../inputs.js';
import { CliError } from '../io.js';

/**
 * `dlm fmt`: rewrites files in the canonical layout (idempotent); `--check` only reports.
 * Standard input (`-`) is formatted to stdout.
 */
export const fmt: Command = {
  name: 'fmt',
  summary: 'format .dlm files in place (--check to only report)',
  usage: 'fmt <file.dlm|dir|glob|->... [--write | --check | --stdout]',
  options: {
    write: { type: 'boolean', help: 'rewrite files that are not formatted (what fmt does without --check or --stdout)' },
    check: { type: 'boolean', help: 'only list files that are not formatted (exit 1 if any)' },
    stdout: { type: 'boolean', help: 'print the formatted text instead of rewriting' },
  },
  async run(ctx) {
    const modes = (['write', 'check', 'stdout'] as const).filter((m) => ctx.values[m]);
    if (modes.length > 1) throw new CliError(`--${modes[0]} and --${modes[1]} cannot be used together`, 2);
    const mode = modes[0] ?? 'write';
    let status = 0;
    for (const input of await expandInputs(ctx, 'fmt')) {
      const path = input.text === undefined ? displayPath(ctx, input.file) : input.file;
      let text = input.text;
      if (text === undefined) {
        try {
          text = readFileSync(resolve(ctx.io.cwd, input.file), 'utf8');
        } catch (e) {
          ctx.io.stderr(`error: cannot read '${path}': ${describeFsError(e)}\n`);
          status = 1;
          continue;
        }
      }
      const { result, diagnostics } = format(text, path);
      if (result === undefined) {
        printDiagnostics(ctx, diagnostics, new Map([[path, text]]));
        status = 1;
        continue;
      }
      if (mode === 'check') {
        if (result !== text) {
          ctx.io.stdout(`${path}: not formatted\n`);
          status = 1;
        }
      } else if (mode === 'stdout' || input.text !== undefined) ctx.io.stdout(result);
      else if (result !== text) {
        writeFileAtomic(resolve(ctx.io.cwd, input.file), result);
        ctx.io.stdout(`formatted ${path}\n`);
      }
    }
    return status;
  },
};

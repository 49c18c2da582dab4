/**
 * The files a command reads: `-` is standard input, a directory means every .dlm file under it,
 * and a quoted glob (`"examples/**\/*.dlm"`) is expanded here (tinyglobby), so it works the same
 * in every shell, Windows' included. Expansion is sorted, so output order is stable.
 */
import { statSync } from 'node:fs';
import { resolve } from 'node:path';
import { convertPathToPattern, glob, isDynamicPattern } from 'tinyglobby';
import { CliError } from './io.js';
import { requireOneFile, type CommandContext } from './workspace.js';

/** The display name of standard input in diagnostics. */
export const STDIN_NAME = '<stdin>';

export interface Input {
  /** Path as given or found (relative to cwd when it was), or `<stdin>`. */
  file: string;
  /** The text, for standard input. */
  text?: string;
}

const IGNORE = ['**/node_modules/**', '**/.git/**', '**/dist/**'];

async function readStdin(ctx: CommandContext): Promise<string> {
  if (!ctx.io.readStdin) throw new CliError("standard input ('-') is not available here", 2);
  return ctx.io.readStdin();
}

/** Every input of a multi-file command, with `-`, directories and globs expanded. */
export async function expandInputs(ctx: CommandContext, command: string): Promise<Input[]> {
  if (ctx.positionals.length === 0) throw new CliError(`'dlm ${command}' needs at least one .dlm file, directory or glob ('-' for standard input)`, 2);
  const out: Input[] = [];
  let stdinUsed = false;
  for (const arg of ctx.positionals) {
    if (arg === '-') {
      if (stdinUsed) throw new CliError("standard input ('-') can be given only once", 2);
      stdinUsed = true;
      out.push({ file: STDIN_NAME, text: await readStdin(ctx) });
      continue;
    }
    let isDir = false;
    try {
      isDir = statSync(resolve(ctx.io.cwd, arg)).isDirectory();
    } catch {
      // Not an existing path: a glob, or a missing file that compiling reports (DLM9001).
    }
    if (isDir || isDynamicPattern(arg)) {
      const pattern = isDir ? `${convertPathToPattern(arg.replace(/[\\/]+$/, ''))}/**/*.dlm` : arg;
      const found = (await glob(pattern, { cwd: ctx.io.cwd, ignore: IGNORE, onlyFiles: true, expandDirectories: false })).sort();
      if (found.length === 0) throw new CliError(isDir ? `no .dlm files in directory '${arg}'` : `no files match '${arg}'`, 2);
      out.push(...found.map((file) => ({ file })));
      continue;
    }
    out.push({ file: arg });
  }
  return out;
}

/** The one input of a single-file command (`-` for standard input). */
export async function oneInput(ctx: CommandContext, command: string): Promise<Input> {
  const arg = requireOneFile(ctx, command);
  return arg === '-' ? { file: STDIN_NAME, text: await readStdin(ctx) } : { file: arg };
}

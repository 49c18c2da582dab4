import type { Diagnostic, SourceSpan } from '@dlm/core';
import { configFor } from '@dlm/plugin-loader/node';
import type { Command } from './index.js';
import { compileAndReport, loadPlugins, type Loaded } from '../workspace.js';
import { expandInputs, STDIN_NAME } from '../inputs.js';
import { CliError } from '../io.js';

const FORMATS = ['text', 'json', 'github'] as const;

/**
 * `dlm check`: every diagnostic of every file at once; silent and exit 0 when clean. `--json`
 * prints them as one JSON array, `--format github` as GitHub Actions annotations.
 */
export const check: Command = {
  name: 'check',
  summary: 'report every error and warning in .dlm files',
  usage: 'check <file.dlm|dir|glob|->... [--json | --format text|json|github] [--max-errors N]',
  options: {
    json: { type: 'boolean', help: 'print diagnostics as a JSON array on stdout (code, severity, file, range, message, notes); same as --format json' },
    format: { type: 'string', default: 'text', help: 'text (code frames on stderr), json, or github (workflow annotations on stdout)' },
    'max-errors': { type: 'string', help: 'diagnostics printed per file in text format before the rest are only counted (default 50, 0 for all)' },
  },
  async run(ctx) {
    const format = ctx.values['json'] ? 'json' : ((ctx.values['format'] as string | undefined) ?? 'text');
    if (!(FORMATS as readonly string[]).includes(format)) throw new CliError(`--format must be one of ${FORMATS.join(', ')}, got '${format}'`, 2);
    const collected: Diagnostic[] = [];
    if (format !== 'text') ctx = { ...ctx, report: (ds) => void collected.push(...ds) };
    const inputs = await expandInputs(ctx, 'check');
    // Files under different dlm.config.json files get their own plugins; each config loads once.
    const byConfig = new Map<string, Promise<Loaded>>();
    let failed = false;
    for (const input of inputs) {
      const key = typeof ctx.values['config'] === 'string' ? '--config' : (configFor(input.file === STDIN_NAME ? undefined : input.file, ctx.io.cwd) ?? '');
      let loaded = byConfig.get(key);
      if (!loaded) byConfig.set(key, (loaded = loadPlugins(ctx, input.file)));
      failed = !compileAndReport(ctx, await loaded, input.file, input.text).ok || failed;
    }
    if (format === 'json') ctx.io.stdout(JSON.stringify(collected.map(toJson), null, 2) + '\n');
    if (format === 'github') ctx.io.stdout(collected.map(toGithub).join(''));
    return failed ? 1 : 0;
  },
};

interface JsonRange {
  start: { line: number; column: number };
  end: { line: number; column: number };
}

const range = (s: SourceSpan): JsonRange => ({ start: { line: s.line, column: s.col }, end: { line: s.endLine, column: s.endCol } });

/** One diagnostic as JSON: 1-based lines and columns, the end exclusive, as printed in code frames. */
export function toJson(d: Diagnostic) {
  return {
    code: d.code,
    severity: d.severity,
    file: d.span?.file ?? null,
    range: d.span ? range(d.span) : null,
    message: d.message,
    notes: d.notes.map((n) => ({ message: n.message, file: n.span?.file ?? null, range: n.span ? range(n.span) : null })),
  };
}

// https://docs.github.com/actions/reference/workflow-commands-for-github-actions
const escapeData = (s: string) => s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
const escapeProperty = (s: string) => escapeData(s).replace(/:/g, '%3A').replace(/,/g, '%2C');

/** One diagnostic as a GitHub Actions annotation (notes appended to the message). */
export function toGithub(d: Diagnostic): string {
  const level = d.severity === 'error' ? 'error' : d.severity === 'warning' ? 'warning' : 'notice';
  const props = [
    ...(d.span ? [`file=${escapeProperty(d.span.file)}`, `line=${d.span.line}`, `col=${d.span.col}`, `endLine=${d.span.endLine}`, `endColumn=${d.span.endCol}`] : []),
    `title=${escapeProperty(d.code)}`,
  ];
  const notes = d.notes.map((n) => `\nnote: ${n.message}${n.span ? ` (${n.span.file}:${n.span.line}:${n.span.col})` : ''}`).join('');
  return `::${level} ${props.join(',')}::${escapeData(d.message + notes)}\n`;
}

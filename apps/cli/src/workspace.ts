/** What most commands do first: load config and plugins, compile the file, print diagnostics. */
import { readFileSync } from 'node:fs';
import { totalmem } from 'node:os';
import { resolve, relative } from 'node:path';
import { checkMemory, diag, formatDiagnostics, hasErrors, sortDiagnostics, type MemoryOptions, type Diagnostic, type Graph, type PluginKind, type PluginRegistry, type Program } from '@dlm/core';
import { compileFile } from '@dlm/language';
import { CliError, type CliIO } from './io.js';
import { STDIN_NAME } from './inputs.js';
import { loadPlugins as loadPluginsFor, type DlmConfig } from '@dlm/plugin-loader/node';

export interface CommandContext {
  io: CliIO;
  color: boolean;
  positionals: string[];
  values: Record<string, unknown>;
  /** Replaces printing diagnostics (e.g. `dlm check --json` collects them). */
  report?: (ds: readonly Diagnostic[], sources: Map<string, string>) => void;
}

export interface Loaded {
  registry: PluginRegistry;
  config: DlmConfig;
  /**
   * A named plugin failed to load or register. Its errors are printed already; compiling still
   * runs so uses of the broken plugin's names are reported where they are in the .dlm file,
   * but the command fails.
   */
  pluginErrors: boolean;
  /** Module URLs of the registered plugins (for data-parallel training workers). */
  modules: string[];
}

/**
 * Loads the plugins that apply to `file` (the dlm.config.json nearest to it, or --config), then
 * every --plugin; without a file (or for standard input), the config is searched from the working
 * directory.
 */
export async function loadPlugins(ctx: CommandContext, file?: string): Promise<Loaded> {
  const configPath = typeof ctx.values['config'] === 'string' ? ctx.values['config'] : undefined;
  const extraPlugins = (ctx.values['plugin'] as string[] | undefined) ?? [];
  const loaded = await loadPluginsFor({ cwd: ctx.io.cwd, ...(file !== undefined && file !== STDIN_NAME ? { file } : {}), ...(configPath !== undefined ? { configPath } : {}), extraPlugins });
  const all = [...loaded.configDiagnostics, ...loaded.diagnostics];
  if (all.length) printDiagnostics(ctx, all, new Map());
  if (hasErrors(loaded.configDiagnostics)) throw new CliError('plugins could not be loaded (see above)');
  return { registry: loaded.registry, config: loaded.config, pluginErrors: hasErrors(loaded.diagnostics), modules: loaded.modules };
}

export function printDiagnostics(ctx: CommandContext, ds: readonly Diagnostic[], sources: Map<string, string>): void {
  if (ds.length === 0) return;
  if (ctx.report) return ctx.report(ds, sources);
  ctx.io.stderr(formatDiagnostics(sortDiagnostics(ds), { color: ctx.color, sources, ...maxErrors(ctx) }));
}

/** `--max-errors N`: diagnostics printed per file before the rest are only counted (0: all). */
function maxErrors(ctx: CommandContext): { maxErrors?: number; limitHint?: string } {
  const limitHint = "'dlm check --max-errors N' shows more, 0 all";
  const text = ctx.values['max-errors'];
  if (text === undefined) return { limitHint };
  const n = Number(text);
  if (!Number.isInteger(n) || n < 0) throw new CliError(`--max-errors must be a whole number (0 for no limit), got '${String(text)}'`, 2);
  return { maxErrors: n, limitHint };
}

/** Display name of a file: relative to cwd, so diagnostics read `examples/x.dlm:3:5`. */
export function displayPath(ctx: CommandContext, file: string): string {
  const rel = relative(ctx.io.cwd, resolve(ctx.io.cwd, file));
  return rel.startsWith('..') ? resolve(ctx.io.cwd, file) : rel;
}

export interface CompiledFile {
  program: Program;
  diagnostics: Diagnostic[];
  sources: Map<string, string>;
  ok: boolean;
}

/** Compiles one .dlm file (or `text`, read from standard input), prints its diagnostics (warnings too), and reports success. */
export function compileAndReport(ctx: CommandContext, loaded: Loaded, file: string, text?: string): CompiledFile {
  const path = text === undefined ? displayPath(ctx, file) : file;
  const out = compileFile(path, {
    registry: loaded.registry,
    baseDir: ctx.io.cwd,
    readFile: (p) => {
      if (text !== undefined && p === path) return text;
      try {
        return readFileSync(resolve(ctx.io.cwd, p), 'utf8');
      } catch {
        return undefined;
      }
    },
  });
  const diagnostics = explainPluginNames(out.diagnostics, out.sources, loaded.registry);
  printDiagnostics(ctx, diagnostics, out.sources);
  return { ...out, diagnostics, ok: !hasErrors(diagnostics) && !loaded.pluginErrors };
}

const PLUGIN_KINDS: readonly PluginKind[] = ['layer', 'dataset', 'optimizer', 'schedule', 'regularizer', 'loss', 'metric'];

/**
 * An unknown layer (or dataset, optimizer, …) whose name a plugin declared but had refused (malformed) becomes DLM8009 at
 * the call, naming the plugin; other unknown names get a note for each plugin that failed to load.
 * The name is read from the source at the diagnostic's span (the callee), not from its message.
 */
function explainPluginNames(ds: Diagnostic[], sources: Map<string, string>, registry: PluginRegistry): Diagnostic[] {
  const failed = registry.failedPlugins();
  return ds.map((d) => {
    // DLM2001: unknown layer; DLM4001: unknown dataset/optimizer/… in a train block ("Unknown <kind> '…'").
    const kind = d.code === 'DLM2001' ? 'layer' : d.code === 'DLM4001' ? /^Unknown (\w+) /.exec(d.message)?.[1] : undefined;
    if (!kind || !PLUGIN_KINDS.includes(kind as PluginKind) || !d.span) return d;
    const name = sources.get(d.span.file)?.slice(d.span.start, d.span.end);
    if (!name) return d;
    const rejected = registry.rejection(kind as PluginKind, name);
    if (rejected) return diag('DLM8009', [kind[0]!.toUpperCase() + kind.slice(1), name, rejected.plugin, rejected.reason], d.span);
    if (failed.length === 0) return d;
    return { ...d, notes: [...d.notes, ...failed.map((p) => ({ message: `plugin '${p.name}' failed to load and may declare it: ${p.reason}` }))] };
  });
}

/** Compiles and fails the command on errors. */
export function compileOrFail(ctx: CommandContext, loaded: Loaded, file: string, text?: string): CompiledFile {
  const c = compileAndReport(ctx, loaded, file, text);
  if (!c.ok && !hasErrors(c.diagnostics)) throw new CliError('plugins could not be loaded (see above); nothing was done');
  if (!c.ok) throw new CliError(`${text === undefined ? displayPath(ctx, file) : file} has errors; nothing was done`);
  return c;
}

export function requireOneFile(ctx: CommandContext, command: string): string {
  if (ctx.positionals.length !== 1) throw new CliError(`'dlm ${command}' takes exactly one .dlm file, got ${ctx.positionals.length}`, 2);
  return ctx.positionals[0]!;
}

/** Picks the model named by --model, or the only/first model. */
export function pickModel(program: Program, name: string | undefined): Graph {
  if (program.models.length === 0) throw new CliError('the file declares no model');
  if (!name) return program.models[0]!;
  const g = program.models.find((m) => m.name === name);
  if (!g) {
    throw new CliError(`no model '${name}' in the file; it has ${program.models.map((m) => `'${m.name}'`).join(', ')}`);
  }
  return g;
}

/** `MnistCnn` → `mnist_cnn`: default names for run directories and output files. */
export function snakeCase(name: string): string {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1_$2')
    .replace(/[^A-Za-z0-9]+/g, '_')
    .toLowerCase();
}

/**
 * Refuses, before anything is allocated, a model whose estimated memory for `purpose` exceeds
 * `limitBytes` (default: this machine's physical memory): prints DLM5080 naming the largest
 * tensor and its layer, and fails the command. Export calls it; train and predict should call it
 * with their batch size and optimizer once their graph is known (see core's estimateMemory).
 */
export function refuseIfTooBig(ctx: CommandContext, graph: Graph, purpose: string, sources: Map<string, string>, opts: MemoryOptions = {}, limitBytes = totalmem()): void {
  const problems = checkMemory(graph, purpose, limitBytes, opts);
  if (problems.length === 0) return;
  printDiagnostics(ctx, problems, sources);
  throw new CliError(`model '${graph.name}' is too big for ${purpose} on this machine; nothing was done`);
}

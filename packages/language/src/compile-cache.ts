/**
 * Reuse of compiled models from one compilation of a file to the next, for editors: the language
 * server compiles the whole file after every change, and most of its models did not change.
 *
 * A model is reused when everything its compilation read is the same: its own text and starting
 * column, the models it uses like blocks (their keys, recursively), and the rest of the program
 * (every other top-level declaration of the file with its position, every imported file, the
 * registry). A reused model that moved (text was inserted above it) gets a copy of its graph with
 * its spans shifted, and only when it had no diagnostics: messages may name line numbers.
 * Otherwise it is compiled again. The result is the same program and the same diagnostics as a
 * compilation without the cache.
 */
import type { Diagnostic, Graph, PluginRegistry, SourceSpan } from '@dlm/core';
import type * as A from './ast.js';
import type { ModuleInfo } from './bind.js';

/** One compiled model of the main file, as the cache keeps it. */
export interface CachedModel {
  /** Everything the compilation read besides the environment: see modelKey. */
  key: string;
  start: number;
  end: number;
  line: number;
  graph: Graph;
  /** What compiling it reported (replayed when it is reused). */
  diagnostics: Diagnostic[];
  /** The blocks it expanded, by file and name (so that they are not checked as unused). */
  blocks: { file: string; name: string }[];
}

/**
 * Pass one per open document in CompileOptions.cache; compileSource reads and refills it. It holds
 * the last compilation's graphs, so it is meant for one file as it is edited.
 */
export class CompileCache {
  registry: PluginRegistry | undefined;
  file: string | undefined;
  /** See environmentKey. */
  environment: string | undefined;
  readonly models = new Map<string, CachedModel>();
  /** How many models the last compilation reused and compiled (for tests and benchmarks). */
  reused = 0;
  compiled = 0;

  /** Empties the cache when the program around the models changed. */
  startRun(registry: PluginRegistry, file: string, environment: string): void {
    if (this.registry !== registry || this.file !== file || this.environment !== environment) this.models.clear();
    this.registry = registry;
    this.file = file;
    this.environment = environment;
    this.reused = 0;
    this.compiled = 0;
  }
}

/**
 * The program around the main file's models: every other top-level declaration with its position
 * and text, which declarations a syntax error damaged, and every imported file's text.
 */
export function environmentKey(main: ModuleInfo, text: string, sources: Map<string, string>): string {
  const parts: string[] = [];
  for (const item of main.ast.items) {
    const damaged = main.damaged.has(item) ? '!' : '';
    if (item.kind === 'model') parts.push(`model ${item.name.name}${damaged}`);
    else parts.push(`${damaged}${item.span.start}:${item.span.line}:${text.slice(item.span.start, item.span.end)}`);
  }
  for (const [file, source] of sources) if (file !== main.file) parts.push(`file ${file}\n${source}`);
  return parts.join('\u0000');
}

/**
 * A model's own key: its text and starting column, and the keys of the models of the file that it
 * names (a model can be used like a block).
 */
export function modelKey(decl: A.ModelDecl, main: ModuleInfo, text: string, seen: Set<A.ModelDecl> = new Set()): string {
  const own = text.slice(decl.span.start, decl.span.end);
  seen.add(decl);
  const parts = [`${decl.span.col}:${own}`];
  for (const name of new Set(own.match(/[A-Za-z_]\w*/g) ?? [])) {
    const d = main.scope.get(name);
    if (d?.kind !== 'model' || d.decl === decl) continue;
    // An imported model's text is in the environment key; a model of this file is keyed here.
    if (d.module !== main || seen.has(d.decl)) parts.push(`uses ${name}`);
    else parts.push(`uses ${name} ${modelKey(d.decl, main, text, seen)}`);
  }
  return parts.join('\u0000');
}

/**
 * A copy of a graph whose spans in `file` within [from, to) moved by `offset` characters and
 * `lines` lines (the model's text did not change, so columns did not either). Objects shared in
 * the graph stay shared in the copy.
 */
export function shiftGraph(g: Graph, file: string, from: number, to: number, offset: number, lines: number): Graph {
  const copies = new Map<object, unknown>();
  const copy = (x: unknown): unknown => {
    if (x === null || typeof x !== 'object') return x;
    const done = copies.get(x);
    if (done !== undefined) return done;
    let out: unknown;
    if (Array.isArray(x)) {
      const arr: unknown[] = [];
      copies.set(x, arr);
      for (const v of x) arr.push(copy(v));
      out = arr;
    } else if (isSpan(x)) {
      out = x.file === file && x.start >= from && x.end <= to ? { ...x, start: x.start + offset, end: x.end + offset, line: x.line + lines, endLine: x.endLine + lines } : x;
      copies.set(x, out);
    } else {
      const obj: Record<string, unknown> = {};
      copies.set(x, obj);
      for (const k of Object.keys(x)) obj[k] = copy((x as Record<string, unknown>)[k]);
      out = obj;
    }
    return out;
  };
  return copy(g) as Graph;
}

function isSpan(x: object): x is SourceSpan {
  const s = x as Partial<SourceSpan>;
  return typeof s.file === 'string' && typeof s.start === 'number' && typeof s.endCol === 'number';
}

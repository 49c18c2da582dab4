/**
 * Reuse of compiled models from one compilation of a file to the next, for editors: the language
 * server compiles the whole file after every change, and most of its models did not change.
 *
 * A model is reused when everything its compilation read is the same: its own text and starting
 * column, the models it uses like blocks (their keys, recursively), and the rest of the program
 * (every other top-level declaration of the file but `train` blocks, with its position and the
 * models it names; every imported file; the registry). A reused model that moved (text was inserted above it) gets a copy of its graph with
 * its spans shifted, and only when it had no diagnostics: messages may name line numbers.
 * Otherwise it is compiled again. The result is the same program and the same diagnostics as a
 * compilation without the cache.
 */
import type { Diagnostic, Graph, PluginRegistry } from '@dlm/core';
import type * as A from './ast.js';
import type { ModuleInfo } from './bind.js';
import type { ParseResult } from './parse.js';
import { shiftSpans, spanMover } from './shift-spans.js';

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
  /** The last parse of the main file (error-free ones only), for parse() to re-parse only what an edit touched. */
  parsed: { file: string; text: string; result: ParseResult } | undefined;
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
    // `train` blocks are compiled after the models and read them; models never read them.
    if (item.kind === 'train') continue;
    if (item.kind === 'model') {
      parts.push(`model ${item.name.name}${damaged}`);
      continue;
    }
    const own = text.slice(item.span.start, item.span.end);
    parts.push(`${damaged}${item.span.start}:${item.span.line}:${own}`);
    // A block (or constant) that names a model of this file: that model is part of every use.
    for (const name of identifiers(own)) {
      const d = main.scope.get(name);
      if (d?.kind === 'model' && d.module === main) parts.push(`uses ${name} ${d.decl.span.start}:${text.slice(d.decl.span.start, d.decl.span.end)}`);
    }
  }
  for (const [file, source] of sources) if (file !== main.file) parts.push(`file ${file}\n${source}`);
  return parts.join('\u0000');
}

/**
 * A model's own key: its text and starting column, and the positions and keys of the models of the
 * file that it names (a model can be used like a block).
 */
export function modelKey(decl: A.ModelDecl, main: ModuleInfo, text: string, seen: Set<A.ModelDecl> = new Set()): string {
  const own = text.slice(decl.span.start, decl.span.end);
  seen.add(decl);
  const parts = [`${decl.span.col}:${own}`];
  for (const name of identifiers(own)) {
    const d = main.scope.get(name);
    if (d?.kind !== 'model' || d.decl === decl) continue;
    // An imported model's text is in the environment key; a model of this file is keyed here.
    if (d.module !== main || seen.has(d.decl)) parts.push(`uses ${name}`);
    // Its position too: this model's graph holds spans of that model's body.
    else parts.push(`uses ${name} at ${d.decl.span.start}:${d.decl.span.line} ${modelKey(d.decl, main, text, seen)}`);
  }
  return parts.join('\u0000');
}

/** The names a piece of text mentions (comments and strings included: more than needed is safe). */
function identifiers(text: string): Set<string> {
  return new Set(text.match(/[A-Za-z_]\w*/g) ?? []);
}

/**
 * A graph whose model moved (see shiftSpans). Only what holds a span is copied: nodes, parameters
 * and layer records get a copy with the moved span, and their span-free parts (types, attributes,
 * scope paths, value lists) are shared with the cached graph, as an unmoved model's whole graph is.
 * Copying every object of the graph (the generic shiftSpans) was most of the time of a line break.
 */
export function shiftGraph(g: Graph, file: string, from: number, to: number, offset: number, lines: number): Graph {
  const move = spanMover(file, from, to, offset, lines);
  const out: Graph = { ...g };
  for (const key of Object.keys(out) as (keyof Graph)[]) {
    if (key === 'nodes') out.nodes = g.nodes.map((n) => (n.span ? { ...n, span: move(n.span) } : n));
    else if (key === 'params') {
      out.params = g.params.map((p) => {
        const regularizers = p.regularizers.length ? shiftSpans(p.regularizers, file, from, to, offset, lines) : p.regularizers;
        return p.span || regularizers !== p.regularizers ? { ...p, regularizers, ...(p.span ? { span: move(p.span) } : {}) } : p;
      });
    } else if (key === 'layers') {
      out.layers = g.layers.map((l) => {
        const args = hasObjects(l.args) ? shiftSpans(l.args, file, from, to, offset, lines) : l.args;
        return l.span || args !== l.args ? { ...l, args, ...(l.span ? { span: move(l.span) } : {}) } : l;
      });
    } else if (key === 'span') out.span = move(g.span!);
    else if (key !== 'inputs' && key !== 'outputs' && key !== 'values' && typeof out[key] === 'object' && out[key] !== null) {
      // A field this function does not know: copied generically, so that no span of it stays behind.
      (out as unknown as Record<string, unknown>)[key] = shiftSpans(out[key], file, from, to, offset, lines);
    }
  }
  return out;
}

/** Whether an argument record holds anything but plain values (a plugin call, a list: they may hold spans). */
function hasObjects(args: Record<string, unknown>): boolean {
  for (const k in args) {
    const v = args[k];
    if (v !== null && typeof v === 'object') return true;
  }
  return false;
}

/**
 * Phase 3b and 4, evaluating and compiling: bound files (./bind.ts) → IR Program. The phases
 * live in ./compiler/, one file each (see ./compiler/base.ts); this file is the entry point.
 *
 * - constants: module constants are folded once each, with cycle detection.
 * - compile: walks each model body, expanding layer calls through @dlm/core's GraphBuilder (which
 *   runs shape rules), blocks as builder scopes, `repeat` as one scope per repetition; train
 *   blocks become TrainingSpecs whose plugin names resolve against the registry.
 *
 * Nothing here throws for user errors: every problem is a diagnostic and compilation continues
 * with an "error" value so that one mistake yields one message.
 */
import { DiagnosticBag, IR_VERSION, sortDiagnostics, type Diagnostic, type Graph, type PluginRegistry, type Program } from '@dlm/core';
import type * as A from './ast.js';
import { Binder, defaultRead, type ModuleInfo } from './bind.js';
import { defaultBase, findProjectRoot } from './project-root.js';
import { CompileCache, environmentKey, modelKey, shiftGraph, type CachedModel } from './compile-cache.js';
import { TrainCompiler } from './compiler/training.js';

export { INITIALIZER_KINDS, MAX_DEPTH, MAX_REPEAT } from './compiler/base.js';
export { CompileCache } from './compile-cache.js';

export interface CompileOptions {
  registry: PluginRegistry;
  /** Reads an imported file; undefined when it does not exist. Default: the file system. */
  readFile?: (path: string) => string | undefined;
  /** Folder that relative file names are relative to (default: the process's current directory). */
  baseDir?: string;
  /** Imports may not leave this folder. Default: findProjectRoot of the main file (see project-root.ts). */
  projectRoot?: string;
  /**
   * Models compiled last time that this compilation may reuse (an editor passes one per open
   * document; see compile-cache.ts). The output is the same as without it.
   */
  cache?: CompileCache;
}

export interface CompileOutput {
  program: Program;
  diagnostics: Diagnostic[];
  /** Text of every file read (the main file and its imports), for printing code frames. */
  sources: Map<string, string>;
  /**
   * The bound main file: its AST, its namespace (the binder's scope: own declarations, then
   * imported ones) and the files it imports. Editor services resolve names from it
   * (`buildSymbols`), so they follow the compiler's rules. Absent when the file could not be read.
   */
  main?: ModuleInfo;
}

// ───────────────────────────── entry points ─────────────────────────────

export function compileFile(path: string, opts: CompileOptions): CompileOutput {
  const read = opts.readFile ?? defaultRead;
  const text = read(path);
  if (text === undefined) {
    const bag = new DiagnosticBag();
    bag.report('DLM9001', [path, 'file not found']);
    return { program: emptyProgram(), diagnostics: bag.items, sources: new Map() };
  }
  return compileSource(text, path, opts);
}

export function compileSource(text: string, file: string, opts: CompileOptions): CompileOutput {
  const c = new Compiler(opts);
  return c.run(text, file);
}

function emptyProgram(): Program {
  return { irVersion: IR_VERSION, models: [], trainings: [] };
}

/** The whole compiler: every phase (./compiler/), run over the main file and what it imports. */
class Compiler extends TrainCompiler {
  constructor(opts: CompileOptions) {
    super(opts);
  }

  /** The main file and its text, while a cache is in use (compileModel reads them). */
  private cached?: { cache: CompileCache; main: ModuleInfo; text: string };

  run(text: string, file: string): CompileOutput {
    const base = this.opts.baseDir ?? defaultBase();
    this.binder = new Binder(this.bag, this.opts.readFile ?? defaultRead, { root: this.opts.projectRoot ?? findProjectRoot(file, base), base });
    const cache = this.opts.cache;
    const previous = cache?.parsed?.file === file ? cache.parsed : undefined;
    const main = this.binder.load(text, file, [], [], previous);
    if (cache) {
      const parsed = this.binder.mainParse!;
      cache.parsed = parsed.diagnostics.length === 0 ? { file, text, result: parsed } : undefined;
    }
    const sources = this.binder.sources;
    for (const m of this.binder.modules.values()) this.binder.bind(m);
    // Every constant is folded once, used or not, so that its errors are reported.
    for (const m of this.binder.modules.values()) {
      for (const item of m.ast.items) if (item.kind === 'let') this.moduleConst(item, m);
    }
    if (cache) {
      cache.startRun(this.registry, file, environmentKey(main, text, sources));
      this.cached = { cache, main, text };
    }
    const program = emptyProgram();
    const wanted: A.ModelDecl[] = [];
    // Declarations cut by a syntax error are not compiled; the rest of the file is, so that a
    // typo in one model does not hide the errors of the others.
    const clean = main.ast.items.filter((item) => !main.damaged.has(item));
    for (const item of clean) if (item.kind === 'model') wanted.push(item);
    const trainings: { decl: A.TrainDecl }[] = [];
    for (const item of clean) if (item.kind === 'train') trainings.push({ decl: item });
    for (const m of wanted) this.compileModel(m, main);
    for (const { decl } of trainings) {
      const spec = this.compileTrain(decl, main);
      if (spec) program.trainings.push(spec);
    }
    for (const item of clean) if (item.kind === 'block' && !this.instantiated.has(item)) this.checkUninstantiated(item, main);
    // Main-file models first (in source order), then imported models that a train block uses.
    for (const m of wanted) program.models.push(this.graphs.get(m)!);
    for (const [decl, g] of this.graphs) if (!wanted.includes(decl)) program.models.push(g);
    return { program, diagnostics: this.finishDiagnostics(), sources, main };
  }

  /** A model of the main file: reused from the cache when nothing it read changed, else compiled (and kept). */
  protected override compileModel(decl: A.ModelDecl, module: ModuleInfo): Graph {
    const c = this.cached;
    if (!c || module !== c.main || this.graphs.has(decl)) return super.compileModel(decl, module);
    const name = decl.name.name;
    const key = modelKey(decl, c.main, c.text);
    const hit = c.cache.models.get(name);
    if (hit && hit.key === key) {
      const offset = decl.span.start - hit.start;
      const lines = decl.span.line - hit.line;
      // A model that moved is reused only without diagnostics: their messages may name lines.
      if ((offset === 0 && lines === 0) || hit.diagnostics.length === 0) {
        const graph = offset === 0 && lines === 0 ? hit.graph : shiftGraph(hit.graph, c.main.file, hit.start, hit.end, offset, lines);
        for (const d of hit.diagnostics) this.bag.add(d);
        for (const b of hit.blocks) {
          const m = [...this.binder.modules.values()].find((x) => x.file === b.file);
          const block = m?.ast.items.find((i): i is A.BlockDecl => i.kind === 'block' && i.name.name === b.name);
          if (block) this.instantiated.add(block);
        }
        this.graphs.set(decl, graph);
        c.cache.models.set(name, { ...hit, start: decl.span.start, end: decl.span.end, line: decl.span.line, graph });
        c.cache.reused++;
        return graph;
      }
    }
    const first = this.bag.items.length;
    const tooDeepBefore = this.reportedTooDeep;
    const blocks = (this.blocksUsed = new Set());
    const graph = super.compileModel(decl, module);
    this.blocksUsed = undefined;
    const diagnostics = this.bag.items.slice(first);
    c.cache.compiled++;
    // DLM2044 is said once per compilation: a model that said it (or came after it) is not kept.
    if (tooDeepBefore || this.reportedTooDeep) {
      c.cache.models.delete(name);
      return graph;
    }
    const entry: CachedModel = {
      key,
      start: decl.span.start,
      end: decl.span.end,
      line: decl.span.line,
      graph,
      diagnostics,
      blocks: [...blocks].map((b) => ({ file: this.moduleOf(b), name: b.name.name })),
    };
    c.cache.models.set(name, entry);
    return graph;
  }

  private moduleOf(block: A.BlockDecl): string {
    for (const m of this.binder.modules.values()) if (m.ast.items.includes(block)) return m.file;
    return '';
  }

  private finishDiagnostics(): Diagnostic[] {
    // Block bodies compile once per instance; the same message at the same place is shown once.
    const seen = new Set<string>();
    const out: Diagnostic[] = [];
    for (const d of this.bag.items) {
      const key = `${d.code}|${d.span?.file}|${d.span?.start}|${d.span?.end}|${d.message}`;
      if (seen.has(key)) continue;
      seen.add(key);
      out.push(d);
    }
    return sortDiagnostics(out);
  }
}

/**
 * Phase 3a, binding: reads the main file and its imports (relative to the importing file) and
 * builds each file's namespace of constants, blocks and models (its own declarations first, then
 * those of the files it imports directly). Import cycles, missing files and duplicate names are
 * diagnostics at the place the user can fix them.
 */
import * as fs from 'node:fs';
import * as nodePath from 'node:path';
import { DiagnosticBag, didYouMean, type ArgType, type Diagnostic } from '@dlm/core';
import type * as A from './ast.js';
import { parse, type ParseResult } from './parse.js';
import { isInside } from './project-root.js';

const PROJECT_ROOT_NOTE = 'the project root is the folder of the nearest dlm.config.json or package.json above the main file (or the main file\'s folder)';

export interface ModuleInfo {
  file: string;
  ast: A.ModuleAst;
  /** Declarations visible in this file: own first, then directly imported ones. */
  scope: Map<string, Decl>;
  imports: ModuleInfo[];
  /**
   * Top-level declarations touched by a syntax error. They stay in the namespace (so uses of
   * them raise no "unknown name" cascade) but are not compiled; the rest of the file is.
   */
  damaged: Set<A.Item>;
}

export type Decl =
  | { kind: 'let'; decl: A.LetDecl; module: ModuleInfo }
  | { kind: 'block'; decl: A.BlockDecl; module: ModuleInfo }
  | { kind: 'model'; decl: A.ModelDecl; module: ModuleInfo };

/** Block parameter types and the argument types they accept. */
export const PARAM_TYPES: Record<string, ArgType | readonly ArgType[]> = {
  int: 'int',
  float: 'float',
  bool: 'bool',
  string: 'string',
  ints: 'ints',
  floats: 'floats',
  dims: 'dims',
};

/** The normalized path an `import "path"` in `file` refers to (the key of `Binder.modules`). */
export function importTarget(file: string, importPath: string): string {
  return nodePath.normalize(nodePath.join(nodePath.dirname(file), importPath));
}

/** Longest import chain; keeps loading (recursive per import) far from the stack limit. */
const MAX_IMPORT_DEPTH = 200;

export function defaultRead(p: string): string | undefined {
  try {
    return fs.readFileSync(p, 'utf8');
  } catch {
    return undefined;
  }
}

/**
 * The declarations a syntax error falls in (or, between two declarations, the one before it,
 * which the error most likely cut short).
 */
function damagedItems(ast: A.ModuleAst, diagnostics: readonly Diagnostic[]): Set<A.Item> {
  const out = new Set<A.Item>();
  for (const d of diagnostics) {
    if (d.severity !== 'error' || !d.span) continue;
    const at = d.span.start;
    let hit = ast.items.find((it) => at >= it.span.start && at <= it.span.end);
    if (!hit) for (const it of ast.items) if (it.span.start <= at) hit = it;
    if (hit) out.add(hit);
  }
  return out;
}

export class Binder {
  /** Loaded files by normalized path. */
  readonly modules = new Map<string, ModuleInfo>();
  /** Text of every file read, for code frames. */
  readonly sources = new Map<string, string>();
  /** The main file's parse (what an editor's CompileCache keeps for the next version). */
  mainParse: ParseResult | undefined;

  constructor(
    private readonly bag: DiagnosticBag,
    private readonly read: (path: string) => string | undefined,
    /** Imports must stay inside `root`; relative paths are relative to `base`. */
    private readonly project: { root: string; base: string },
  ) {}

  /**
   * Reads one file and, recursively, its imports. `stack` is the chain of files importing this
   * one; `via[k]` is the import line in `stack[k]` that leads to the next file of the chain.
   */
  load(text: string, file: string, stack: string[], via: A.ImportDecl[] = [], previous?: { text: string; result: ParseResult }): ModuleInfo {
    const key = nodePath.normalize(file);
    this.sources.set(file, text);
    const parsed = parse(text, file, previous);
    if (stack.length === 0) this.mainParse = parsed;
    const { ast, diagnostics } = parsed;
    this.bag.addAll(diagnostics);
    const info: ModuleInfo = { file, ast, scope: new Map(), imports: [], damaged: damagedItems(ast, diagnostics) };
    this.modules.set(key, info);
    const chain = [...stack, key];
    for (const item of ast.items) {
      if (item.kind !== 'import' || info.damaged.has(item)) continue;
      const target = importTarget(file, item.path);
      const cycleAt = chain.indexOf(target);
      if (cycleAt >= 0) {
        // Name every import line of the cycle, so the user sees which one to remove.
        const cycle = [...chain.slice(cycleAt), target].join(' → ');
        const others = via.slice(cycleAt).map((imp) => ({ message: `${imp.span.file} imports ${imp.raw} here`, span: imp.span }));
        this.bag.report('DLM2015', [cycle], item.span, others);
        continue;
      }
      if (!item.path.endsWith('.dlm')) {
        this.bag.report('DLM2063', [item.path], item.span);
        continue;
      }
      if (!isInside(this.project.root, target, this.project.base)) {
        const rel = nodePath.relative(this.project.base, this.project.root);
        const shown = rel === '' ? '.' : rel.split(nodePath.sep).join('/');
        this.bag.report('DLM2064', [item.path, shown], item.span, [{ message: PROJECT_ROOT_NOTE }]);
        continue;
      }
      let mod = this.modules.get(target);
      if (!mod && chain.length >= MAX_IMPORT_DEPTH) {
        this.bag.report('DLM2044', [MAX_IMPORT_DEPTH], item.span);
        continue;
      }
      if (!mod) {
        const t = item.path.endsWith('/') ? undefined : this.read(target);
        if (t === undefined) {
          this.bag.report('DLM2014', [item.path], item.span, [{ message: `looked for ${target}` }]);
          continue;
        }
        mod = this.load(t, target, chain, [...via, item]);
      }
      info.imports.push(mod);
    }
    return info;
  }

  /** Builds each file's namespace and checks declarations that need no instance (block parameter types). */
  bind(m: ModuleInfo): void {
    const add = (name: A.Ident, d: Decl) => {
      const prev = m.scope.get(name.name);
      if (prev) {
        if (prev.decl === d.decl) return;
        if (prev.module === m && d.module !== m) {
          // A local declaration clashing with an imported one: report it where the user can fix it.
          this.bag.report('DLM2011', [name.name], prev.decl.name.span, [{ message: `also defined in ${d.module.file}, imported here`, span: d.decl.name.span }]);
        } else {
          this.bag.report('DLM2011', [name.name], name.span, [{ message: `first defined here`, span: prev.decl.name.span }]);
        }
        return;
      }
      m.scope.set(name.name, d);
    };
    const trains = new Map<string, A.TrainDecl>();
    for (const item of m.ast.items) {
      if (item.kind === 'let') add(item.name, { kind: 'let', decl: item, module: m });
      else if (item.kind === 'block') add(item.name, { kind: 'block', decl: item, module: m });
      else if (item.kind === 'model') add(item.name, { kind: 'model', decl: item, module: m });
      else if (item.kind === 'train') {
        const prev = trains.get(item.name.name);
        if (prev) this.bag.report('DLM2011', [`train ${item.name.name}`], item.name.span, [{ message: 'first defined here', span: prev.name.span }]);
        else trains.set(item.name.name, item);
      }
    }
    for (const imp of m.imports) {
      for (const item of imp.ast.items) {
        if (item.kind === 'let') add(item.name, { kind: 'let', decl: item, module: imp });
        else if (item.kind === 'block') add(item.name, { kind: 'block', decl: item, module: imp });
        else if (item.kind === 'model') add(item.name, { kind: 'model', decl: item, module: imp });
      }
    }
    for (const item of m.ast.items) {
      if (item.kind !== 'block') continue;
      const seen = new Map<string, A.BlockParam>();
      for (const p of item.params) {
        const prev = seen.get(p.name.name);
        if (prev) this.bag.report('DLM2011', [p.name.name], p.name.span, [{ message: 'first defined here', span: prev.name.span }]);
        seen.set(p.name.name, p);
        if (p.type && !(p.type.name in PARAM_TYPES)) {
          this.bag.report('DLM2025', [p.type.name], p.type.span, [], didYouMean(p.type.name, Object.keys(PARAM_TYPES)));
        }
      }
    }
  }
}

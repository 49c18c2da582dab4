/**
 * The symbol table of a bound file, for editor services: every identifier occurrence that names a
 * declaration (module constant, block, model, value, port, block parameter, repeat index) is
 * recorded with the declaration it refers to, so definition, rename and hover agree. Module-level
 * names come from the binder's own namespace (`ModuleInfo.scope`: own declarations first, then
 * imported ones, duplicates resolved as the compiler resolves them); inside bodies the compiler's
 * rules apply: a body's own names (ports, assignments, local lets, block parameters, repeat
 * indices) shadow module names; a name bound nowhere is a symbol (`batch`, `same`) and is not
 * recorded.
 */
import type { SourceSpan } from '@dlm/core';
import type * as A from './ast.js';
import type { ModuleInfo } from './bind.js';

export type SymbolKind = 'constant' | 'block' | 'model' | 'input' | 'output' | 'value' | 'param' | 'index' | 'train';

export interface SymbolDecl {
  /** Unique key: file + start offset of the declaring identifier. */
  key: string;
  name: string;
  kind: SymbolKind;
  /** The declaring identifier. */
  span: SourceSpan;
  /** The whole declaration (statement or item). */
  fullSpan: SourceSpan;
  /** The item (model/block) whose body declares it, for values, ports and parameters. */
  owner?: A.ModelDecl | A.BlockDecl;
  /** The declaration node itself. */
  node?: A.Item | A.Stmt | A.BlockParam;
  /**
   * The `for` statement a body name is confined to: its loop variable, or a name first defined in
   * its body (each iteration has its own). Undefined for names visible in the whole body.
   */
  loop?: SourceSpan;
}

export interface Occurrence {
  name: string;
  span: SourceSpan;
  decl: SymbolDecl;
  /** True at the declaring identifier itself. */
  isDecl: boolean;
}

export interface SymbolTable {
  decls: SymbolDecl[];
  occurrences: Occurrence[];
  /** Module-level declarations visible in the file (own first, then imported). */
  moduleScope: Map<string, SymbolDecl>;
  /**
   * Every name a model's or block's body declares (parameters, ports, values, local constants,
   * loop variables), each with the `for` it is confined to, for completion. A name may appear more
   * than once: each sibling loop that defines it declares its own.
   */
  bodyScopes: Map<A.ModelDecl | A.BlockDecl, SymbolDecl[]>;
}

const keyOf = (s: SourceSpan) => `${s.file}:${s.start}`;

/** The block declaration a decl names, if it names one. */
export function blockOf(d: SymbolDecl | undefined): A.BlockDecl | undefined {
  const n = d?.kind === 'block' ? d.node : undefined;
  return n && 'kind' in n && n.kind === 'block' ? n : undefined;
}

/** Builds the symbol table of a file the binder has bound (`CompileOutput.main`). */
export function buildSymbols(main: ModuleInfo): SymbolTable {
  const ast = main.ast;
  const decls: SymbolDecl[] = [];
  const occurrences: Occurrence[] = [];
  const moduleScope = new Map<string, SymbolDecl>();
  const bodyScopes = new Map<A.ModelDecl | A.BlockDecl, SymbolDecl[]>();
  const declare = (d: Omit<SymbolDecl, 'key'>, record: boolean): SymbolDecl => {
    const full: SymbolDecl = { ...d, key: keyOf(d.span) };
    decls.push(full);
    if (record) occurrences.push({ name: d.name, span: d.span, decl: full, isDecl: true });
    return full;
  };
  const moduleDecl = (item: A.LetDecl | A.BlockDecl | A.ModelDecl, own: boolean): SymbolDecl =>
    declare({ name: item.name.name, kind: item.kind === 'let' ? 'constant' : item.kind, span: item.name.span, fullSpan: item.span, node: item }, own);
  // Every own declaration is an occurrence (a duplicate too, so it can be renamed away); the
  // namespace is the binder's, so a name means here what it means to the compiler.
  const byItem = new Map<A.Item, SymbolDecl>();
  for (const item of ast.items) if (item.kind === 'let' || item.kind === 'block' || item.kind === 'model') byItem.set(item, moduleDecl(item, true));
  for (const [name, bound] of main.scope) moduleScope.set(name, byItem.get(bound.decl) ?? moduleDecl(bound.decl, false));

  const use = (id: A.Ident | { name: string; span: SourceSpan }, scopes: Map<string, SymbolDecl>[]) => {
    for (let i = scopes.length - 1; i >= 0; i--) {
      const d = scopes[i]!.get(id.name);
      if (d) {
        occurrences.push({ name: id.name, span: id.span, decl: d, isDecl: false });
        return d;
      }
    }
    return undefined;
  };

  const walk = (e: A.Expr, scopes: Map<string, SymbolDecl>[]): void => {
    // An explicit stack: expressions can be long chains.
    const stack: { e: A.Expr; scopes: Map<string, SymbolDecl>[] }[] = [{ e, scopes }];
    while (stack.length) {
      const { e: x, scopes: sc } = stack.pop()!;
      switch (x.kind) {
        case 'name':
          use(x, sc);
          break;
        case 'call': {
          const callee = use(x.callee, sc);
          const calleeBlock = blockOf(callee);
          const blockParams = calleeBlock ? paramDecls.get(calleeBlock) : undefined;
          for (const a of x.args) {
            if (a.name && blockParams) {
              const p = blockParams.get(a.name.name);
              if (p) occurrences.push({ name: a.name.name, span: a.name.span, decl: p, isDecl: false });
            }
            stack.push({ e: a.value, scopes: sc });
          }
          for (const g of x.settings ?? []) for (const it of g.items) stack.push({ e: it.value, scopes: sc });
          break;
        }
        case 'list':
        case 'tuple':
          for (const it of x.items) stack.push({ e: it, scopes: sc });
          break;
        case 'paren':
          stack.push({ e: x.expr, scopes: sc });
          break;
        case 'neg':
        case 'not':
          stack.push({ e: x.operand, scopes: sc });
          break;
        case 'compare':
          stack.push({ e: x.left, scopes: sc }, { e: x.right, scopes: sc });
          break;
        case 'logic':
          for (const it of x.operands) stack.push({ e: it, scopes: sc });
          break;
        case 'index':
          stack.push({ e: x.target, scopes: sc });
          for (const it of x.items) {
            if (it.kind === 'at') stack.push({ e: it.index, scopes: sc });
            else if (it.kind === 'slice') for (const b of [it.start, it.stop, it.step]) if (b) stack.push({ e: b, scopes: sc });
          }
          break;
        case 'binary':
          for (const it of x.operands) stack.push({ e: it, scopes: sc });
          break;
        case 'pipe':
          stack.push({ e: x.head, scopes: sc });
          for (const st of x.stages) stack.push({ e: st, scopes: sc });
          break;
        case 'repeat': {
          stack.push({ e: x.count, scopes: sc });
          let inner = sc;
          if (x.index) {
            const d = declare({ name: x.index.name, kind: 'index', span: x.index.span, fullSpan: x.span }, true);
            inner = [...sc, new Map([[d.name, d]])];
          }
          for (const st of x.stages) stack.push({ e: st, scopes: inner });
          break;
        }
        default:
          break;
      }
    }
  };

  // Block parameters first, so that named arguments in calls anywhere resolve to them.
  const paramDecls = new Map<A.BlockDecl, Map<string, SymbolDecl>>();
  for (const item of ast.items) {
    if (item.kind !== 'block') continue;
    const ps = new Map<string, SymbolDecl>();
    for (const p of item.params) {
      if (ps.has(p.name.name)) continue;
      ps.set(p.name.name, declare({ name: p.name.name, kind: 'param', span: p.name.span, fullSpan: p.span, owner: item, node: p }, true));
    }
    paramDecls.set(item, ps);
  }
  // Imported blocks' parameters too, so `Imported(n: 6)` leads to `n` in the other file.
  for (const d of moduleScope.values()) {
    const block = blockOf(d);
    if (!block || paramDecls.has(block)) continue;
    const ps = new Map<string, SymbolDecl>();
    for (const p of block.params) {
      if (!ps.has(p.name.name)) ps.set(p.name.name, declare({ name: p.name.name, kind: 'param', span: p.name.span, fullSpan: p.span, owner: block, node: p }, false));
    }
    paramDecls.set(block, ps);
  }

  for (const item of ast.items) {
    if (item.kind === 'let') walk(item.value, [moduleScope]);
    else if (item.kind === 'train') {
      const model = moduleScope.get(item.name.name);
      if (model?.kind === 'model') occurrences.push({ name: item.name.name, span: item.name.span, decl: model, isDecl: false });
      for (const en of item.entries) for (const v of en.values) walk(v, [moduleScope]);
    } else if (item.kind === 'model' || item.kind === 'block') {
      const params = [...(item.kind === 'block' ? paramDecls.get(item)!.values() : [])];
      const own: SymbolDecl[] = [...params];
      bodyScopes.set(item, own);
      for (const p of item.kind === 'block' ? item.params : []) if (p.default) walk(p.default, [moduleScope]);
      // Declarations first, in order, as the compiler claims names: a name defined where no
      // enclosing scope of the body has it is declared in the innermost one (the body, or the
      // iteration of the innermost `for`), else it is an occurrence of the name it updates. The
      // expressions are walked once every scope is complete, with the scopes around them.
      const reads: { e: A.Expr; scopes: Map<string, SymbolDecl>[] }[] = [];
      const define = (id: A.Ident, kind: SymbolKind, fullSpan: SourceSpan, node: A.Stmt, scopes: Map<string, SymbolDecl>[], loop?: SourceSpan) => {
        for (let i = scopes.length - 1; i >= 1; i--) {
          const known = scopes[i]!.get(id.name);
          if (known) return void occurrences.push({ name: id.name, span: id.span, decl: known, isDecl: false });
        }
        const d = declare({ name: id.name, kind, span: id.span, fullSpan, owner: item, node, ...(loop ? { loop } : {}) }, true);
        scopes[scopes.length - 1]!.set(id.name, d);
        own.push(d);
      };
      const declareIn = (stmts: readonly A.Stmt[], scopes: Map<string, SymbolDecl>[], loop?: SourceSpan): void => {
        for (const s of stmts) {
          if (s.kind === 'if') {
            reads.push({ e: s.cond, scopes });
            declareIn([...s.then, ...(s.else ?? [])], scopes, loop);
          } else if (s.kind === 'for') {
            for (const e of [s.iterable, ...(s.rangeEnd ? [s.rangeEnd] : [])]) reads.push({ e, scopes });
            const iteration = new Map<string, SymbolDecl>();
            const variable = declare({ name: s.variable.name, kind: 'constant', span: s.variable.span, fullSpan: s.variable.span, owner: item, node: s, loop: s.span }, true);
            iteration.set(variable.name, variable);
            own.push(variable);
            declareIn(s.body, [...scopes, iteration], s.span);
          } else if (s.kind === 'destructure') {
            for (const n of s.names) define(n, 'value', s.span, s, scopes, loop);
            reads.push({ e: s.value, scopes });
          } else {
            const kind: SymbolKind = s.kind === 'input' || s.kind === 'output' ? s.kind : s.kind === 'let' ? 'constant' : 'value';
            define(s.name, kind, s.span, s, scopes, loop);
            if (s.kind === 'let' || s.kind === 'assign') reads.push({ e: s.value, scopes });
            else {
              if (s.value) reads.push({ e: s.value, scopes });
              for (const dim of s.type?.dims ?? []) reads.push({ e: dim, scopes });
            }
          }
        }
      };
      declareIn(item.body, [moduleScope, new Map(params.map((p) => [p.name, p]))]);
      for (const r of reads) walk(r.e, r.scopes);
    }
  }
  occurrences.sort((a, b) => a.span.start - b.span.start);
  return { decls, occurrences, moduleScope, bodyScopes };
}

/** The occurrence under `offset` (inclusive at both ends, so a cursor right after a name counts). */
export function occurrenceAt(table: SymbolTable, file: string, offset: number): Occurrence | undefined {
  return table.occurrences.find((o) => o.span.file === file && o.span.start <= offset && offset <= o.span.end);
}

/**
 * A body's statements as the symbol table sees them: the bodies of `if` and `for` inlined (their
 * conditions and loop lists go to `controls`), a `for` variable as a constant, and destructuring
 * as one assignment per name (the value belongs to the first).
 */
export function flatStmts(stmts: readonly A.Stmt[], controls: A.Expr[] = []): (A.PortStmt | A.LetDecl | A.AssignStmt)[] {
  const out: (A.PortStmt | A.LetDecl | A.AssignStmt)[] = [];
  for (const s of stmts) {
    if (s.kind === 'if') {
      controls.push(s.cond);
      out.push(...flatStmts([...s.then, ...(s.else ?? [])], controls));
    } else if (s.kind === 'for') {
      controls.push(s.iterable, ...(s.rangeEnd ? [s.rangeEnd] : []));
      out.push({ kind: 'let', name: s.variable, value: { kind: 'error', span: s.variable.span }, span: s.variable.span });
      out.push(...flatStmts(s.body, controls));
    } else if (s.kind === 'destructure') {
      s.names.forEach((n, i) => out.push({ kind: 'assign', name: n, value: i === 0 ? s.value : { kind: 'error', span: n.span }, span: s.span }));
    } else out.push(s);
  }
  return out;
}

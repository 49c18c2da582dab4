/**
 * What every phase of the compiler shares: the state of one compilation (diagnostics, binder,
 * caches, the stack of blocks being expanded), the limits, and the helpers all phases use (module
 * constants, name lookup, the messages about unknown names and arguments). The phases are layered
 * as subclasses, one file each: expressions → calls → control flow → bodies → training →
 * the Compiler in ../compile.ts; a phase calls a later one through the abstract methods here.
 */
import {
  DiagnosticBag,
  formatMessage,
  MESSAGES,
  validateArgs,
  didYouMean,
  type ArgSpec,
  type ArgType,
  type Args,
  type DType,
  type GivenArg,
  type Graph,
  type GraphBuilder,
  type InitializerKind,
  type PluginCall,
  type PluginKind,
  type PluginRegistry,
  type SourceSpan,
  type ParamSetting,
} from '@dlm/core';
import type * as A from '../ast.js';
import type { Binder, ModuleInfo } from '../bind.js';
import { budgetFor, type ExpansionSite } from '../budget.js';
import type { CompileOptions } from '../compile.js';
import { ERR, type Binding, type Val } from '../values.js';

/** Most repetitions a `repeat` may ask for; a guard against typos such as `repeat 10000000`. */
export const MAX_REPEAT = 1000;
/**
 * Longest chain of constants or blocks that depend on each other. Real programs stay far below;
 * the limit keeps the evaluator's recursion (one level per link) away from the stack limit.
 */
export const MAX_DEPTH = 200;

export const INIT_ARGS: Record<InitializerKind, string[]> = {
  zeros: [],
  ones: [],
  constant: ['value'],
  uniform: ['low', 'high'],
  normal: ['mean', 'std'],
  glorot_uniform: ['fan_in', 'fan_out'],
  glorot_normal: ['fan_in', 'fan_out'],
  he_uniform: ['fan_in', 'fan_out'],
  he_normal: ['fan_in', 'fan_out'],
  lecun_uniform: ['fan_in', 'fan_out'],
  lecun_normal: ['fan_in', 'fan_out'],
  torch_default: ['fan_in', 'fan_out'],
  orthogonal: ['gain'],
  sinusoidal: ['base'],
};
export const INITIALIZER_KINDS = Object.keys(INIT_ARGS) as InitializerKind[];

export const ANY_TYPE: readonly ArgType[] = ['int', 'float', 'bool', 'string', 'ints', 'floats', 'dims', 'call'];
export const DTYPES: DType[] = ['f32', 'i32', 'i64', 'bool'];

/** A model or block body being compiled. */
export interface Body {
  builder: GraphBuilder;
  module: ModuleInfo;
  /** Innermost scope first is at the end. */
  scopes: Map<string, Binding>[];
  /** Every name the body's statements define, so a use before its definition can say where it is. */
  defines?: Map<string, SourceSpan>;
  /** Names used before their definition (already reported; not "never used" as well). */
  usedEarly?: Set<string>;
  /** Names first defined in a `for` body (each iteration's own), with the loop, for "unknown name" after it. */
  loopLocals?: Map<string, { def: SourceSpan; loop: SourceSpan }>;
  /** Names only a branch of `if` not taken defines, with the condition and its value here. */
  notTaken?: Map<string, { def: SourceSpan; cond: SourceSpan; value: boolean }>;
  /** The call a block body is compiled for (absent for a model and a block checked on its own). */
  call?: { what: string; span: SourceSpan };
}

export interface EvalCtx {
  module: ModuleInfo;
  /** Evaluating the condition of an `if`: a tensor there gets the message that explains why it cannot work. */
  condition?: boolean;
  /** Absent for module constants and train blocks: no tensors there. */
  body: Body | undefined;
  /** In an argument position, an unknown call is a plugin call value (`l2(1e-4)`), not a layer. */
  argPos: boolean;
}

/** What `if` and `for` need from the body that runs them (runBody). */
export interface ControlHooks {
  /** Runs statements one level deeper, where assigning an existing name updates it. */
  exec(stmts: A.Stmt[]): void;
  /** A `for` iteration's own names (the loop variable first). */
  pushLevel(variable: A.Ident): void;
  popLevel(): void;
  claimed(name: string): boolean;
  /** Statements not compiled because their `if` or `for` was wrong: see runBody. */
  skip(stmts: A.Stmt[]): void;
}

export abstract class CompilerBase {
  protected readonly bag = new DiagnosticBag();
  protected binder!: Binder;
  protected readonly registry: PluginRegistry;
  /** Folded module constants (by declaration). */
  protected readonly constCache = new Map<A.LetDecl, Val>();
  protected readonly constInProgress: A.LetDecl[] = [];
  /** Blocks being expanded right now, for recursion detection. */
  protected readonly blockStack: (A.BlockDecl | A.ModelDecl)[] = [];
  /** Blocks expanded at least once; the others are checked on their own (checkUninstantiated). */
  protected readonly instantiated = new Set<A.BlockDecl>();
  /** While a model is compiled for the cache: every block it expands (../compile-cache.ts). */
  protected blocksUsed: Set<A.BlockDecl> | undefined;
  /** Compiled graphs by model declaration. */
  protected readonly graphs = new Map<A.ModelDecl, Graph>();
  /**
   * Uses of a name that holds a bare name bound to nothing (`u = t`, then `u` used), by the use's
   * span: if that name turns out unknown, it is reported where it was written, not at the use.
   */
  protected readonly symbolOrigins = new Map<string, { span: SourceSpan; via: string }>();

  constructor(protected readonly opts: CompileOptions) {
    this.registry = opts.registry;
  }

  protected reportedTooDeep = false;

  protected tooDeep(span: SourceSpan): Val {
    if (!this.reportedTooDeep) this.bag.report('DLM2044', [MAX_DEPTH], span);
    this.reportedTooDeep = true;
    return ERR;
  }

  // ───────── constants ─────────

  protected moduleConst(decl: A.LetDecl, module: ModuleInfo): Val {
    const cached = this.constCache.get(decl);
    if (cached) return cached;
    if (module.damaged.has(decl)) {
      this.constCache.set(decl, ERR);
      return ERR;
    }
    if (this.constInProgress.includes(decl)) {
      const from = this.constInProgress.indexOf(decl);
      const cycle = [...this.constInProgress.slice(from), decl].map((d) => d.name.name).join(' → ');
      this.bag.report('DLM2018', [decl.name.name, cycle], decl.name.span);
      return ERR;
    }
    if (this.constInProgress.length + this.blockStack.length >= MAX_DEPTH) return this.tooDeep(decl.name.span);
    this.constInProgress.push(decl);
    const v = this.evaluate(decl.value, { module, body: undefined, argPos: true });
    this.constInProgress.pop();
    let out = v;
    if (v.k === 'tensor' || v.k === 'tuple') {
      this.bag.report('DLM2040', [decl.name.name], decl.value.span);
      out = ERR;
    }
    this.constCache.set(decl, out);
    return out;
  }

  // ───────── names ─────────

  protected lookupLocal(body: Body | undefined, name: string): Binding | undefined {
    if (!body) return undefined;
    for (let i = body.scopes.length - 1; i >= 0; i--) {
      const b = body.scopes[i]!.get(name);
      if (b) return b;
    }
    return undefined;
  }

  protected visibleNames(cx: EvalCtx): string[] {
    const names = new Set<string>(cx.module.scope.keys());
    if (cx.body) for (const s of cx.body.scopes) for (const k of s.keys()) names.add(k);
    return [...names];
  }

  /** A binding never read: DLM2013, and, when it holds a bare name bound to nothing (`z = q`), that name is unknown. */
  protected reportUnused(name: string, b: Binding, cx: EvalCtx): void {
    if (b.symbolSpan && b.val.k === 'const' && b.val.sym !== undefined) this.unknownName(b.val.sym, b.symbolSpan, cx);
    this.bag.report('DLM2013', [name], b.span);
  }

  /** Records that the name used at `use` holds the bare name written at `b.symbolSpan` (see `symbolOrigins`). */
  protected noteSymbolOrigin(use: { name: string; span: SourceSpan }, b: Binding): void {
    if (b.symbolSpan && b.val.k === 'const' && b.val.sym !== undefined) this.symbolOrigins.set(spanKey(use.span), { span: b.symbolSpan, via: use.name });
  }

  protected unknownName(name: string, usedAt: SourceSpan, cx: EvalCtx): Val {
    const origin = this.symbolOrigins.get(spanKey(usedAt));
    const span = origin?.span ?? usedAt;
    const via = origin ? [{ message: `'${origin.via}' holds it and is used here`, span: usedAt }] : [];
    const later = cx.body?.defines?.get(name);
    if (later && later.start > span.start) {
      (cx.body!.usedEarly ??= new Set()).add(name);
      this.bag.report('DLM2062', [name, later.line], span, [{ message: `'${name}' is defined here`, span: later }, ...via]);
      return ERR;
    }
    const local = cx.body?.loopLocals?.get(name);
    if (local && local.loop.end <= span.start) {
      const why = `'${name}' is defined inside a 'for', where each iteration has its own names; to use it after the loop, define it before the loop and assign it inside`;
      this.bag.report('DLM2010', [name], span, [{ message: why, span: local.def }, ...via]);
      return ERR;
    }
    const skipped = cx.body?.notTaken?.get(name);
    if (skipped) {
      const why = `'${name}' is defined only when this condition is ${!skipped.value}, and here it is ${skipped.value}`;
      const call = cx.body!.call ? [{ message: `in this call of ${cx.body!.call.what}`, span: cx.body!.call.span }] : [];
      const notes = [{ message: why, span: skipped.cond }, { message: `'${name}' is defined here`, span: skipped.def }, ...call, ...via];
      this.bag.report('DLM2010', [name], span, notes);
      return ERR;
    }
    this.bag.report('DLM2010', [name], span, via, didYouMean(name, this.visibleNames(cx)));
    return ERR;
  }

  protected poison(cx: EvalCtx, span: SourceSpan): Val {
    return cx.body ? { k: 'tensor', name: cx.body.builder.poisoned(span) } : ERR;
  }

  /** The model has used its whole expansion budget: said once per model, then every layer is poisoned. */
  protected overBudget(cx: EvalCtx, span: SourceSpan): Val {
    const budget = budgetFor(cx.body!.builder);
    if (!budget.reported) this.reportBudget(cx, 'DLM2060', [budget.limit], span);
    return this.poison(cx, span);
  }

  /**
   * Runs `expand` as a site of the model's expansion (a loop or block call written in the model
   * itself; inside a block nothing is recorded), where a budget spent deeper is reported.
   */
  protected expansionSite<T>(cx: EvalCtx, site: Omit<ExpansionSite, 'index' | 'usedBefore'>, expand: (site: ExpansionSite) => T): T {
    const budget = budgetFor(cx.body!.builder);
    if (this.blockStack.length > budget.ownerDepth) return expand({ ...site, index: 0, usedBefore: budget.used });
    const s: ExpansionSite = { ...site, index: 0, usedBefore: budget.used };
    budget.sites.push(s);
    try {
      return expand(s);
    } finally {
      budget.sites.pop();
    }
  }

  /**
   * Reports a spent expansion budget (DLM2060, DLM2061, DLM2066) once per model. Inside a block
   * instance the block's own numbers mislead ("0 left", at a line of the block that is fine on
   * its own): what multiplies the block is the model's loop or call, so it is reported there
   * (DLM2067), with a note at the place in the block where the layers ran out.
   */
  protected reportBudget(cx: EvalCtx, code: 'DLM2060' | 'DLM2061' | 'DLM2066', args: (string | number)[], span: SourceSpan): void {
    const budget = budgetFor(cx.body!.builder);
    const site = budget.sites[0];
    const block = this.blockStack.length > budget.ownerDepth ? this.blockStack[this.blockStack.length - 1] : undefined;
    if (!site || !block) {
      this.bag.report(code, args, span);
      budget.reported = true;
      return;
    }
    // Later instances of the block run out too; the model's site said it once.
    if (budget.reported) return;
    budget.reported = true;
    const made = budget.used - site.usedBefore;
    const earlier = site.usedBefore > 0 ? ` and ${site.usedBefore} before it` : '';
    const how =
      site.count === undefined
        ? `the limit runs out after ${made} of its layers${earlier}`
        : `the limit runs out in iteration ${site.index + 1} of ${site.count}, after ${made} layers of the loop${earlier}`;
    const note = { message: `the limit runs out here, in ${block.kind} '${block.name.name}'`, span };
    this.bag.report('DLM2067', [site.what, budget.limit, how], site.span, [note]);
  }

  /**
   * core's validateArgs, minus one cascade: `conv2d(10, kernal: 5)` is "unknown argument
   * 'kernal', did you mean 'kernel'" — not also "missing required argument 'kernel'".
   */
  protected validate(owner: string, schema: readonly ArgSpec[], given: GivenArg[], span: SourceSpan): Args | undefined {
    const tmp = new DiagnosticBag();
    const args = validateArgs(owner, schema, given, tmp, span);
    if (tmp.items.length === 0) return args;
    const suggested = new Set(tmp.items.filter((d) => d.code === 'DLM4003' && d.suggestion).map((d) => d.suggestion));
    const missing = new Map(schema.map((x) => [formatMessage(MESSAGES.DLM4004.message, [x.name, owner]), x.name]));
    for (const d of tmp.items) {
      if (d.code === 'DLM4004' && suggested.has(missing.get(d.message))) continue;
      this.bag.add(d);
    }
    return args;
  }


  // ───────── phases provided by the later layers ─────────

  protected abstract evaluate(e: A.Expr, cx: EvalCtx): Val;
  protected abstract call(e: A.CallExpr, piped: string[] | undefined, cx: EvalCtx): Val;
  protected abstract layerCall(
    name: string,
    inputs: string[],
    given: GivenArg[],
    span: SourceSpan,
    opts: { nameSpan?: SourceSpan; paramSettings?: Record<string, ParamSetting> },
    cx: EvalCtx,
  ): Val;
  protected abstract instantiateBlock(
    decl: A.BlockDecl | A.ModelDecl,
    module: ModuleInfo,
    inputs: string[],
    given: GivenArg[],
    syms: (string | undefined)[],
    call: A.CallExpr,
    cx: EvalCtx,
  ): Val;
  protected abstract resolvePlugin(kind: PluginKind, e: A.Expr, cx: EvalCtx): PluginCall | undefined;
}

const spanKey = (s: SourceSpan) => `${s.file}:${s.start}:${s.end}`;

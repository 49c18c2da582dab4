/**
 * Phase 3b and 4, evaluating and compiling: bound files (./bind.ts) → IR Program.
 *
 * - constants: module constants are folded once each, with cycle detection.
 * - compile: walks each model body, expanding layer calls through @dlm/core's GraphBuilder (which
 *   runs shape rules), blocks as builder scopes, `repeat` as one scope per repetition; train
 *   blocks become TrainingSpecs whose plugin names resolve against the registry.
 *
 * Nothing here throws for user errors: every problem is a diagnostic and compilation continues
 * with an "error" value so that one mistake yields one message.
 */
import {
  DiagnosticBag,
  GraphBuilder,
  IR_VERSION,
  didYouMean,
  lossFitsOutput,
  formatMessage,
  formatType,
  MESSAGES,
  sortDiagnostics,
  validateArgs,
  type ArgSpec,
  type ArgType,
  type ArgValue,
  type Args,
  type Diagnostic,
  type DiagnosticNote,
  type Dim,
  type DType,
  type GivenArg,
  type Graph,
  type Initializer,
  type InitializerKind,
  type ParamSetting,
  type PluginCall,
  type PluginKind,
  type PluginRegistry,
  type Program,
  type SourceSpan,
  type TensorType,
  type TrainingSpec,
} from '@dlm/core';
import type * as A from './ast.js';
import { Binder, defaultRead, PARAM_TYPES, type ModuleInfo } from './bind.js';
import { budgetFor, minLayers } from './budget.js';
import { defaultBase, findProjectRoot } from './project-root.js';
import { describeExprKind, describeVal, ERR, exprText, spanJoin, type Binding, type Val } from './values.js';
import { planIndex, type IndexItem } from './indexing.js';

export interface CompileOptions {
  registry: PluginRegistry;
  /** Reads an imported file; undefined when it does not exist. Default: the file system. */
  readFile?: (path: string) => string | undefined;
  /** Folder that relative file names are relative to (default: the process's current directory). */
  baseDir?: string;
  /** Imports may not leave this folder. Default: findProjectRoot of the main file (see project-root.ts). */
  projectRoot?: string;
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

/** Most repetitions a `repeat` may ask for; a guard against typos such as `repeat 10000000`. */
export const MAX_REPEAT = 1000;
/**
 * Longest chain of constants or blocks that depend on each other. Real programs stay far below;
 * the limit keeps the evaluator's recursion (one level per link) away from the stack limit.
 */
export const MAX_DEPTH = 200;

const INIT_ARGS: Record<InitializerKind, string[]> = {
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

const ANY_TYPE: readonly ArgType[] = ['int', 'float', 'bool', 'string', 'ints', 'floats', 'dims', 'call'];
const DTYPES: DType[] = ['f32', 'i32', 'i64', 'bool'];

const TRAIN_KEYS = ['data', 'loss', 'optimizer', 'regularize', 'metrics', 'epochs', 'seed', 'validation_split', 'clip', 'schedule', 'generator', 'discriminator'];
const MULTI_KEYS = new Set(['regularize', 'metrics']);

// ───────────────────────────── values ─────────────────────────────

/** A model or block body being compiled. */
interface Body {
  builder: GraphBuilder;
  module: ModuleInfo;
  /** Innermost scope first is at the end. */
  scopes: Map<string, Binding>[];
  /** Every name the body's statements define, so a use before its definition can say where it is. */
  defines?: Map<string, SourceSpan>;
  /** Names used before their definition (already reported; not "never used" as well). */
  usedEarly?: Set<string>;
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

// ───────────────────────────── the compiler ─────────────────────────────

class Compiler {
  private readonly bag = new DiagnosticBag();
  private binder!: Binder;
  private readonly registry: PluginRegistry;
  /** Folded module constants (by declaration). */
  private readonly constCache = new Map<A.LetDecl, Val>();
  private readonly constInProgress: A.LetDecl[] = [];
  /** Blocks being expanded right now, for recursion detection. */
  private readonly blockStack: (A.BlockDecl | A.ModelDecl)[] = [];
  /** Blocks expanded at least once; the others are checked on their own (checkUninstantiated). */
  private readonly instantiated = new Set<A.BlockDecl>();
  /** Compiled graphs by model declaration. */
  private readonly graphs = new Map<A.ModelDecl, Graph>();

  constructor(private readonly opts: CompileOptions) {
    this.registry = opts.registry;
  }

  run(text: string, file: string): CompileOutput {
    const base = this.opts.baseDir ?? defaultBase();
    this.binder = new Binder(this.bag, this.opts.readFile ?? defaultRead, { root: this.opts.projectRoot ?? findProjectRoot(file, base), base });
    const main = this.binder.load(text, file, []);
    const sources = this.binder.sources;
    for (const m of this.binder.modules.values()) this.binder.bind(m);
    // Every constant is folded once, used or not, so that its errors are reported.
    for (const m of this.binder.modules.values()) {
      for (const item of m.ast.items) if (item.kind === 'let') this.moduleConst(item, m);
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

  private reportedTooDeep = false;

  private tooDeep(span: SourceSpan): Val {
    if (!this.reportedTooDeep) this.bag.report('DLM2044', [MAX_DEPTH], span);
    this.reportedTooDeep = true;
    return ERR;
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

  // ───────── constants ─────────

  private moduleConst(decl: A.LetDecl, module: ModuleInfo): Val {
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

  // ───────── expressions ─────────

  private lookupLocal(body: Body | undefined, name: string): Binding | undefined {
    if (!body) return undefined;
    for (let i = body.scopes.length - 1; i >= 0; i--) {
      const b = body.scopes[i]!.get(name);
      if (b) return b;
    }
    return undefined;
  }

  private visibleNames(cx: EvalCtx): string[] {
    const names = new Set<string>(cx.module.scope.keys());
    if (cx.body) for (const s of cx.body.scopes) for (const k of s.keys()) names.add(k);
    return [...names];
  }

  private evaluate(e: A.Expr, cx: EvalCtx): Val {
    switch (e.kind) {
      case 'number':
        return { k: 'const', v: e.value };
      case 'string':
        return { k: 'const', v: e.value };
      case 'bool':
        return { k: 'const', v: e.value };
      case 'error':
        return ERR;
      case 'name': {
        const local = this.lookupLocal(cx.body, e.name);
        if (local) {
          local.used = true;
          return local.val;
        }
        const d = cx.module.scope.get(e.name);
        if (d?.kind === 'let') return this.moduleConst(d.decl, d.module);
        // An unbound name is a symbol: an enum value (`padding: same`) or a symbolic dim.
        return { k: 'const', v: e.name, sym: e.name };
      }
      case 'paren':
        return this.evaluate(e.expr, cx);
      case 'list': {
        const items: ArgValue[] = [];
        let bad = false;
        for (const it of e.items) {
          const v = this.evaluate(it, cx);
          if (v.k === 'const') items.push(v.v);
          else {
            if (v.k !== 'error') this.bag.report('DLM2020', [exprText(it)], it.span);
            bad = true;
          }
        }
        return bad ? ERR : { k: 'const', v: items };
      }
      case 'tuple': {
        const names: string[] = [];
        for (const it of e.items) {
          const v = this.evaluate(it, cx);
          names.push(...this.tensors(v, it, cx));
        }
        return { k: 'tuple', items: names };
      }
      case 'neg': {
        const v = this.evaluate(e.operand, cx);
        if (v.k === 'error') return ERR;
        if (v.k === 'const' && typeof v.v === 'number') return { k: 'const', v: e.count % 2 === 1 ? -v.v : v.v };
        if (v.k === 'const' && v.sym) return this.unknownName(v.sym, e.operand.span, cx);
        this.bag.report('DLM2036', [describeVal(v)], e.span);
        return ERR;
      }
      case 'binary': {
        let acc = this.evaluate(e.operands[0]!, cx);
        for (let i = 0; i < e.ops.length; i++) {
          const rhsExpr = e.operands[i + 1]!;
          const rhs = this.evaluate(rhsExpr, cx);
          const span = spanJoin(e.operands[0]!.span, rhsExpr.span);
          acc = this.binary(e.ops[i]!, acc, rhs, e.operands[i]!, rhsExpr, span, cx);
        }
        return acc;
      }
      case 'pipe': {
        let v = this.evaluate(e.head, cx);
        for (const st of e.stages) v = this.applyStage(v, st, e.head, cx);
        return v;
      }
      case 'repeat':
        this.bag.report('DLM2037', [], e.span);
        return ERR;
      case 'call':
        return this.call(e, undefined, cx);
      case 'compare':
        return this.compare(e, cx);
      case 'logic': {
        let result = e.op === 'and';
        let bad = false;
        for (const o of e.operands) {
          const b = this.truth(o, e.op, cx);
          if (b === undefined) bad = true;
          else result = e.op === 'and' ? result && b : result || b;
        }
        return bad ? ERR : { k: 'const', v: result };
      }
      case 'not': {
        const b = this.truth(e.operand, 'not', cx);
        return b === undefined ? ERR : { k: 'const', v: e.count % 2 === 1 ? !b : b };
      }
      case 'index':
        return this.index(e, cx);
    }
  }

  /** A tensor where a compile-time condition is needed: say why that cannot work. */
  private tensorInCondition(v: Val, e: A.Expr, cx: EvalCtx): boolean {
    if (v.k !== 'tensor' && v.k !== 'tuple') return false;
    if (cx.condition) this.bag.report('DLM2046', [`'${exprText(e)}'`], e.span);
    return true;
  }

  /** The boolean value of an operand of and/or/not; undefined after a reported error. */
  private truth(e: A.Expr, op: string, cx: EvalCtx): boolean | undefined {
    const v = this.evaluate(e, cx);
    if (v.k === 'error') return undefined;
    if (v.k === 'const' && v.sym) {
      this.unknownName(v.sym, e.span, cx);
      return undefined;
    }
    if (v.k === 'const' && typeof v.v === 'boolean') return v.v;
    if (this.tensorInCondition(v, e, cx) && cx.condition) return undefined;
    this.bag.report('DLM2051', [op, describeVal(v)], e.span);
    return undefined;
  }

  private compare(e: A.CompareExpr, cx: EvalCtx): Val {
    const a = this.evaluate(e.left, cx);
    const b = this.evaluate(e.right, cx);
    if (a.k === 'error' || b.k === 'error') return ERR;
    for (const [v, x] of [[a, e.left], [b, e.right]] as const) {
      if (v.k === 'const' && v.sym) return this.unknownName(v.sym, x.span, cx);
      if (cx.condition && this.tensorInCondition(v, x, cx)) return ERR;
    }
    if (a.k === 'const' && b.k === 'const') {
      if (e.op === '==' || e.op === '!=') {
        const same = JSON.stringify(a.v) === JSON.stringify(b.v);
        return { k: 'const', v: e.op === '==' ? same : !same };
      }
      if (typeof a.v === 'number' && typeof b.v === 'number') {
        const x = a.v;
        const y = b.v;
        const r = e.op === '<' ? x < y : e.op === '<=' ? x <= y : e.op === '>' ? x > y : x >= y;
        return { k: 'const', v: r };
      }
    }
    this.bag.report('DLM2022', [e.op, describeVal(a), describeVal(b)], e.span);
    return ERR;
  }

  private unknownName(name: string, span: SourceSpan, cx: EvalCtx): Val {
    const later = cx.body?.defines?.get(name);
    if (later && later.start > span.start) {
      (cx.body!.usedEarly ??= new Set()).add(name);
      this.bag.report('DLM2062', [name, later.line], span, [{ message: `'${name}' is defined here`, span: later }]);
      return ERR;
    }
    this.bag.report('DLM2010', [name], span, [], didYouMean(name, this.visibleNames(cx)));
    return ERR;
  }

  private binary(op: A.BinaryOp, a: Val, b: Val, ae: A.Expr, be: A.Expr, span: SourceSpan, cx: EvalCtx): Val {
    if (a.k === 'error' || b.k === 'error') return ERR;
    if (a.k === 'const' && a.sym) return this.unknownName(a.sym, ae.span, cx);
    if (b.k === 'const' && b.sym) return this.unknownName(b.sym, be.span, cx);
    if (a.k === 'const' && b.k === 'const') {
      if (typeof a.v === 'number' && typeof b.v === 'number' && op !== '@') {
        const x = a.v;
        const y = b.v;
        if ((op === '/' || op === 'div' || op === '%') && y === 0) {
          this.bag.report('DLM2021', [], span);
          return ERR;
        }
        let r: number;
        switch (op) {
          case '+': r = x + y; break;
          case '-': r = x - y; break;
          case '*': r = x * y; break;
          case '/': r = x / y; break;
          case 'div': r = Math.floor(x / y); break;
          case '%': r = x - y * Math.floor(x / y); break;
        }
        if (!Number.isFinite(r)) {
          this.bag.report('DLM2041', [String(r)], span);
          return ERR;
        }
        // Integers stay exact: past 2^53 a double rounds them without a word.
        if (Number.isInteger(x) && Number.isInteger(y) && op !== '/' && !Number.isSafeInteger(r)) {
          this.bag.report('DLM2065', [String(r), Number.MAX_SAFE_INTEGER], span);
          return ERR;
        }
        return { k: 'const', v: r };
      }
      this.bag.report('DLM2022', [op, describeVal(a), describeVal(b)], span);
      return ERR;
    }
    const layer = { '+': 'add', '-': 'sub', '*': 'mul', '/': 'div', '@': 'matmul' }[op as string];
    if ((a.k === 'tensor' || a.k === 'tuple') && (b.k === 'tensor' || b.k === 'tuple') && layer) {
      if (!this.registry.get('layer', layer)) {
        this.bag.report('DLM2045', [op, layer], span);
        return this.poison(cx, span);
      }
      const inputs = [...this.tensors(a, ae, cx), ...this.tensors(b, be, cx)];
      return this.layerCall(layer, inputs, [], span, { nameSpan: span }, cx);
    }
    this.bag.report('DLM2022', [op, describeVal(a), describeVal(b)], span);
    return ERR;
  }

  /** The tensor names a value stands for; reports when it is not a tensor. */
  private tensors(v: Val, e: A.Expr, cx: EvalCtx): string[] {
    const b = cx.body?.builder;
    const poison = () => (b ? [b.poisoned(e.span)] : []);
    if (v.k === 'tensor') return [v.name];
    if (v.k === 'tuple') return v.items;
    if (v.k === 'error') return poison();
    if (v.sym) this.unknownName(v.sym, e.span, cx);
    else this.bag.report('DLM2019', [describeVal(v)], e.span);
    return poison();
  }

  private single(v: Val, e: A.Expr, cx: EvalCtx): Val {
    if (v.k === 'tuple' && v.items.length !== 1) {
      this.bag.report('DLM2035', [exprText(e), v.items.length], e.span);
      return ERR;
    }
    if (v.k === 'tuple') return { k: 'tensor', name: v.items[0]! };
    return v;
  }

  private applyStage(input: Val, stage: A.Expr, head: A.Expr, cx: EvalCtx): Val {
    if (!cx.body) {
      this.bag.report('DLM2040', [exprText(head)], stage.span);
      return ERR;
    }
    while (stage.kind === 'paren') stage = stage.expr;
    const inputs = this.tensors(input, head, cx);
    if (stage.kind === 'call') return this.call(stage, inputs, cx);
    if (stage.kind === 'name') {
      const local = this.lookupLocal(cx.body, stage.name);
      if (local) {
        local.used = true;
        this.bag.report('DLM2023', [`the value '${stage.name}'`], stage.span);
        return ERR;
      }
      const call: A.CallExpr = { kind: 'call', callee: { name: stage.name, span: stage.span }, args: [], span: stage.span };
      return this.call(call, inputs, cx);
    }
    if (stage.kind === 'repeat') return this.repeat(stage, inputs, cx);
    this.bag.report('DLM2023', [describeExprKind(stage)], stage.span);
    return ERR;
  }

  private repeat(r: A.RepeatExpr, inputs: string[], cx: EvalCtx): Val {
    const body = cx.body!;
    const n = this.evaluate(r.count, cx);
    if (n.k === 'error') return ERR;
    if (n.k !== 'const' || typeof n.v !== 'number' || !Number.isInteger(n.v) || n.v < 0 || n.v > MAX_REPEAT) {
      if (n.k === 'const' && n.sym) return this.unknownName(n.sym, r.count.span, cx);
      this.bag.report('DLM2026', [MAX_REPEAT, describeVal(n)], r.count.span);
      return ERR;
    }
    // The budget is asked before expanding: from the repeat counts written in the body, then
    // again after the first repetition, which measures what its blocks really expand to.
    const budget = budgetFor(body.builder);
    const count = n.v;
    const tooBig = (per: number) => {
      this.bag.report('DLM2061', [count * per, count, per, budget.limit - before, budget.limit], r.count.span);
      budget.reported = true;
      return this.poison(cx, r.span);
    };
    const before = budget.used;
    if (!budget.fits(n.v * minLayers(r.stages))) return tooBig(minLayers(r.stages));
    let cur: Val = inputs.length === 1 ? { k: 'tensor', name: inputs[0]! } : { k: 'tuple', items: inputs };
    for (let i = 0; i < n.v; i++) {
      if (i === 1 && !budget.fits((n.v - 1) * (budget.used - before))) return tooBig(budget.used - before);
      if (!budget.charge()) return this.overBudget(cx, r.span);
      const ins = this.tensors(cur, r, cx);
      body.builder.enterBlock('repeat', r.span, { index: i }, ins, 'repeat');
      const scope = new Map<string, Binding>();
      if (r.index) scope.set(r.index.name, { val: { k: 'const', v: i }, span: r.index.span, used: false, warnUnused: false });
      body.scopes.push(scope);
      let v: Val = ins.length === 1 ? { k: 'tensor', name: ins[0]! } : { k: 'tuple', items: ins };
      for (const st of r.stages) v = this.applyStage(v, st, r, cx);
      body.scopes.pop();
      body.builder.exitBlock(v.k === 'tensor' ? [v.name] : v.k === 'tuple' ? v.items : []);
      cur = v;
      if (v.k === 'error') return ERR;
    }
    return cur;
  }

  /** A call expression: block instance, layer, or (in argument position) a plugin call value. */
  private call(e: A.CallExpr, piped: string[] | undefined, cx: EvalCtx): Val {
    const name = e.callee.name;
    const local = this.lookupLocal(cx.body, name);
    if (local) {
      local.used = true;
      this.bag.report('DLM2032', [name, describeVal(local.val)], e.callee.span);
      return ERR;
    }
    const decl = cx.module.scope.get(name);
    const isLayer = this.registry.get('layer', name) !== undefined;
    if (!decl && !isLayer && piped === undefined && cx.argPos) {
      // `l2(1e-4)`, `cosine(steps: 100)` as an argument value.
      return this.pluginValue(e, cx);
    }
    if (decl && decl.kind === 'let') {
      this.bag.report('DLM2043', [name, 'constant'], e.callee.span, [{ message: `${name} is defined here`, span: decl.decl.name.span }]);
      return ERR;
    }
    if (!cx.body) {
      this.bag.report('DLM2040', [exprText(e)], e.span);
      return ERR;
    }
    // Arguments: leading positional tensors are inputs; everything else is a layer argument.
    const inputs = [...(piped ?? [])];
    const given: GivenArg[] = [];
    const syms: (string | undefined)[] = [];
    let failed = false;
    let sawNonTensor = false;
    for (const a of e.args) {
      const v = this.evaluate(a.value, { ...cx, argPos: true });
      if (v.k === 'error') {
        failed = true;
        continue;
      }
      if (v.k === 'tensor' || v.k === 'tuple') {
        if (a.name) {
          this.bag.report('DLM2020', [exprText(a.value)], a.value.span);
          failed = true;
        } else if (sawNonTensor) {
          this.bag.report('DLM2024', [name], a.value.span);
          failed = true;
        } else inputs.push(...(v.k === 'tensor' ? [v.name] : v.items));
        continue;
      }
      sawNonTensor = sawNonTensor || !a.name;
      given.push({ ...(a.name ? { name: a.name.name, nameSpan: a.name.span } : {}), value: v.v, span: a.value.span });
      syms.push(v.sym);
    }
    if (decl) {
      // A block or model cut by a syntax error: that error is the message.
      if (decl.module.damaged.has(decl.decl)) return this.poison(cx, e.span);
      if (e.settings?.length) {
        for (const g of e.settings) this.bag.report('DLM2004', [g.param.name, name], g.param.span);
      }
      if (failed) return this.poison(cx, e.span);
      return this.instantiateBlock(decl.decl, decl.module, inputs, given, syms, e, cx);
    }
    if (!isLayer) {
      const candidates = [...this.registry.names('layer'), ...[...cx.module.scope.entries()].filter(([, d]) => d.kind !== 'let').map(([n]) => n)];
      this.bag.report('DLM2001', [name], e.callee.span, [], didYouMean(name, candidates));
      return this.poison(cx, e.span);
    }
    const settings = e.settings ? this.paramSettings(e.settings, cx) : undefined;
    if (!this.checkSymbolArgs(this.registry.get('layer', name)!.def.args, given, syms, cx)) failed = true;
    if (failed || settings === null) return this.poison(cx, e.span);
    return this.layerCall(name, inputs, given, e.span, { nameSpan: e.callee.span, ...(settings ? { paramSettings: settings } : {}) }, cx);
  }

  /**
   * An unbound name where the argument cannot take a name (`dense(hiden)`) is most likely a typo
   * of a constant or parameter: say so, with the close name, instead of "expects an integer".
   */
  private checkSymbolArgs(schema: readonly ArgSpec[], given: GivenArg[], syms: (string | undefined)[], cx: EvalCtx): boolean {
    const positional = schema.filter((x) => x.positional !== false);
    let pos = 0;
    let ok = true;
    given.forEach((g, i) => {
      const spec = g.name === undefined ? positional[pos++] : schema.find((x) => x.name === g.name);
      const sym = syms[i];
      if (sym === undefined || spec === undefined) return;
      const types = Array.isArray(spec.type) ? spec.type : [spec.type as ArgType];
      if (types.some((t) => t === 'string' || t === 'call')) return;
      if (types.includes('enum') && (spec.values?.includes(sym) || didYouMean(sym, spec.values ?? []) !== undefined)) return;
      const near = didYouMean(sym, this.visibleNames(cx));
      if (near === undefined) return;
      this.bag.report('DLM2010', [sym], g.span, [], near);
      ok = false;
    });
    return ok;
  }

  private poison(cx: EvalCtx, span: SourceSpan): Val {
    return cx.body ? { k: 'tensor', name: cx.body.builder.poisoned(span) } : ERR;
  }

  private layerCall(
    name: string,
    inputs: string[],
    given: GivenArg[],
    span: SourceSpan,
    opts: { nameSpan?: SourceSpan; paramSettings?: Record<string, ParamSetting> },
    cx: EvalCtx,
  ): Val {
    if (!cx.body) {
      this.bag.report('DLM2040', [name], span);
      return ERR;
    }
    const builder = cx.body.builder;
    const reg = this.registry.get('layer', name);
    if (reg) {
      // Arguments are checked here first (callLayer checks them again, silently), so that a
      // misspelled argument name is not also reported as a missing one.
      const ok = this.validate(name, reg.def.args, given, span) !== undefined;
      // An input already wrong (and reported) is not expanded, so that one mistake produces one
      // message rather than a cascade through every later layer.
      if (!ok || inputs.some((i) => builder.typeOf(i).unknown)) return this.poison(cx, span);
    }
    if (!budgetFor(builder).charge()) return this.overBudget(cx, span);
    const outs = builder.callLayer(name, inputs, given, span, opts);
    return outs.length === 1 ? { k: 'tensor', name: outs[0]! } : { k: 'tuple', items: outs };
  }

  /** The model has used its whole expansion budget: said once per model, then every layer is poisoned. */
  private overBudget(cx: EvalCtx, span: SourceSpan): Val {
    const budget = budgetFor(cx.body!.builder);
    if (!budget.reported) this.bag.report('DLM2060', [budget.limit], span);
    budget.reported = true;
    return this.poison(cx, span);
  }

  /**
   * core's validateArgs, minus one cascade: `conv2d(10, kernal: 5)` is "unknown argument
   * 'kernal', did you mean 'kernel'" — not also "missing required argument 'kernel'".
   */
  private validate(owner: string, schema: readonly ArgSpec[], given: GivenArg[], span: SourceSpan): Args | undefined {
    const tmp = new DiagnosticBag();
    const args = validateArgs(owner, schema, given, tmp, span);
    const suggested = new Set(tmp.items.filter((d) => d.code === 'DLM4003' && d.suggestion).map((d) => d.suggestion));
    const missing = new Map(schema.map((x) => [formatMessage(MESSAGES.DLM4004.message, [x.name, owner]), x.name]));
    for (const d of tmp.items) {
      if (d.code === 'DLM4004' && suggested.has(missing.get(d.message))) continue;
      this.bag.add(d);
    }
    return args;
  }

  /** A call in argument position that is neither a layer nor a block: a plugin call value. */
  private pluginValue(e: A.CallExpr, cx: EvalCtx): Val {
    const given = this.constArgs(e, cx);
    if (!given) return ERR;
    const name = e.callee.name;
    for (const kind of ['schedule', 'regularizer', 'loss', 'metric', 'optimizer', 'dataset'] as const) {
      const reg = this.registry.get(kind, name);
      if (reg) {
        const args = this.validate(name, reg.def.args, given, e.span);
        return args ? { k: 'const', v: { name, args, span: e.span } } : ERR;
      }
    }
    const args: Record<string, ArgValue> = {};
    given.forEach((g, i) => (args[g.name ?? String(i)] = g.value));
    return { k: 'const', v: { name, args, span: e.span } };
  }

  private constArgs(e: A.CallExpr, cx: EvalCtx): GivenArg[] | undefined {
    const given: GivenArg[] = [];
    let ok = true;
    for (const a of e.args) {
      const v = this.evaluate(a.value, { ...cx, argPos: true });
      if (v.k === 'error') ok = false;
      else if (v.k !== 'const') {
        this.bag.report('DLM2020', [exprText(a.value)], a.value.span);
        ok = false;
      } else given.push({ ...(a.name ? { name: a.name.name, nameSpan: a.name.span } : {}), value: v.v, span: a.value.span });
    }
    return ok ? given : undefined;
  }

  // ───────── parameter settings ─────────

  /** Returns null when a setting was wrong (already reported). */
  private paramSettings(groups: A.SettingGroup[], cx: EvalCtx): Record<string, ParamSetting> | null {
    const out: Record<string, ParamSetting> = {};
    const spans = new Map<string, SourceSpan>();
    let ok = true;
    for (const g of groups) {
      const pname = g.param.name;
      const prev = spans.get(pname);
      if (prev) {
        this.bag.report('DLM2011', [pname], g.param.span, [{ message: 'first set here', span: prev }]);
        ok = false;
        continue;
      }
      spans.set(pname, g.param.span);
      const s: ParamSetting = { span: g.param.span };
      for (const it of g.items) {
        const key = it.key.name;
        if (key === 'init') {
          const init = this.initializer(it.value, cx);
          if (init) s.init = init;
          else ok = false;
        } else if (key === 'regularize') {
          const call = this.resolvePlugin('regularizer', it.value, cx);
          if (call) (s.regularizers ??= []).push(call);
          else ok = false;
        } else if (key === 'trainable') {
          const v = this.evaluate(it.value, { ...cx, argPos: true });
          if (v.k === 'const' && typeof v.v === 'boolean') s.trainable = v.v;
          else {
            if (v.k !== 'error') this.bag.report('DLM2039', ['trainable', 'true or false', describeVal(v)], it.value.span);
            ok = false;
          }
        } else {
          this.bag.report('DLM2028', [key], it.key.span, [], didYouMean(key, ['init', 'regularize', 'trainable']));
          ok = false;
        }
      }
      out[pname] = s;
    }
    return ok ? out : null;
  }

  private initializer(e: A.Expr, cx: EvalCtx): Initializer | undefined {
    let name: string;
    let span: SourceSpan;
    let args: A.Arg[] = [];
    if (e.kind === 'name') {
      name = e.name;
      span = e.span;
    } else if (e.kind === 'call') {
      name = e.callee.name;
      span = e.callee.span;
      args = e.args;
    } else {
      this.bag.report('DLM2039', ['init', 'an initializer such as he_normal or normal(std: 0.02)', describeExprKind(e)], e.span);
      return undefined;
    }
    if (!(name in INIT_ARGS)) {
      this.bag.report('DLM2027', [name], span, [], didYouMean(name, INITIALIZER_KINDS));
      return undefined;
    }
    const kind = name as InitializerKind;
    const allowed = INIT_ARGS[kind];
    const out: Record<string, number> = {};
    let ok = true;
    args.forEach((a, i) => {
      const argName = a.name?.name ?? allowed[i];
      if (argName === undefined || !allowed.includes(argName)) {
        this.bag.report('DLM2033', [kind, a.name?.name ?? `#${i + 1}`, allowed.length ? allowed.join(', ') : 'no arguments'], a.name?.span ?? a.span);
        ok = false;
        return;
      }
      const v = this.evaluate(a.value, { ...cx, argPos: true });
      if (v.k === 'const' && typeof v.v === 'number') out[argName] = v.v;
      else {
        if (v.k !== 'error') this.bag.report('DLM2039', [`init ${kind}(${argName})`, 'a number', describeVal(v)], a.value.span);
        ok = false;
      }
    });
    return ok ? { kind, args: out } : undefined;
  }

  // ───────── blocks ─────────

  /** Expands a block — or a model used like a block — as a scope of the current graph. */
  private instantiateBlock(
    decl: A.BlockDecl | A.ModelDecl,
    module: ModuleInfo,
    inputs: string[],
    given: GivenArg[],
    syms: (string | undefined)[],
    call: A.CallExpr,
    cx: EvalCtx,
  ): Val {
    const outer = cx.body!;
    if (decl.kind === 'block') this.instantiated.add(decl);
    const params = decl.kind === 'block' ? decl.params : [];
    if (this.blockStack.includes(decl)) {
      const from = this.blockStack.indexOf(decl);
      const chain = [...this.blockStack.slice(from), decl].map((d) => d.name.name).join(' → ');
      this.bag.report('DLM2017', [decl.name.name, chain], call.callee.span);
      return this.poison(cx, call.span);
    }
    if (this.constInProgress.length + this.blockStack.length >= MAX_DEPTH) {
      this.tooDeep(call.callee.span);
      return this.poison(cx, call.span);
    }
    const specs: ArgSpec[] = [];
    const defaultsCx: EvalCtx = { module, body: undefined, argPos: true };
    for (const p of params) {
      const type = p.type && p.type.name in PARAM_TYPES ? PARAM_TYPES[p.type.name]! : ANY_TYPE;
      const spec: ArgSpec = { name: p.name.name, type, doc: '' };
      if (p.default) {
        const d = this.evaluate(p.default, defaultsCx);
        if (d.k === 'const') spec.default = d.v;
        else {
          if (d.k !== 'error') this.bag.report('DLM2020', [exprText(p.default)], p.default.span);
          return this.poison(cx, call.span);
        }
      }
      specs.push(spec);
    }
    if (!this.checkSymbolArgs(specs, given, syms, cx)) return this.poison(cx, call.span);
    const args = this.validate(decl.name.name, specs, given, call.span);
    if (!args) return this.poison(cx, call.span);
    const ports = decl.body.filter((s): s is A.PortStmt => s.kind === 'input');
    if (ports.length !== inputs.length) {
      this.bag.report('DLM3004', [decl.name.name, ports.length, inputs.length], call.span, [{ message: `${decl.kind} ${decl.name.name} is defined here`, span: decl.name.span }]);
      return this.poison(cx, call.span);
    }
    const builder = outer.builder;
    builder.enterBlock(decl.name.name, call.span, args, inputs);
    this.blockStack.push(decl);
    const scope = new Map<string, Binding>();
    for (const p of params) {
      const v = args[p.name.name];
      scope.set(p.name.name, { val: v === undefined ? ERR : { k: 'const', v }, span: p.name.span, used: false, warnUnused: false });
    }
    const body: Body = { builder, module, scopes: [scope] };
    const outs = this.runBody(decl.body, body, { kind: 'block', what: decl.kind, name: decl.name.name, inputs, span: decl.name.span, callSpan: call.span });
    this.blockStack.pop();
    builder.exitBlock(outs.flatMap((o) => (o.k === 'tensor' ? [o.name] : [])));
    if (outs.some((o) => o.k !== 'tensor')) return this.poison(cx, call.span);
    const names = outs.map((o) => (o as { name: string }).name);
    return names.length === 1 ? { k: 'tensor', name: names[0]! } : { k: 'tuple', items: names };
  }

  /**
   * A block that no model uses is still checked (names, arguments, outputs, unused values), on
   * inputs of unknown shape and with parameters that have no default left unknown, in a scratch
   * graph that is thrown away. Shape rules cannot run without shapes, so they are not checked.
   */
  private checkUninstantiated(decl: A.BlockDecl, module: ModuleInfo): void {
    const builder = new GraphBuilder(`block ${decl.name.name}`, this.registry, this.bag);
    const scope = new Map<string, Binding>();
    const defaultsCx: EvalCtx = { module, body: undefined, argPos: true };
    for (const p of decl.params) {
      const d = p.default ? this.evaluate(p.default, defaultsCx) : ERR;
      scope.set(p.name.name, { val: d.k === 'const' ? d : ERR, span: p.name.span, used: false, warnUnused: false });
    }
    const inputs = decl.body.filter((s) => s.kind === 'input').map((s) => builder.poisoned(s.span));
    this.blockStack.push(decl);
    this.runBody(decl.body, { builder, module, scopes: [scope] }, { kind: 'block', what: 'block', name: decl.name.name, inputs, span: decl.name.span });
    this.blockStack.pop();
  }

  // ───────── bodies ─────────

  /**
   * Runs the statements of a model or block body. Returns the value of each declared output (in
   * declaration order); models get their inputs from declarations, blocks from `owner.inputs`.
   */
  private runBody(
    stmts: A.Stmt[],
    body: Body,
    owner: { kind: 'model' | 'block'; what: 'model' | 'block'; name: string; inputs?: string[]; span: SourceSpan; callSpan?: SourceSpan },
  ): Val[] {
    const scope = body.scopes[0]!;
    const cx: EvalCtx = { module: body.module, body, argPos: false };
    const declaredOutputs = new Map<string, A.PortStmt>();
    const outputVals = new Map<string, { val: Val; span: SourceSpan }>();
    // One level of names per scope: the body, then one per `for` iteration being compiled.
    const names: Map<string, SourceSpan>[] = [new Map()];
    for (const [k, b] of scope) names[0]!.set(k, b.span);
    const claim = (id: A.Ident): boolean => {
      const prev = names.map((level) => level.get(id.name)).find((x) => x !== undefined);
      if (prev) {
        this.bag.report('DLM2011', [id.name], id.span, [{ message: 'first defined here', span: prev }]);
        return false;
      }
      names[names.length - 1]!.set(id.name, id.span);
      return true;
    };
    /** Inside `if` and `for`, assigning a name defined before updates it (`x = x |> conv2d(c, 3)` in a loop). */
    let depth = 0;
    for (const s of stmts) {
      if (s.kind === 'output' && claim(s.name)) declaredOutputs.set(s.name.name, s);
    }
    body.defines = new Map(definedNames(stmts).map((id) => [id.name, id.span]));
    const assignOutput = (name: A.Ident, value: A.Expr): void => assignOutputVal(name, this.single(this.evaluate(value, cx), value, cx), value);
    const assignOutputVal = (name: A.Ident, v: Val, value: A.Expr): void => {
      const prev = outputVals.get(name.name);
      if (prev) {
        this.bag.report('DLM2011', [name.name], name.span, [{ message: 'first assigned here', span: prev.span }]);
        return;
      }
      if (v.k === 'const') {
        if (v.sym) this.unknownName(v.sym, value.span, cx);
        else this.bag.report('DLM2019', [describeVal(v)], value.span);
        outputVals.set(name.name, { val: ERR, span: name.span });
      } else outputVals.set(name.name, { val: v, span: name.span });
      // Outputs are readable after assignment (a model may also use its output further on).
      scope.set(name.name, { val: v, span: name.span, used: true, warnUnused: false });
    };
    const bindName = (id: A.Ident, v: Val, value: A.Expr): void => {
      if (declaredOutputs.has(id.name)) {
        assignOutputVal(id, this.single(v, value, cx), value);
        return;
      }
      const existing = depth > 0 && names.some((level) => level.has(id.name)) ? this.lookupLocal(body, id.name) : undefined;
      if (existing) existing.val = v;
      else if (claim(id)) body.scopes[body.scopes.length - 1]!.set(id.name, { val: v, span: id.span, used: false, warnUnused: true });
    };
    const control: ControlHooks = {
      exec: (inner) => {
        depth++;
        exec(inner);
        depth--;
      },
      pushLevel: (variable) => {
        names.push(new Map([[variable.name, variable.span]]));
      },
      popLevel: () => void names.pop(),
      claimed: (name) => names.some((level) => level.has(name)),
      skip: (inner) => {
        // One mistake, one message: what the skipped statements would have assigned is bound to
        // an erroneous value, and the values they would have read count as used.
        const seen = new Set<string>();
        for (const id of assignedNames(inner)) {
          if (seen.has(id.name)) continue;
          seen.add(id.name);
          depth++;
          bindName(id, this.poison(cx, id.span), { kind: 'error', span: id.span });
          depth--;
        }
        for (const level of body.scopes) for (const b of level.values()) b.used = true;
      },
    };
    let inputIndex = 0;
    const exec = (stmts: A.Stmt[]): void => {
    for (const s of stmts) {
      switch (s.kind) {
        case 'if':
          this.runIf(s, cx, control);
          break;
        case 'for':
          this.runFor(s, cx, control);
          break;
        case 'destructure':
          this.destructure(s, cx, bindName);
          break;
        case 'output':
          if (s.value && declaredOutputs.get(s.name.name) === s) assignOutput(s.name, s.value);
          break;
        case 'input': {
          const ok = claim(s.name);
          let val: Val = ERR;
          if (owner.kind === 'model') {
            if (!s.type) this.bag.report('DLM2029', ['input', s.name.name], s.name.span);
            const t = s.type ? this.tensorType(s.type, cx) : undefined;
            if (t) val = { k: 'tensor', name: body.builder.addInput(s.name.name, t, s.name.span) };
          } else {
            const given = owner.inputs![inputIndex++];
            if (given !== undefined) {
              val = { k: 'tensor', name: given };
              if (s.type) {
                const t = this.tensorType(s.type, cx);
                const actual = body.builder.typeOf(given);
                if (t && !actual.unknown && formatType(t) !== formatType(actual)) {
                  // Reported where the block is called (that is where the wrong value comes
                  // from), naming the layer that made it and pointing at the declaration.
                  const from = body.builder.producerOf(given);
                  const notes: DiagnosticNote[] = [];
                  if (from) notes.push({ message: `the ${formatType(actual)} comes from ${from.path}`, ...(from.span ? { span: from.span } : {}) });
                  notes.push({ message: `${owner.what} ${owner.name} declares input '${s.name.name}' as ${formatType(t)} here`, span: s.type.span });
                  this.bag.report('DLM2042', [s.name.name, owner.what, owner.name, formatType(t), formatType(actual)], owner.callSpan ?? s.type.span, notes);
                }
              }
            }
          }
          if (ok) scope.set(s.name.name, { val, span: s.name.span, used: false, warnUnused: true });
          break;
        }
        case 'let': {
          const v = this.evaluate(s.value, { ...cx, argPos: true });
          let val = v;
          if (v.k === 'tensor' || v.k === 'tuple') {
            this.bag.report('DLM2040', [s.name.name], s.value.span);
            val = ERR;
          }
          if (claim(s.name)) body.scopes[body.scopes.length - 1]!.set(s.name.name, { val, span: s.name.span, used: false, warnUnused: true });
          break;
        }
        case 'assign': {
          if (declaredOutputs.has(s.name.name)) {
            assignOutput(s.name, s.value);
            break;
          }
          // A named value may hold a tuple (the outputs of a multi-output block).
          bindName(s.name, this.evaluate(s.value, cx), s.value);
          break;
        }
      }
    }
    };
    exec(stmts);
    if (declaredOutputs.size === 0) this.bag.report('DLM2034', [owner.name], owner.span);
    const result: Val[] = [];
    const renamedTo = new Map<string, string>();
    for (const [name, decl] of declaredOutputs) {
      const got = outputVals.get(name);
      if (!got) {
        this.bag.report('DLM2012', [name, owner.what, owner.name], decl.name.span);
        result.push(ERR);
        continue;
      }
      if (owner.kind === 'model') {
        if (!decl.type) {
          this.bag.report('DLM2029', ['output', name], decl.name.span);
          result.push(ERR);
          continue;
        }
        const t = this.tensorType(decl.type, cx);
        if (t && got.val.k === 'tensor' && !body.builder.typeOf(got.val.name).unknown) {
          // addOutput renames the producing value to the output's name; a second output of the
          // same value must then refer to it by that name.
          const current = renamedTo.get(got.val.name) ?? got.val.name;
          body.builder.addOutput(name, current, t, got.span);
          if (!renamedTo.has(got.val.name)) renamedTo.set(got.val.name, name);
        }
      } else if (decl.type && got.val.k === 'tensor') {
        const t = this.tensorType(decl.type, cx);
        const actual = body.builder.typeOf(got.val.name);
        if (t && !actual.unknown && formatType(t) !== formatType(actual)) {
          this.bag.report('DLM3003', [name, formatType(t), formatType(actual)], got.span);
        }
      }
      result.push(got.val);
    }
    for (const s of body.scopes) {
      for (const [name, b] of s) if (b.warnUnused && !b.used && !body.usedEarly?.has(name)) this.bag.report('DLM2013', [name], b.span);
    }
    return result;
  }

  // ───────── compile-time control flow, destructuring, indexing ─────────

  /** `if`: the condition is evaluated now; only the branch it chooses is compiled. */
  private runIf(s: A.IfStmt, cx: EvalCtx, control: ControlHooks): void {
    const c = this.evaluate(s.cond, { ...cx, argPos: true, condition: true });
    if (c.k === 'const' && typeof c.v === 'boolean') {
      const branch = c.v ? s.then : s.else;
      if (branch) control.exec(branch);
      return;
    }
    control.skip([...s.then, ...(s.else ?? [])]);
    if (c.k === 'error') return;
    if (c.k === 'const' && c.sym) this.unknownName(c.sym, s.cond.span, cx);
    else if (c.k === 'tensor' || c.k === 'tuple') this.bag.report('DLM2046', [`'${exprText(s.cond)}'`], s.cond.span);
    else this.bag.report('DLM2047', [describeVal(c)], s.cond.span);
  }

  /** `for`: unrolled now, each iteration a scope named layer_1, layer_2, … in summaries and diagrams. */
  private runFor(s: A.ForStmt, cx: EvalCtx, control: ControlHooks): void {
    const body = cx.body!;
    const items = this.forItems(s, cx);
    if (!items) return control.skip(s.body);
    if (control.claimed(s.variable.name) || this.lookupLocal(body, s.variable.name)) {
      this.bag.report('DLM2011', [s.variable.name], s.variable.span);
      return;
    }
    for (const item of items) {
      body.builder.enterBlock('for', s.span, { [s.variable.name]: item }, [], 'layer');
      const before = new Map<Binding, Val>();
      for (const level of body.scopes) for (const b of level.values()) before.set(b, b.val);
      const scope = new Map<string, Binding>([[s.variable.name, { val: { k: 'const', v: item }, span: s.variable.span, used: false, warnUnused: false }]]);
      body.scopes.push(scope);
      control.pushLevel(s.variable);
      control.exec(s.body);
      control.popLevel();
      body.scopes.pop();
      for (const [name, b] of scope) if (b.warnUnused && !b.used) this.bag.report('DLM2013', [name], b.span);
      // The iteration's outputs: the tensors it assigned to names from outside the loop.
      const outs: string[] = [];
      for (const [b, old] of before) if (b.val !== old && b.val.k === 'tensor') outs.push(b.val.name);
      body.builder.exitBlock(outs, { inferInputs: true });
    }
  }

  private forItems(s: A.ForStmt, cx: EvalCtx): ArgValue[] | undefined {
    const acx = { ...cx, argPos: true };
    if (s.rangeEnd) {
      const bounds: number[] = [];
      for (const x of [s.iterable, s.rangeEnd]) {
        const v = this.evaluate(x, acx);
        if (v.k === 'error') return undefined;
        if (v.k === 'const' && v.sym) return void this.unknownName(v.sym, x.span, cx);
        if (v.k !== 'const' || typeof v.v !== 'number' || !Number.isInteger(v.v)) return void this.bag.report('DLM2052', [describeVal(v)], x.span);
        bounds.push(v.v);
      }
      const n = Math.max(0, bounds[1]! - bounds[0]!);
      if (n > MAX_REPEAT) return void this.bag.report('DLM2049', [n, MAX_REPEAT], spanJoin(s.iterable.span, s.rangeEnd.span));
      return Array.from({ length: n }, (_, i) => bounds[0]! + i);
    }
    const v = this.evaluate(s.iterable, acx);
    if (v.k === 'error') return undefined;
    if (v.k === 'const' && v.sym) return void this.unknownName(v.sym, s.iterable.span, cx);
    if (v.k !== 'const' || !Array.isArray(v.v)) return void this.bag.report('DLM2048', [describeVal(v)], s.iterable.span);
    if (v.v.length > MAX_REPEAT) return void this.bag.report('DLM2049', [v.v.length, MAX_REPEAT], s.iterable.span);
    return v.v;
  }

  /** `q, k, v = …`: one name per output of a multi-output layer or block. */
  private destructure(s: A.DestructureStmt, cx: EvalCtx, bind: (id: A.Ident, v: Val, value: A.Expr) => void): void {
    const v = this.evaluate(s.value, cx);
    const items = v.k === 'tuple' ? v.items : v.k === 'tensor' ? [v.name] : undefined;
    if (v.k === 'const') {
      if (v.sym) this.unknownName(v.sym, s.value.span, cx);
      else this.bag.report('DLM2019', [describeVal(v)], s.value.span);
    } else if (items && items.length !== s.names.length) {
      const gives = `${items.length === 1 ? 'one tensor' : `${items.length} tensors`} (${exprText(lastStage(s.value))})`;
      this.bag.report('DLM2050', [s.names.length, gives], spanJoin(s.names[0]!.span, s.value.span));
    }
    const ok = items !== undefined && items.length === s.names.length;
    s.names.forEach((id, i) => bind(id, ok ? { k: 'tensor', name: items[i]! } : this.poison(cx, id.span), s.value));
  }

  /** `x[…]`: NumPy/PyTorch indexing, compiled to one `slice` layer (./indexing.ts). */
  private index(e: A.IndexExpr, cx: EvalCtx): Val {
    const target = this.single(this.evaluate(e.target, cx), e.target, cx);
    const items: IndexItem[] = [];
    let bad = target.k === 'error';
    const acx = { ...cx, argPos: true };
    const num = (x: A.Expr | undefined): number | undefined => {
      if (!x) return undefined;
      const v = this.evaluate(x, acx);
      if (v.k === 'const' && typeof v.v === 'number' && Number.isInteger(v.v)) return v.v;
      bad = true;
      if (v.k === 'const' && v.sym) this.unknownName(v.sym, x.span, cx);
      else if (v.k !== 'error') this.bag.report('DLM2054', [describeVal(v)], x.span);
      return undefined;
    };
    for (const it of e.items) {
      if (it.kind === 'ellipsis') items.push(it);
      else if (it.kind === 'at') items.push({ kind: 'at', index: num(it.index) ?? 0, span: it.span });
      else {
        const [start, stop, step] = [num(it.start), num(it.stop), num(it.step)];
        const text = `${start ?? ''}:${stop ?? ''}${step !== undefined ? `:${step}` : ''}`;
        items.push({ kind: 'slice', ...(start !== undefined ? { start } : {}), ...(stop !== undefined ? { stop } : {}), ...(step !== undefined ? { step } : {}), text, span: it.span });
      }
    }
    if (target.k === 'const' && Array.isArray(target.v) && e.items.length === 1 && items[0]?.kind === 'at') {
      // A constant list takes one integer index: `widths[i]` in a loop.
      if (bad) return ERR;
      const list = target.v;
      const i = items[0].index;
      if (i < -list.length || i >= list.length) {
        this.bag.report('DLM2055', [i, list.length], items[0].span);
        return ERR;
      }
      return { k: 'const', v: list[i < 0 ? i + list.length : i]! };
    }
    if (target.k === 'const') {
      if (target.sym) this.unknownName(target.sym, e.target.span, cx);
      else this.bag.report('DLM2053', [describeVal(target)], e.target.span);
      return ERR;
    }
    if (bad || target.k !== 'tensor' || !cx.body) return this.poison(cx, e.span);
    const t = cx.body.builder.typeOf(target.name);
    if (t.unknown) return this.poison(cx, e.span);
    const plan = planIndex(t.shape, items, e.span);
    if ('code' in plan) {
      this.bag.report(plan.code, plan.args, plan.span);
      return this.poison(cx, e.span);
    }
    if (plan.axes.length === 0) return target;
    const given: GivenArg[] = (['starts', 'ends', 'axes', 'steps', 'squeeze'] as const).map((k) => ({ name: k, value: plan[k], span: e.span }));
    return this.layerCall('slice', [target.name], given, e.span, { nameSpan: e.span }, cx);
  }

  private tensorType(t: A.TensorTypeAst, cx: EvalCtx): TensorType | undefined {
    let ok = true;
    if (!DTYPES.includes(t.dtype.name as DType)) {
      this.bag.report('DLM2030', [t.dtype.name], t.dtype.span, [], didYouMean(t.dtype.name, DTYPES));
      ok = false;
    }
    const shape: Dim[] = [];
    for (const d of t.dims) {
      const isSymbol = (x: A.Expr) => x.kind === 'name' && !this.lookupLocal(cx.body, x.name) && cx.module.scope.get(x.name)?.kind !== 'let';
      if (isSymbol(d)) {
        shape.push((d as { name: string }).name);
        continue;
      }
      // `time-1`: a symbol less (or more) a fixed count, as slicing gives (x[:, 1:] on time).
      const offset = d.kind === 'binary' && d.operands.length === 2 && isSymbol(d.operands[0]!) && d.operands[1]!.kind === 'number' && (d.ops[0] === '-' || d.ops[0] === '+');
      if (offset && d.operands[1]!.kind === 'number' && Number.isInteger(d.operands[1].value) && d.operands[1].value > 0) {
        shape.push(`${(d.operands[0] as { name: string }).name}${d.ops[0]}${d.operands[1].value}`);
        continue;
      }
      const v = this.evaluate(d, { ...cx, argPos: true });
      if (v.k === 'const' && typeof v.v === 'number' && Number.isInteger(v.v) && v.v > 0) shape.push(v.v);
      else if (v.k === 'const' && typeof v.v === 'string' && /^[A-Za-z_]\w*$/.test(v.v)) shape.push(v.v);
      else {
        if (v.k !== 'error') this.bag.report('DLM2031', [describeVal(v)], d.span);
        ok = false;
      }
    }
    return ok ? { dtype: t.dtype.name as DType, shape } : undefined;
  }

  private compileModel(decl: A.ModelDecl, module: ModuleInfo): Graph {
    const done = this.graphs.get(decl);
    if (done) return done;
    const builder = new GraphBuilder(decl.name.name, this.registry, this.bag, decl.span, module.file);
    const body: Body = { builder, module, scopes: [new Map()] };
    this.blockStack.push(decl);
    this.runBody(decl.body, body, { kind: 'model', what: 'model', name: decl.name.name, span: decl.name.span });
    this.blockStack.pop();
    const g = builder.finish();
    this.graphs.set(decl, g);
    return g;
  }

  // ───────── train blocks ─────────

  private resolvePlugin(kind: PluginKind, e: A.Expr, cx: EvalCtx): PluginCall | undefined {
    let name: string;
    let span: SourceSpan;
    let given: GivenArg[] | undefined = [];
    if (e.kind === 'name') {
      const local = this.lookupLocal(cx.body, e.name);
      const d = local ? undefined : cx.module.scope.get(e.name);
      const v = local ? (local.used = true, local.val) : d?.kind === 'let' ? this.moduleConst(d.decl, d.module) : undefined;
      if (v && v.k === 'error') return undefined;
      if (v && v.k === 'const' && v.v !== null && typeof v.v === 'object' && !Array.isArray(v.v)) {
        // A constant holding a call: `let reg = l2(1e-4)` … `regularize reg`.
        name = v.v.name;
        given = Object.entries(v.v.args).map(([k, x]) => ({ name: k, value: x, span: e.span }));
      } else if (v && v.k === 'const' && typeof v.v === 'string') name = v.v;
      else if (v) {
        this.bag.report('DLM4013', [kindKey(kind), `the name of a ${kind}`, describeVal(v)], e.span);
        return undefined;
      } else name = e.name;
      span = e.span;
    } else if (e.kind === 'call') {
      name = e.callee.name;
      span = e.callee.span;
      given = this.constArgs(e, cx);
    } else {
      this.bag.report('DLM4013', [kindKey(kind), `the name of a ${kind}`, describeExprKind(e)], e.span);
      return undefined;
    }
    const reg = this.registry.get(kind, name);
    if (!reg) {
      this.bag.report('DLM4001', [kind, name], span, [], this.registry.suggest(kind, name));
      return undefined;
    }
    if (!given) return undefined;
    const args = this.validate(name, reg.def.args, given, e.span);
    return args ? { name, args, span: e.span } : undefined;
  }

  private compileTrain(decl: A.TrainDecl, module: ModuleInfo): TrainingSpec | undefined {
    const cx: EvalCtx = { module, body: undefined, argPos: true };
    const seen = new Map<string, A.TrainEntry>();
    let ok = true;
    const spec: Partial<TrainingSpec> & { regularizers: PluginCall[]; metrics: PluginCall[]; settings: Record<string, ArgValue> } = {
      regularizers: [],
      metrics: [],
      settings: {},
    };
    const isGan = decl.entries.some((e) => e.key.name === 'generator' || e.key.name === 'discriminator');
    const one = (entry: A.TrainEntry): A.Expr | undefined => {
      if (entry.values.length !== 1) {
        this.bag.report('DLM4014', [entry.key.name, entry.values.length], entry.span);
        ok = false;
        return undefined;
      }
      return entry.values[0];
    };
    const num = (entry: A.TrainEntry, what: string, test: (n: number) => boolean): number | undefined => {
      const e = one(entry);
      if (!e) return undefined;
      const v = this.evaluate(e, cx);
      if (v.k === 'const' && typeof v.v === 'number' && test(v.v)) return v.v;
      if (v.k !== 'error') this.bag.report('DLM4013', [entry.key.name, what, describeVal(v)], e.span);
      ok = false;
      return undefined;
    };
    const modelRef = (entry: A.TrainEntry): string | undefined => {
      const e = one(entry);
      if (!e) return undefined;
      if (e.kind !== 'name') {
        this.bag.report('DLM4013', [entry.key.name, 'a model name', describeExprKind(e)], e.span);
        ok = false;
        return undefined;
      }
      return this.modelByName(e.name, e.span, module) ? e.name : ((ok = false), undefined);
    };
    for (const entry of decl.entries) {
      const key = entry.key.name;
      if (!TRAIN_KEYS.includes(key)) {
        this.bag.report('DLM4010', [key], entry.key.span, [], didYouMean(key, TRAIN_KEYS));
        ok = false;
        continue;
      }
      const prev = seen.get(key);
      if (prev && !MULTI_KEYS.has(key)) {
        this.bag.report('DLM4012', [key], entry.key.span, [{ message: 'first given here', span: prev.key.span }]);
        ok = false;
        continue;
      }
      seen.set(key, entry);
      const plugin = (kind: PluginKind): PluginCall | undefined => {
        const e = one(entry);
        if (!e) return undefined;
        const r = this.resolvePlugin(kind, e, cx);
        if (!r) ok = false;
        return r;
      };
      switch (key) {
        case 'data': { const r = plugin('dataset'); if (r) spec.data = r; break; }
        case 'loss': { const r = plugin('loss'); if (r) spec.loss = r; break; }
        case 'optimizer': { const r = plugin('optimizer'); if (r) spec.optimizer = r; break; }
        case 'schedule': { const r = plugin('schedule'); if (r) spec.settings['schedule'] = r; break; }
        case 'regularize':
        case 'metrics':
          for (const e of entry.values) {
            const r = this.resolvePlugin(key === 'metrics' ? 'metric' : 'regularizer', e, cx);
            if (r) (key === 'metrics' ? spec.metrics : spec.regularizers).push(r);
            else ok = false;
          }
          break;
        case 'epochs': { const n = num(entry, 'a positive integer', (x) => Number.isInteger(x) && x >= 1); if (n !== undefined) spec.epochs = n; break; }
        case 'seed': { const n = num(entry, 'an integer', (x) => Number.isInteger(x)); if (n !== undefined) spec.settings['seed'] = n; break; }
        case 'validation_split': { const n = num(entry, 'a number from 0 up to (not including) 1', (x) => x >= 0 && x < 1); if (n !== undefined) spec.settings['validation_split'] = n; break; }
        case 'clip': { const n = num(entry, 'a positive number', (x) => x > 0); if (n !== undefined) spec.settings['clip'] = n; break; }
        case 'generator':
        case 'discriminator': { const m = modelRef(entry); if (m) spec[key] = m; break; }
      }
    }
    const required = ['data', 'loss', 'optimizer', 'epochs', ...(isGan ? ['generator', 'discriminator'] : [])];
    for (const r of required) {
      if (!seen.has(r)) {
        this.bag.report('DLM4011', [decl.name.name, r], decl.name.span);
        ok = false;
      }
    }
    const model = isGan ? undefined : this.modelByName(decl.name.name, decl.name.span, module);
    if (!isGan && !model) ok = false;
    if (!ok) return undefined;
    if (model && spec.loss) this.checkLossFitsOutput(spec.loss, model);
    return {
      kind: isGan ? 'gan' : 'supervised',
      model: decl.name.name,
      ...(isGan ? { generator: spec.generator!, discriminator: spec.discriminator! } : {}),
      data: spec.data!,
      loss: spec.loss!,
      optimizer: spec.optimizer!,
      regularizers: spec.regularizers,
      metrics: spec.metrics,
      epochs: spec.epochs!,
      settings: spec.settings,
      span: decl.span,
    };
  }

  /** Whether the loss fits the model's output: core's one rule (`lossFitsOutput`), shared with the trainer. */
  private checkLossFitsOutput(loss: PluginCall, g: Graph): void {
    const def = this.registry.get('loss', loss.name)?.def;
    const d = def ? lossFitsOutput(g, def, loss.name, loss.span) : undefined;
    if (d) this.bag.add(d);
  }

  /** Resolves a model name for a train block, compiling imported models on demand. */
  private modelByName(name: string, span: SourceSpan, module: ModuleInfo): Graph | undefined {
    const d = module.scope.get(name);
    if (d?.kind === 'model' && d.module.damaged.has(d.decl)) return undefined;
    if (d?.kind === 'model') return this.compileModel(d.decl, d.module);
    const models = [...module.scope.entries()].filter(([, x]) => x.kind === 'model').map(([n]) => n);
    const notes: DiagnosticNote[] = d ? [{ message: `'${name}' is a ${d.kind === 'let' ? 'constant' : 'block'}`, span: d.decl.name.span }] : [];
    this.bag.report('DLM2016', [name], span, notes, didYouMean(name, models));
    return undefined;
  }
}

/** What `if` and `for` need from the body that runs them (runBody). */
interface ControlHooks {
  /** Runs statements one level deeper, where assigning an existing name updates it. */
  exec(stmts: A.Stmt[]): void;
  /** A `for` iteration's own names (the loop variable first). */
  pushLevel(variable: A.Ident): void;
  popLevel(): void;
  claimed(name: string): boolean;
  /** Statements not compiled because their `if` or `for` was wrong: see runBody. */
  skip(stmts: A.Stmt[]): void;
}

/** Names that statements define (values, constants, inputs; through nested `if` and `for`). */
function definedNames(stmts: A.Stmt[]): A.Ident[] {
  return stmts.flatMap((s): A.Ident[] => {
    switch (s.kind) {
      case 'output':
        return [];
      case 'input':
      case 'let':
      case 'assign':
        return [s.name];
      case 'destructure':
        return s.names;
      case 'if':
        return definedNames([...s.then, ...(s.else ?? [])]);
      case 'for':
        return definedNames(s.body).filter((id) => id.name !== s.variable.name);
    }
  });
}

/** Names that statements assign (through nested `if` and `for`), in order. */
function assignedNames(stmts: A.Stmt[]): A.Ident[] {
  return stmts.flatMap((s): A.Ident[] => {
    switch (s.kind) {
      case 'assign':
        return [s.name];
      case 'destructure':
        return s.names;
      case 'if':
        return assignedNames([...s.then, ...(s.else ?? [])]);
      case 'for':
        return assignedNames(s.body).filter((id) => id.name !== s.variable.name);
      default:
        return [];
    }
  });
}

/** The stage that produced a pipeline's value, for messages (`split(…)` rather than the whole pipeline). */
function lastStage(e: A.Expr): A.Expr {
  return e.kind === 'pipe' ? e.stages[e.stages.length - 1]! : e;
}

interface EvalCtx {
  module: ModuleInfo;
  /** Evaluating the condition of an `if`: a tensor there gets the message that explains why it cannot work. */
  condition?: boolean;
  /** Absent for module constants and train blocks: no tensors there. */
  body: Body | undefined;
  /** In an argument position, an unknown call is a plugin call value (`l2(1e-4)`), not a layer. */
  argPos: boolean;
}

function kindKey(kind: PluginKind): string {
  return ({ dataset: 'data', optimizer: 'optimizer', loss: 'loss', regularizer: 'regularize', metric: 'metrics', schedule: 'schedule', layer: 'layer' } as const)[kind];
}

/** Compile-time control flow (`if`, `for`, unrolled now) and destructuring (`q, k, v = …`). */
import type { ArgValue } from '@dlm/core';
import type * as A from '../ast.js';
import { budgetFor, minLayers, type ExpansionSite } from '../budget.js';
import { describeVal, exprText, spanJoin, type Binding, type Val } from '../values.js';
import { MAX_REPEAT, type ControlHooks, type EvalCtx } from './base.js';
import { CallCompiler } from './calls.js';

export abstract class ControlFlowCompiler extends CallCompiler {
  /** `if`: the condition is evaluated now; only the branch it chooses is compiled. */
  protected runIf(s: A.IfStmt, cx: EvalCtx, control: ControlHooks): void {
    const c = this.evaluate(s.cond, { ...cx, argPos: true, condition: true });
    if (c.k === 'const' && typeof c.v === 'boolean') {
      const branch = c.v ? s.then : s.else;
      // What only the other branch defines is unknown after the `if`: say why where it is used.
      const other = c.v ? s.else : s.then;
      if (other && cx.body) {
        const taken = new Set(definedNames(branch ?? []).map((id) => id.name));
        const notTaken = (cx.body.notTaken ??= new Map());
        for (const id of definedNames(other)) {
          if (!taken.has(id.name) && !notTaken.has(id.name)) notTaken.set(id.name, { def: id.span, cond: s.cond.span, value: c.v });
        }
      }
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
  protected runFor(s: A.ForStmt, cx: EvalCtx, control: ControlHooks): void {
    const body = cx.body!;
    const items = this.forItems(s, cx);
    if (!items) return control.skip(s.body);
    if (control.claimed(s.variable.name) || this.lookupLocal(body, s.variable.name)) {
      this.bag.report('DLM2011', [s.variable.name], s.variable.span);
      return;
    }
    // The budget is asked before unrolling, with the layers every iteration makes at least
    // (nested literal loops multiply), so `for i in 0..1000 { for j in 0..1000 { … } }` is refused
    // at once; and a loop stops unrolling once the model's budget is spent (DLM2060 said it).
    const budget = budgetFor(body.builder);
    const per = minBodyLayers(s.body);
    const where = spanJoin(s.iterable.span, (s.rangeEnd ?? s.iterable).span);
    if (!budget.fits(items.length * per)) {
      this.reportBudget(cx, 'DLM2066', [items.length * per, items.length, per, budget.remaining, budget.limit], where);
      return control.skip(s.body);
    }
    this.expansionSite(cx, { what: "This 'for'", span: where, count: items.length }, (site) => this.unroll(s, items, site, cx, control));
  }

  /** The iterations of a `for` whose budget was granted, each a scope named layer_1, layer_2, …. */
  private unroll(s: A.ForStmt, items: ArgValue[], site: ExpansionSite, cx: EvalCtx, control: ControlHooks): void {
    const body = cx.body!;
    const budget = budgetFor(body.builder);
    for (const [index, item] of items.entries()) {
      if (budget.reported) break;
      site.index = index;
      body.builder.enterBlock('for', s.span, { [s.variable.name]: item }, [], 'layer');
      const before = new Map<Binding, Val>();
      for (const level of body.scopes) for (const b of level.values()) before.set(b, b.val);
      const scope = new Map<string, Binding>([[s.variable.name, { val: { k: 'const', v: item }, span: s.variable.span, used: false, warnUnused: false }]]);
      body.scopes.push(scope);
      control.pushLevel(s.variable);
      control.exec(s.body);
      control.popLevel();
      body.scopes.pop();
      for (const [name, b] of scope) if (b.warnUnused && !b.used) this.reportUnused(name, b, cx);
      // The iteration's outputs: the tensors it assigned to names from outside the loop.
      const outs: string[] = [];
      for (const [b, old] of before) if (b.val !== old && b.val.k === 'tensor') outs.push(b.val.name);
      body.builder.exitBlock(outs, { inferInputs: true });
    }
  }

  protected forItems(s: A.ForStmt, cx: EvalCtx): ArgValue[] | undefined {
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
  protected destructure(s: A.DestructureStmt, cx: EvalCtx, bind: (id: A.Ident, v: Val, value: A.Expr) => void): void {
    const v = this.evaluate(s.value, cx);
    const items = v.k === 'tuple' ? v.items : v.k === 'tensor' ? [v.name] : undefined;
    if (v.k === 'const') {
      if (v.sym) this.unknownName(v.sym, s.value.span, cx);
      else this.bag.report('DLM2019', [describeVal(v)], s.value.span);
    } else if (v.k === 'tensor' && cx.body?.builder.typeOf(v.name).unknown) {
      // The value failed (a split that cannot split, already reported): no second error for it.
    } else if (items && items.length !== s.names.length) {
      const gives = `${items.length === 1 ? 'one tensor' : `${items.length} tensors`} (${exprText(lastStage(s.value))})`;
      this.bag.report('DLM2050', [s.names.length, gives], spanJoin(s.names[0]!.span, s.value.span));
    }
    const ok = items !== undefined && items.length === s.names.length;
    s.names.forEach((id, i) => bind(id, ok ? { k: 'tensor', name: items[i]! } : this.poison(cx, id.span), s.value));
  }
}

/** The stage that produced a pipeline's value, for messages (`split(…)` rather than the whole pipeline). */
function lastStage(e: A.Expr): A.Expr {
  return e.kind === 'pipe' ? e.stages[e.stages.length - 1]! : e;
}

/**
 * Layers one pass over `stmts` makes at least, from the text alone: the layer stages of pipelines
 * (as `repeat` counts them) and nested loops with literal bounds, multiplied. Branches of `if`
 * count nothing, since either may be taken.
 */
export function minBodyLayers(stmts: readonly A.Stmt[]): number {
  let n = 0;
  for (const st of stmts) {
    if ((st.kind === 'assign' || st.kind === 'destructure') && st.value.kind === 'pipe') n += minLayers(st.value.stages);
    else if (st.kind === 'for') n += literalIterations(st) * minBodyLayers(st.body);
  }
  return Math.min(n, Number.MAX_SAFE_INTEGER);
}

function literalIterations(s: A.ForStmt): number {
  if (s.rangeEnd) return s.iterable.kind === 'number' && s.rangeEnd.kind === 'number' ? Math.max(0, s.rangeEnd.value - s.iterable.value) : 0;
  return s.iterable.kind === 'list' ? s.iterable.items.length : 0;
}

/** Names that statements define (values, constants, inputs; through nested `if` and `for`). */
export function definedNames(stmts: A.Stmt[]): A.Ident[] {
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

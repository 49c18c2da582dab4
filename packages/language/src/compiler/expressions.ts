/**
 * Expressions: constants, names, arithmetic, comparisons and logic folded at compile time;
 * pipelines (`x |> dense(16) |> relu`) and `repeat` applied stage by stage; indexing (`x[:, 1:]`,
 * compiled to one `slice` layer) and tensor types (`f32[batch, 16]`).
 */
import {
  didYouMean,
  formatType,
  type ArgValue,
  type Dim,
  type DType,
  type GivenArg,
  type SourceSpan,
  type TensorType,
} from '@dlm/core';
import type * as A from '../ast.js';
import { budgetFor, minLayers } from '../budget.js';
import { planIndex, type IndexItem } from '../indexing.js';
import { describeExprKind, describeVal, ERR, exprText, spanJoin, type Binding, type Val } from '../values.js';
import { CompilerBase, DTYPES, MAX_REPEAT, type EvalCtx } from './base.js';

export abstract class ExpressionCompiler extends CompilerBase {
  protected evaluate(e: A.Expr, cx: EvalCtx): Val {
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
          this.noteSymbolOrigin(e, local);
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
  protected tensorInCondition(v: Val, e: A.Expr, cx: EvalCtx): boolean {
    if (v.k !== 'tensor' && v.k !== 'tuple') return false;
    if (cx.condition) this.bag.report('DLM2046', [`'${exprText(e)}'`], e.span);
    return true;
  }

  /** The boolean value of an operand of and/or/not; undefined after a reported error. */
  protected truth(e: A.Expr, op: string, cx: EvalCtx): boolean | undefined {
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

  protected compare(e: A.CompareExpr, cx: EvalCtx): Val {
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


  protected binary(op: A.BinaryOp, a: Val, b: Val, ae: A.Expr, be: A.Expr, span: SourceSpan, cx: EvalCtx): Val {
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
  protected tensors(v: Val, e: A.Expr, cx: EvalCtx): string[] {
    const b = cx.body?.builder;
    const poison = () => (b ? [b.poisoned(e.span)] : []);
    if (v.k === 'tensor') return [v.name];
    if (v.k === 'tuple') return v.items;
    if (v.k === 'error') return poison();
    if (v.sym) this.unknownName(v.sym, e.span, cx);
    else this.bag.report('DLM2019', [describeVal(v)], e.span);
    return poison();
  }

  protected single(v: Val, e: A.Expr, cx: EvalCtx): Val {
    if (v.k === 'tuple' && v.items.length !== 1) {
      this.bag.report('DLM2035', [exprText(e), v.items.length], e.span);
      return ERR;
    }
    if (v.k === 'tuple') return { k: 'tensor', name: v.items[0]! };
    return v;
  }

  protected applyStage(input: Val, stage: A.Expr, head: A.Expr, cx: EvalCtx): Val {
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

  protected repeat(r: A.RepeatExpr, inputs: string[], cx: EvalCtx): Val {
    const body = cx.body!;
    const n = this.evaluate(r.count, cx);
    if (n.k === 'error') return ERR;
    if (n.k !== 'const' || typeof n.v !== 'number' || !Number.isInteger(n.v) || n.v < 0 || n.v > MAX_REPEAT) {
      if (n.k === 'const' && n.sym) return this.unknownName(n.sym, r.count.span, cx);
      this.bag.report('DLM2026', [MAX_REPEAT, describeVal(n)], r.count.span);
      return ERR;
    }
    // The budget is asked before expanding: from the repeat counts written in the body (a lower
    // bound), then again after the first repetition, which measures what its blocks really
    // expand to. That measure holds for every repetition only when the repetitions are the same:
    // without an index nothing differs between them (a condition cannot read a tensor's shape).
    // With one (`as i`, an `if i == 0` in a block it calls), the first says nothing about the
    // rest, so each layer is charged as it is made and the limit reported where it is reached.
    const budget = budgetFor(body.builder);
    const count = n.v;
    const before = budget.used;
    const tooBig = (per: number) => {
      this.reportBudget(cx, 'DLM2061', [count * per, count, per, budget.limit - before, budget.limit], r.count.span);
      return this.poison(cx, r.span);
    };
    if (!budget.fits(count * minLayers(r.stages))) return tooBig(minLayers(r.stages));
    return this.expansionSite(cx, { what: 'This repeat', span: r.count.span, count }, (site) => {
      let cur: Val = inputs.length === 1 ? { k: 'tensor', name: inputs[0]! } : { k: 'tuple', items: inputs };
      for (let i = 0; i < count; i++) {
        site.index = i;
        if (i === 1 && !r.index && !budget.fits((count - 1) * (budget.used - before))) return tooBig(budget.used - before);
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
    });
  }

  /** Whether `name` is a symbolic dim (`batch`, `time`) of the tensor `v`. */
  private isSymbolicDim(v: Val, name: string, cx: EvalCtx): boolean {
    if (v.k !== 'tensor' || !cx.body) return false;
    const t = cx.body.builder.typeOf(v.name);
    return !t.unknown && t.shape.some((d) => d === name);
  }

  /** `x[…]`: NumPy/PyTorch indexing, compiled to one `slice` layer (./indexing.ts). */
  protected index(e: A.IndexExpr, cx: EvalCtx): Val {
    const target = this.single(this.evaluate(e.target, cx), e.target, cx);
    const items: IndexItem[] = [];
    let bad = target.k === 'error';
    const acx = { ...cx, argPos: true };
    const num = (x: A.Expr | undefined): number | undefined => {
      if (!x) return undefined;
      const v = this.evaluate(x, acx);
      if (v.k === 'const' && typeof v.v === 'number' && Number.isInteger(v.v)) return v.v;
      bad = true;
      // NumPy's x[:, None] adds an axis; here that is a layer of its own.
      if (v.k === 'const' && (v.sym === 'None' || v.sym === 'newaxis') && !cx.body?.defines?.has(v.sym)) {
        this.bag.report('DLM2010', [v.sym], x.span, [{ message: `indexing has no ${v.sym}: to insert an axis, use unsqueeze (x[:, ${v.sym}] is x |> unsqueeze(1))` }]);
      } else if (v.k === 'const' && v.sym && this.isSymbolicDim(target, v.sym, cx) && !cx.body?.defines?.has(v.sym)) {
        // x[:, :time]: a dim's size exists only when the model runs; bounds are fixed now.
        const t = formatType(cx.body!.builder.typeOf((target as { name: string }).name));
        this.bag.report('DLM2054', [describeVal(v)], x.span, [{ message: `'${v.sym}' is a symbolic dimension of the tensor (${t}): its size is known only when the model runs, and index and slice bounds are integers fixed while compiling (an omitted bound runs to the end: x[:, :])` }]);
      } else if (v.k === 'const' && v.sym) this.unknownName(v.sym, x.span, cx);
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

  protected tensorType(t: A.TensorTypeAst, cx: EvalCtx): TensorType | undefined {
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
}

/**
 * Calls: a call is a block instance, a layer (expanded through the GraphBuilder, after its
 * arguments are checked), or in argument position a plugin call value (`l2(1e-4)`); parameter
 * settings (`weight: {init: he_normal}`) and initializers.
 */
import {
  didYouMean,
  type Args,
  type ArgSpec,
  type ArgType,
  type ArgValue,
  type GivenArg,
  type Initializer,
  type InitializerKind,
  type ParamSetting,
  type SourceSpan,
} from '@dlm/core';
import type * as A from '../ast.js';
import { budgetFor } from '../budget.js';
import { describeExprKind, describeVal, ERR, exprText, type Val } from '../values.js';
import { INIT_ARGS, INITIALIZER_KINDS, type EvalCtx } from './base.js';
import { ExpressionCompiler } from './expressions.js';

export abstract class CallCompiler extends ExpressionCompiler {
  /** A call expression: block instance, layer, or (in argument position) a plugin call value. */
  protected call(e: A.CallExpr, piped: string[] | undefined, cx: EvalCtx): Val {
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
    const inputs = piped ? piped.slice() : [];
    const given: GivenArg[] = [];
    const syms: (string | undefined)[] = [];
    let failed = false;
    let sawNonTensor = false;
    // One context for all the arguments (contexts are never mutated), not a copy per argument;
    // none for a call without arguments (`relu`).
    const argCx: EvalCtx = cx.argPos || e.args.length === 0 ? cx : { ...cx, argPos: true };
    for (const a of e.args) {
      const v = this.evaluate(a.value, argCx);
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
      given.push(a.name ? { name: a.name.name, nameSpan: a.name.span, value: v.v, span: a.value.span } : { value: v.v, span: a.value.span });
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
    return this.layerCall(name, inputs, given, e.span, { nameSpan: e.callee.span, paramSettings: settings }, cx);
  }

  /**
   * An unbound name where the argument cannot take a name (`dense(hiden)`) is most likely a typo
   * of a constant or parameter: say so, with the close name, instead of "expects an integer".
   */
  protected checkSymbolArgs(schema: readonly ArgSpec[], given: GivenArg[], syms: (string | undefined)[], cx: EvalCtx): boolean {
    // Nothing to check unless an argument was a bare name (the common call has none).
    let anySym = false;
    for (let i = 0; i < syms.length && !anySym; i++) anySym = syms[i] !== undefined;
    if (!anySym) return true;
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

  protected layerCall(
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
    // Arguments validated here are handed to callLayer, which would otherwise validate them again.
    let validated: Args | undefined;
    if (reg) {
      // Arguments are checked here (not by callLayer), so that a misspelled argument name is not
      // also reported as a missing one.
      validated = this.validate(name, reg.def.args, given, span);
      // An input already wrong (and reported) is not expanded, so that one mistake produces one
      // message rather than a cascade through every later layer.
      if (!validated) return this.poison(cx, span);
      for (let i = 0; i < inputs.length; i++) if (builder.typeOf(inputs[i]!).unknown) return this.poison(cx, span);
    }
    if (!budgetFor(builder).charge()) return this.overBudget(cx, span);
    // One object shape for every call (a spread made objects of varying shapes, read slowly in callLayer).
    const outs = builder.callLayer(name, inputs, given, span, { nameSpan: opts.nameSpan, paramSettings: opts.paramSettings, validated });
    return outs.length === 1 ? { k: 'tensor', name: outs[0]! } : { k: 'tuple', items: outs };
  }

  /** A call in argument position that is neither a layer nor a block: a plugin call value. */
  protected pluginValue(e: A.CallExpr, cx: EvalCtx): Val {
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

  protected constArgs(e: A.CallExpr, cx: EvalCtx): GivenArg[] | undefined {
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
  protected paramSettings(groups: A.SettingGroup[], cx: EvalCtx): Record<string, ParamSetting> | null {
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

  protected initializer(e: A.Expr, cx: EvalCtx): Initializer | undefined {
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
}

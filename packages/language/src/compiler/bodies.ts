/**
 * Bodies: the statements of a model or block (inputs, named values, outputs, unused names), blocks
 * expanded as scopes of the graph that calls them, unused blocks checked on their own, and models
 * compiled to graphs.
 */
import {
  GraphBuilder,
  formatType,
  type ArgSpec,
  type DiagnosticNote,
  type GivenArg,
  type Graph,
  type SourceSpan,
} from '@dlm/core';
import type * as A from '../ast.js';
import { PARAM_TYPES, type ModuleInfo } from '../bind.js';
import { describeVal, ERR, exprText, type Binding, type Val } from '../values.js';
import { ANY_TYPE, MAX_DEPTH, type Body, type ControlHooks, type EvalCtx } from './base.js';
import { ControlFlowCompiler, definedNames } from './control-flow.js';
import { budgetFor } from '../budget.js';

export abstract class BodyCompiler extends ControlFlowCompiler {

  /** Expands a block — or a model used like a block — as a scope of the current graph. */
  protected instantiateBlock(
    decl: A.BlockDecl | A.ModelDecl,
    module: ModuleInfo,
    inputs: string[],
    given: GivenArg[],
    syms: (string | undefined)[],
    call: A.CallExpr,
    cx: EvalCtx,
  ): Val {
    const outer = cx.body!;
    if (decl.kind === 'block') {
      this.instantiated.add(decl);
      this.blocksUsed?.add(decl);
    }
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
    // An instance counts against the model's limit as a layer does ("layers and block
    // instances"), so a call is at least one, as the limit's lower bounds count it (budget.ts).
    if (!budgetFor(builder).charge()) return this.overBudget(cx, call.span);
    builder.enterBlock(decl.name.name, call.span, args, inputs);
    const scope = new Map<string, Binding>();
    for (const p of params) {
      const v = args[p.name.name];
      scope.set(p.name.name, { val: v === undefined ? ERR : { k: 'const', v }, span: p.name.span, used: false, warnUnused: false });
    }
    const body: Body = { builder, module, scopes: [scope], call: { what: `${decl.kind} '${decl.name.name}'`, span: call.span } };
    const site = { what: `This call of ${decl.kind} '${decl.name.name}'`, span: call.callee.span };
    const outs = this.expansionSite(cx, site, () => {
      this.blockStack.push(decl);
      try {
        return this.runBody(decl.body, body, { kind: 'block', what: decl.kind, name: decl.name.name, inputs, span: decl.name.span, callSpan: call.span });
      } finally {
        this.blockStack.pop();
      }
    });
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
  protected checkUninstantiated(decl: A.BlockDecl, module: ModuleInfo): void {
    const builder = new GraphBuilder(`block ${decl.name.name}`, this.registry, this.bag);
    const scope = new Map<string, Binding>();
    const defaultsCx: EvalCtx = { module, body: undefined, argPos: true };
    for (const p of decl.params) {
      const d = p.default ? this.evaluate(p.default, defaultsCx) : ERR;
      scope.set(p.name.name, { val: d.k === 'const' ? d : ERR, span: p.name.span, used: false, warnUnused: false });
    }
    const inputs = decl.body.filter((s) => s.kind === 'input').map((s) => builder.poisoned(s.span));
    this.blockStack.push(decl);
    budgetFor(builder).ownerDepth = this.blockStack.length;
    this.runBody(decl.body, { builder, module, scopes: [scope] }, { kind: 'block', what: 'block', name: decl.name.name, inputs, span: decl.name.span });
    this.blockStack.pop();
  }

  // ───────── bodies ─────────

  /**
   * Runs the statements of a model or block body. Returns the value of each declared output (in
   * declaration order); models get their inputs from declarations, blocks from `owner.inputs`.
   */
  protected runBody(
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
    body.loopLocals = new Map(loopLocalNames(stmts));
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
      else if (claim(id)) {
        const symbol = v.k === 'const' && v.sym !== undefined && value.kind === 'name' ? { symbolSpan: value.span } : {};
        body.scopes[body.scopes.length - 1]!.set(id.name, { val: v, span: id.span, used: false, warnUnused: true, ...symbol });
      }
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
          // The value is computed by now: say its type, ready to copy.
          const computed = got.val.k === 'tensor' ? body.builder.typeOf(got.val.name) : undefined;
          const notes = computed && !computed.unknown ? [{ message: `the model computes ${formatType(computed)} for it: output ${name}: ${formatType(computed)}`, span: got.span }] : [];
          this.bag.report('DLM2029', ['output', name], decl.name.span, notes);
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
      for (const [name, b] of s) if (b.warnUnused && !b.used && !body.usedEarly?.has(name)) this.reportUnused(name, b, cx);
    }
    return result;
  }

  protected compileModel(decl: A.ModelDecl, module: ModuleInfo): Graph {
    const done = this.graphs.get(decl);
    if (done) return done;
    const builder = new GraphBuilder(decl.name.name, this.registry, this.bag, decl.span, module.file);
    const body: Body = { builder, module, scopes: [new Map()] };
    this.blockStack.push(decl);
    budgetFor(builder).ownerDepth = this.blockStack.length;
    this.runBody(decl.body, body, { kind: 'model', what: 'model', name: decl.name.name, span: decl.name.span });
    this.blockStack.pop();
    const g = builder.finish();
    this.graphs.set(decl, g);
    return g;
  }
}

/** Names defined in `for` bodies (through nested `if` and `for`), each with its loop. */
function loopLocalNames(stmts: A.Stmt[]): [string, { def: SourceSpan; loop: SourceSpan }][] {
  return stmts.flatMap((s): [string, { def: SourceSpan; loop: SourceSpan }][] => {
    if (s.kind === 'if') return loopLocalNames([...s.then, ...(s.else ?? [])]);
    if (s.kind !== 'for') return [];
    const own = definedNames(s.body).filter((id) => id.name !== s.variable.name);
    return own.map((id): [string, { def: SourceSpan; loop: SourceSpan }] => [id.name, { def: id.span, loop: s.span }]);
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

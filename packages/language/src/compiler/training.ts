/** `train` blocks: their entries checked and resolved against the plugin registry into TrainingSpecs. */
import {
  didYouMean,
  lossFitsOutput,
  type ArgValue,
  type DiagnosticNote,
  type GivenArg,
  type Graph,
  type PluginCall,
  type PluginKind,
  type SourceSpan,
  type TrainingSpec,
} from '@dlm/core';
import type * as A from '../ast.js';
import type { ModuleInfo } from '../bind.js';
import { describeExprKind, describeVal } from '../values.js';
import type { EvalCtx } from './base.js';
import { BodyCompiler } from './bodies.js';

const TRAIN_KEYS = ['data', 'loss', 'optimizer', 'regularize', 'metrics', 'epochs', 'seed', 'validation_split', 'clip', 'schedule', 'generator', 'discriminator'];
const MULTI_KEYS = new Set(['regularize', 'metrics']);

export abstract class TrainCompiler extends BodyCompiler {
  protected resolvePlugin(kind: PluginKind, e: A.Expr, cx: EvalCtx): PluginCall | undefined {
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

  protected compileTrain(decl: A.TrainDecl, module: ModuleInfo): TrainingSpec | undefined {
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
  protected checkLossFitsOutput(loss: PluginCall, g: Graph): void {
    const def = this.registry.get('loss', loss.name)?.def;
    const d = def ? lossFitsOutput(g, def, loss.name, loss.span) : undefined;
    if (d) this.bag.add(d);
  }

  /** Resolves a model name for a train block, compiling imported models on demand. */
  protected modelByName(name: string, span: SourceSpan, module: ModuleInfo): Graph | undefined {
    const d = module.scope.get(name);
    if (d?.kind === 'model' && d.module.damaged.has(d.decl)) return undefined;
    if (d?.kind === 'model') return this.compileModel(d.decl, d.module);
    const models = [...module.scope.entries()].filter(([, x]) => x.kind === 'model').map(([n]) => n);
    const notes: DiagnosticNote[] = d ? [{ message: `'${name}' is a ${d.kind === 'let' ? 'constant' : 'block'}`, span: d.decl.name.span }] : [];
    this.bag.report('DLM2016', [name], span, notes, didYouMean(name, models));
    return undefined;
  }
}

function kindKey(kind: PluginKind): string {
  return ({ dataset: 'data', optimizer: 'optimizer', loss: 'loss', regularizer: 'regularize', metric: 'metrics', schedule: 'schedule', layer: 'layer' } as const)[kind];
}

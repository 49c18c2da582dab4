/**
 * The plugin registry: an instance (never a process global), filled from an explicit list of
 * plugins. A name registered twice is an error naming both plugins; a malformed declaration is an
 * error naming the plugin. Registration never throws: problems come back as diagnostics.
 */
import { diag, didYouMean, type Diagnostic } from './diagnostics.js';
import {
  PLUGIN_API_VERSION,
  type ArgSpec,
  type DatasetDef,
  type DlmPlugin,
  type LayerDef,
  type LossDef,
  type MetricDef,
  type OptimizerDef,
  type PluginKind,
  type RegularizerDef,
  type ScheduleDef,
} from './plugin.js';

export interface Registered<D> {
  def: D;
  /** Name of the plugin that registered it. */
  plugin: string;
  /** Where the plugin came from (package name or path), for `dlm plugins`. */
  origin: string;
}

interface KindDefs {
  layer: LayerDef;
  dataset: DatasetDef;
  optimizer: OptimizerDef;
  schedule: ScheduleDef;
  regularizer: RegularizerDef;
  loss: LossDef;
  metric: MetricDef;
}

const KIND_FIELDS: { kind: PluginKind; field: keyof DlmPlugin; fn?: string[] }[] = [
  { kind: 'layer', field: 'layers', fn: ['expand'] },
  { kind: 'dataset', field: 'datasets', fn: ['open'] },
  { kind: 'optimizer', field: 'optimizers', fn: ['initSlots', 'update'] },
  { kind: 'schedule', field: 'schedules', fn: ['lr'] },
  { kind: 'regularizer', field: 'regularizers' },
  { kind: 'loss', field: 'losses', fn: ['compute'] },
  { kind: 'metric', field: 'metrics', fn: ['batchStats', 'finalize'] },
];

const NAME_RE = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** What clashesOf returns for a name no later plugin declared again (shared, frozen). */
const NO_CLASHES: readonly string[] = Object.freeze([]);

export class PluginRegistry {
  private readonly tables: { [K in PluginKind]: Map<string, Registered<KindDefs[K]>> } = {
    layer: new Map(),
    dataset: new Map(),
    optimizer: new Map(),
    schedule: new Map(),
    regularizer: new Map(),
    loss: new Map(),
    metric: new Map(),
  };
  private readonly pluginList: { name: string; origin: string; apiVersion: number }[] = [];
  /** Declarations that were refused (malformed), by `kind:name`, so a use can say why it is missing. */
  private readonly rejected = new Map<string, { plugin: string; reason: string }>();
  /** Later plugins that declared an already registered `kind:name`. */
  private readonly clashes = new Map<string, string[]>();
  /** Plugins that could not be registered at all (or not loaded: see `noteFailedPlugin`). */
  private readonly failed: { name: string; reason: string }[] = [];

  /**
   * Registers every declaration of `plugin`; returns the problems found (nothing is half-registered
   * per entry). Never throws: a plugin object is foreign code, so every property read (getters
   * included) is guarded and a throw becomes DLM8002 naming the plugin.
   */
  register(plugin: DlmPlugin, origin?: string): Diagnostic[] {
    let pname = '<unnamed plugin>';
    try {
      if (plugin === null || typeof plugin !== 'object') {
        return [diag('DLM8003', [pname, 'plugin', origin ?? pname, 'a plugin must be an object'])];
      }
      const name: unknown = plugin.name;
      if (typeof name === 'string' && name) pname = name;
      origin ??= pname;
      const out = this.registerChecked(plugin, pname, origin);
      if (!this.pluginList.some((p) => p.name === pname) && out.length) this.noteFailedPlugin(pname, out[0]!.message);
      return out;
    } catch (e) {
      this.noteFailedPlugin(pname, describeThrow(e));
      return [diag('DLM8002', [pname, describeThrow(e)])];
    }
  }

  /**
   * Records a plugin that never got registered (the loader could not import it, or it exported
   * no plugin), so an unknown name in a .dlm file can mention it.
   */
  noteFailedPlugin(name: string, reason: string): void {
    this.failed.push({ name, reason });
  }

  /** Plugins that failed to load or register, in order. */
  failedPlugins(): readonly { name: string; reason: string }[] {
    return this.failed;
  }

  /** Why `name` is not registered although a plugin declared it (a rejected declaration), if so. */
  rejection(kind: PluginKind, name: string): { plugin: string; reason: string } | undefined {
    return this.rejected.get(`${kind}:${name}`);
  }

  /** Other plugins that declared `name` after the one that got it (a name collision). */
  clashesOf(kind: PluginKind, name: string): readonly string[] {
    // Checked per layer call: no key string is made while no plugin clashed (the usual case).
    return this.clashes.size === 0 ? NO_CLASHES : (this.clashes.get(`${kind}:${name}`) ?? NO_CLASHES);
  }

  private registerChecked(plugin: DlmPlugin, pname: string, origin: string): Diagnostic[] {
    const out: Diagnostic[] = [];
    const apiVersion: unknown = plugin.apiVersion;
    if (apiVersion !== PLUGIN_API_VERSION) {
      const declared = typeof apiVersion === 'number' ? String(apiVersion) : `${JSON.stringify(apiVersion) ?? 'undefined'} (it must declare apiVersion: ${PLUGIN_API_VERSION})`;
      return [diag('DLM8004', [pname, declared, String(PLUGIN_API_VERSION)])];
    }
    if (this.pluginList.some((p) => p.name === pname)) {
      return [diag('DLM8001', ['plugin', pname, this.pluginList.find((p) => p.name === pname)!.origin, origin])];
    }
    // Read and check everything first, so a plugin that throws half-way registers nothing.
    const accepted: { kind: PluginKind; name: string; def: unknown }[] = [];
    for (const { kind, field, fn } of KIND_FIELDS) {
      let list: unknown;
      try {
        list = plugin[field];
      } catch (e) {
        return [diag('DLM8002', [pname, `reading its '${String(field)}' threw: ${describeThrow(e)}`])];
      }
      if (list === undefined) continue;
      if (!Array.isArray(list)) {
        out.push(diag('DLM8003', [pname, kind, String(field), 'expected an array']));
        continue;
      }
      for (const def of list as { name?: unknown }[]) {
        let problem: string | undefined;
        let dname = '?';
        try {
          dname = typeof def?.name === 'string' ? def.name : '?';
          problem = checkDecl(kind, def, fn ?? []);
        } catch (e) {
          return [diag('DLM8002', [pname, `reading its ${kind} '${dname}' threw: ${describeThrow(e)}`])];
        }
        if (problem) {
          out.push(diag('DLM8003', [pname, kind, dname, problem]));
          if (dname !== '?') this.rejected.set(`${kind}:${dname}`, { plugin: pname, reason: problem });
          continue;
        }
        accepted.push({ kind, name: dname, def });
      }
    }
    this.pluginList.push({ name: pname, origin, apiVersion: PLUGIN_API_VERSION });
    for (const { kind, name, def } of accepted) {
      const table = this.tables[kind] as Map<string, Registered<unknown>>;
      const prev = table.get(name);
      if (prev) {
        out.push(diag('DLM8001', [kind, name, prev.plugin, pname]));
        this.clashes.set(`${kind}:${name}`, [...this.clashesOf(kind, name), pname]);
        continue;
      }
      table.set(name, { def, plugin: pname, origin });
    }
    return out;
  }

  get<K extends PluginKind>(kind: K, name: string): Registered<KindDefs[K]> | undefined {
    return this.tables[kind].get(name) as Registered<KindDefs[K]> | undefined;
  }

  names(kind: PluginKind): string[] {
    return [...this.tables[kind].keys()].sort();
  }

  entries<K extends PluginKind>(kind: K): Registered<KindDefs[K]>[] {
    return [...this.tables[kind].values()] as Registered<KindDefs[K]>[];
  }

  plugins(): readonly { name: string; origin: string; apiVersion: number }[] {
    return this.pluginList;
  }

  /** The closest registered name, for "did you mean". */
  suggest(kind: PluginKind, name: string): string | undefined {
    return didYouMean(name, this.tables[kind].keys());
  }
}

const LAYER_FAMILIES = ['conv', 'dense', 'recurrent', 'normalization', 'activation', 'regularization', 'pooling', 'shape', 'merge', 'embedding', 'transformer', 'block', 'custom'];

function describeThrow(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** Whether a declared default fits one of the argument's types (as the .dlm value would have to). */
function defaultFits(v: unknown, types: readonly string[], values: readonly string[] | undefined): boolean {
  const isInt = (x: unknown) => typeof x === 'number' && Number.isInteger(x);
  return types.some((t) => {
    switch (t) {
      case 'int': return isInt(v);
      case 'float': return typeof v === 'number';
      case 'bool': return typeof v === 'boolean';
      case 'string': return typeof v === 'string';
      case 'enum': return typeof v === 'string' && (values ?? []).includes(v);
      case 'ints': return isInt(v) || (Array.isArray(v) && v.every(isInt));
      case 'floats': return typeof v === 'number' || (Array.isArray(v) && v.every((x) => typeof x === 'number'));
      case 'dims': return Array.isArray(v) && v.every((x) => isInt(x) || typeof x === 'string');
      case 'call': return typeof v === 'string' || (v !== null && typeof v === 'object' && !Array.isArray(v));
      default: return false;
    }
  });
}

/** Validates the shape of one declaration; returns a problem description or undefined. */
function checkDecl(kind: PluginKind, def: unknown, fns: string[]): string | undefined {
  if (def === null || typeof def !== 'object') return 'a declaration must be an object';
  const d = def as Record<string, unknown>;
  if (typeof d['name'] !== 'string' || !NAME_RE.test(d['name'])) {
    return `its name must be an identifier (letters, digits, _), got ${JSON.stringify(d['name'])}`;
  }
  for (const f of fns) {
    if (typeof d[f] !== 'function') return `'${f}' must be a function`;
  }
  if (typeof d['doc'] !== 'string') return "'doc' must be a string (shown by dlm plugins and in hovers)";
  if (kind === 'layer') {
    if (!LAYER_FAMILIES.includes(d['family'] as string)) return `'family' must be one of ${LAYER_FAMILIES.join(', ')}, got ${JSON.stringify(d['family'])}`;
    for (const f of ['shape', 'label']) {
      if (d[f] !== undefined && typeof d[f] !== 'function') return `'${f}' must be a function when given`;
    }
    const io = d['inputs'] as { min?: unknown; max?: unknown } | undefined;
    if (io !== undefined && (typeof io?.min !== 'number' || typeof io?.max !== 'number' || io.min < 0 || io.max < io.min)) {
      return "'inputs' must be { min, max } with 0 ≤ min ≤ max";
    }
  }
  if (!Array.isArray(d['args'])) return "'args' must be an array of argument specs";
  const seen = new Set<string>();
  for (const a of d['args'] as ArgSpec[]) {
    if (!a || typeof a.name !== 'string' || !NAME_RE.test(a.name)) return `argument names must be identifiers, got ${JSON.stringify(a?.name)}`;
    if (seen.has(a.name)) return `argument '${a.name}' is declared twice`;
    seen.add(a.name);
    const types = Array.isArray(a.type) ? a.type : [a.type];
    for (const t of types) {
      if (!['int', 'float', 'bool', 'string', 'enum', 'ints', 'floats', 'dims', 'call'].includes(t as string)) {
        return `argument '${a.name}' has unknown type ${JSON.stringify(t)}`;
      }
    }
    if (types.includes('enum') && (!Array.isArray(a.values) || a.values.length === 0)) {
      return `enum argument '${a.name}' must list its 'values'`;
    }
    for (const k of ['min', 'max'] as const) {
      if (a[k] !== undefined && typeof a[k] !== 'number') return `argument '${a.name}': '${k}' must be a number, got ${JSON.stringify(a[k])}`;
    }
    if (a.default !== undefined && !defaultFits(a.default, types, a.values)) {
      return `argument '${a.name}' has default ${JSON.stringify(a.default)}, which is not ${types.join(' or ')}${types.includes('enum') ? ` (values: ${(a.values ?? []).join(', ')})` : ''}`;
    }
  }
  const argOfType = (role: string, name: unknown, types: string[]): string | undefined => {
    const a = typeof name === 'string' ? (d['args'] as ArgSpec[]).find((x) => x.name === name) : undefined;
    if (!a) return `${role} must name one of its arguments, got ${JSON.stringify(name)}`;
    const ts = Array.isArray(a.type) ? a.type : [a.type];
    return ts.some((t) => types.includes(t)) ? undefined : `${role} names argument '${a.name}', which is not ${types.join(' or ')}`;
  };
  if (kind === 'optimizer') {
    const p = argOfType("'learningRate'", d['learningRate'], ['float']);
    if (p) return p;
  }
  if (d['kind'] === 'early_stopping') {
    const roles = d['earlyStopping'] as Record<string, unknown> | undefined;
    if (!roles || typeof roles !== 'object') return "'earlyStopping' must name its { monitor, patience, minDelta } arguments";
    const p = argOfType("'earlyStopping.monitor'", roles['monitor'], ['string', 'enum']) ?? argOfType("'earlyStopping.patience'", roles['patience'], ['int']) ?? argOfType("'earlyStopping.minDelta'", roles['minDelta'], ['float', 'int']);
    if (p) return p;
  }
  if (d['kind'] !== undefined && fns.length === 0) {
    const kind = d['kind'];
    if (kind === 'penalty' && typeof d['penalty'] !== 'function') return "'penalty' must be a function";
    if (kind === 'penalty' && d['gradient'] !== undefined && typeof d['gradient'] !== 'function') return "'gradient' must be a function when given";
    if (kind === 'augmentation' && typeof d['augment'] !== 'function') return "'augment' must be a function";
    if (kind === 'augmentation' && d['torch'] !== undefined && (typeof d['torch'] !== 'string' || !/^def augment\(/m.test(d['torch']))) return "'torch' must be Python source that defines augment(x, args, draw)";
    if (!['penalty', 'augmentation', 'early_stopping'].includes(kind as string)) return `unknown regularizer kind ${JSON.stringify(kind)}`;
  }
  return undefined;
}

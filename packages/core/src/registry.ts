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

  /** Registers every declaration of `plugin`; returns the problems found (nothing is half-registered per entry). */
  register(plugin: DlmPlugin, origin = plugin?.name ?? '<unknown>'): Diagnostic[] {
    const out: Diagnostic[] = [];
    const pname = typeof plugin?.name === 'string' && plugin.name ? plugin.name : '<unnamed plugin>';
    if (plugin === null || typeof plugin !== 'object') {
      return [diag('DLM8003', [pname, 'plugin', origin, 'a plugin must be an object'])];
    }
    if (plugin.apiVersion !== PLUGIN_API_VERSION) {
      return [diag('DLM8004', [pname, String(plugin.apiVersion), String(PLUGIN_API_VERSION)])];
    }
    if (this.pluginList.some((p) => p.name === pname)) {
      return [diag('DLM8001', ['plugin', pname, this.pluginList.find((p) => p.name === pname)!.origin, origin])];
    }
    this.pluginList.push({ name: pname, origin, apiVersion: plugin.apiVersion });
    for (const { kind, field, fn } of KIND_FIELDS) {
      const list = plugin[field];
      if (list === undefined) continue;
      if (!Array.isArray(list)) {
        out.push(diag('DLM8003', [pname, kind, String(field), 'expected an array']));
        continue;
      }
      for (const def of list as { name?: unknown }[]) {
        const problem = checkDecl(def, fn ?? []);
        const dname = typeof def?.name === 'string' ? def.name : '?';
        if (problem) {
          out.push(diag('DLM8003', [pname, kind, dname, problem]));
          continue;
        }
        const table = this.tables[kind] as Map<string, Registered<unknown>>;
        const prev = table.get(dname);
        if (prev) {
          out.push(diag('DLM8001', [kind, dname, prev.plugin, pname]));
          continue;
        }
        table.set(dname, { def, plugin: pname, origin });
      }
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

/** Validates the shape of one declaration; returns a problem description or undefined. */
function checkDecl(def: unknown, fns: string[]): string | undefined {
  if (def === null || typeof def !== 'object') return 'a declaration must be an object';
  const d = def as Record<string, unknown>;
  if (typeof d['name'] !== 'string' || !NAME_RE.test(d['name'])) {
    return `its name must be an identifier (letters, digits, _), got ${JSON.stringify(d['name'])}`;
  }
  for (const f of fns) {
    if (typeof d[f] !== 'function') return `'${f}' must be a function`;
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
  }
  if (d['kind'] !== undefined && fns.length === 0) {
    const kind = d['kind'];
    if (kind === 'penalty' && typeof d['penalty'] !== 'function') return "'penalty' must be a function";
    if (kind === 'augmentation' && typeof d['augment'] !== 'function') return "'augment' must be a function";
    if (!['penalty', 'augmentation', 'early_stopping'].includes(kind as string)) return `unknown regularizer kind ${JSON.stringify(kind)}`;
  }
  return undefined;
}

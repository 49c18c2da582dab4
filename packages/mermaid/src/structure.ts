/**
 * From an IR graph to the structure of its diagram: which boxes exist (layers, collapsed or folded
 * blocks, inputs, outputs), how they nest (blocks as subgraphs), and which tensors flow between
 * them. Text emission (flowchart.ts) only prints this structure.
 *
 * The unit of drawing is the `LayerRecord`, not the op: a layer's ops (and the sub-layers a plugin
 * expands through `layerCall`) stay inside its box. Edges are found at the level of individual
 * layers first ("leaf edges"), then mapped onto whatever box each layer ends up in after depth
 * collapsing and folding, so skip connections and branches survive every view.
 */
import { paramCountsByPath, type Graph, type LayerRecord, type Node, type TensorType } from '@dlm/core';
import { blockTitle, formatCount, formatTensor, isAutoName, isLoop, isRepeat, shorten, stableJson } from './labels.js';
import { classOfOp, type DiagramClass } from './styles.js';

export interface StructureOptions {
  /** Blocks nested deeper than this are drawn as one box (1 = only top-level items). */
  depth: number;
  fold: boolean;
  showParams: boolean;
  classOf?: (kind: string) => string | undefined;
}

/** A box in the diagram. `key` is unique within its model and stable across runs. */
export interface DNode {
  key: string;
  /** Human-readable base for the Mermaid id. */
  idBase: string;
  shape: 'layer' | 'block' | 'input' | 'output';
  /** Unescaped label lines. */
  lines: string[];
  cls: string;
}

export interface DSubgraph {
  key: string;
  idBase: string;
  title: string;
  children: DItem[];
}

export type DItem = { kind: 'node'; node: DNode } | { kind: 'subgraph'; sub: DSubgraph };

export interface DEdge {
  from: string;
  to: string;
  /** Unescaped edge label (the tensor type), or '' when unknown. */
  label: string;
}

export interface ModelDiagram {
  name: string;
  items: DItem[];
  edges: DEdge[];
}

// ───────────────────────────── the tree of blocks and units ─────────────────────────────

interface Block {
  type: 'block';
  key: string;
  record: LayerRecord;
  parent: Block | null;
  children: Item[];
  /** Leaf edges entering / leaving this block (one end inside, the other outside). */
  inEdges: LeafEdge[];
  outEdges: LeafEdge[];
}

interface Unit {
  type: 'unit';
  key: string;
  record?: LayerRecord;
  /** A core op that no layer owns (written directly in a block), drawn as its own box. */
  op?: Node;
  parent: Block | null;
}

type Item = Block | Unit;

interface LeafEdge {
  /** Unit key, or `in:<name>` for a graph input. */
  from: string;
  /** Unit key, or `out:<name>` for a graph output. */
  to: string;
  value: string;
}

const SEP = '\u0000';
/** Layer keys start with SEP, so they never equal `in:…`, `out:…` or op keys. */
const pathKey = (p: readonly string[]) => SEP + p.join(SEP);

/** Builds the drawable structure of one model. */
export function buildModelDiagram(g: Graph, o: StructureOptions): ModelDiagram {
  // One string key per record and per distinct scope; ancestors are found through parent keys
  // (records are created parent first), so the cost stays linear in the number of layers.
  const records = new Map<string, LayerRecord>();
  const keyOf = new Map<LayerRecord, string>();
  for (const r of g.layers) {
    const k = pathKey(r.path);
    records.set(k, r);
    keyOf.set(r, k);
  }
  /** Nearest existing record strictly above `path` (normally its parent). */
  const parentKeyCache = new Map<string, string | null>();
  const parentRecordKey = (path: readonly string[], key: string): string | null => {
    let pk = parentKeyCache.get(key);
    if (pk !== undefined) return pk;
    pk = null;
    for (let i = path.length - 1; i >= 1; i--) {
      const k = pathKey(path.slice(0, i));
      if (records.has(k)) {
        pk = k;
        break;
      }
    }
    parentKeyCache.set(key, pk);
    return pk;
  };

  // Parameter counts per layer, nested layers and buffers included: the count summary and hover show.
  const paramsUnder = new Map<string, number>();
  const countsOf = paramCountsByPath(g);
  for (const r of g.layers) paramsUnder.set(keyOf.get(r)!, countsOf(r.path).total);

  // Visible items: every record that is not nested inside a (non-block) layer. A layer's own
  // sub-layers are an implementation detail and stay inside its box (`owner` maps them to it).
  const root: Item[] = [];
  const blocks = new Map<string, Block>();
  const units = new Map<string, Unit>();
  const unitOrder: Unit[] = [];
  const owner = new Map<string, string>(); // hidden record key → the visible layer that owns it
  for (const r of g.layers) {
    const key = keyOf.get(r)!;
    const pk = parentRecordKey(r.path, key);
    const parentRec = pk === null ? undefined : records.get(pk)!;
    if (pk !== null && (!parentRec!.isBlock || owner.has(pk))) {
      owner.set(key, owner.get(pk) ?? pk);
      continue;
    }
    const parent = pk === null ? null : (blocks.get(pk) ?? null);
    const item: Item = r.isBlock
      ? { type: 'block', key, record: r, parent, children: [], inEdges: [], outEdges: [] }
      : { type: 'unit', key, record: r, parent };
    if (item.type === 'block') blocks.set(key, item);
    else {
      units.set(key, item);
      unitOrder.push(item);
    }
    (parent ? parent.children : root).push(item);
  }

  // Which visible unit owns a node (by its scope), or the block it sits in directly.
  const scopeCache = new Map<string, { unit: string | null; block: Block | null }>();
  const placeScope = (scope: readonly string[]): { unit: string | null; block: Block | null } => {
    const sk = pathKey(scope);
    let u = scopeCache.get(sk);
    if (u !== undefined) return u;
    let k: string | null = records.has(sk) ? sk : parentRecordKey(scope, sk);
    if (k !== null && owner.has(k)) k = owner.get(k)!;
    if (k === null) u = { unit: null, block: null };
    else if (units.has(k)) u = { unit: k, block: null };
    else u = { unit: null, block: blocks.get(k) ?? null };
    scopeCache.set(sk, u);
    return u;
  };

  // Producers known from the ops: value → owning unit, or an alias for a pass-through Identity
  // that no layer owns (the compiler routes declared outputs through one).
  const params = new Set(g.params.map((p) => p.name));
  const graphInputs = new Set(g.inputs.map((v) => v.name));
  const nodeProducer = new Map<string, { unit: string } | { alias: string }>();
  const orphanUnits: Unit[] = [];
  for (const n of g.nodes) {
    const place = placeScope(n.scope);
    let u = place.unit;
    if (u === null) {
      if (n.op === 'Identity' && n.inputs[0]) {
        for (const out of n.outputs) nodeProducer.set(out, { alias: n.inputs[0] });
        continue;
      }
      const key = `op${SEP}${n.id}`;
      const parent = place.block;
      const unit: Unit = { type: 'unit', key, op: n, parent };
      units.set(key, unit);
      orphanUnits.push(unit);
      (parent ? parent.children : root).push(unit);
      u = key;
    }
    for (const out of n.outputs) nodeProducer.set(out, { unit: u });
  }

  // Leaf edges. Layers are recorded in creation order, which is a topological order, so a
  // consumer resolves each input against the producers registered so far: a layer that passes
  // a value through unchanged (its output name equals its input name) is then the producer seen
  // by later consumers only.
  const layerProducer = new Map<string, string>();
  const resolve = (v: string): string | undefined => {
    for (let hops = 0; hops < 64; hops++) {
      const lp = layerProducer.get(v);
      if (lp !== undefined) return lp;
      const np = nodeProducer.get(v);
      if (np && 'unit' in np) return np.unit;
      if (np && 'alias' in np) {
        v = np.alias;
        continue;
      }
      return graphInputs.has(v) ? `in:${v}` : undefined;
    }
    return undefined;
  };
  const leafEdges: LeafEdge[] = [];
  for (const u of unitOrder) {
    const r = u.record!;
    for (const v of r.inputs) {
      const from = resolve(v);
      if (from !== undefined && from !== u.key) leafEdges.push({ from, to: u.key, value: v });
    }
    for (const v of r.outputs) layerProducer.set(v, u.key);
  }
  for (const u of orphanUnits) {
    for (const v of u.op!.inputs) {
      if (!v || params.has(v)) continue;
      const from = resolve(v);
      if (from !== undefined && from !== u.key) leafEdges.push({ from, to: u.key, value: v });
    }
  }
  for (const out of g.outputs) {
    const from = resolve(out.name);
    if (from !== undefined) leafEdges.push({ from, to: `out:${out.name}`, value: out.name });
  }

  // Which blocks contain each unit (innermost first), for boundary crossings.
  const ancestors = (key: string): Block[] => {
    const u = units.get(key);
    const out: Block[] = [];
    for (let b = u?.parent ?? null; b; b = b.parent) out.push(b);
    return out;
  };
  const ancCache = new Map<string, Set<Block>>();
  const ancSet = (key: string): Set<Block> => {
    let s = ancCache.get(key);
    if (!s) ancCache.set(key, (s = new Set(ancestors(key))));
    return s;
  };
  for (const e of leafEdges) {
    const fa = ancSet(e.from);
    const ta = ancSet(e.to);
    for (const b of ta) if (!fa.has(b)) b.inEdges.push(e);
    for (const b of fa) if (!ta.has(b)) b.outEdges.push(e);
  }

  // Depth collapsing and folding decide which box each item is drawn in.
  /**
   * Two blocks fold together when they are the same block with the same arguments and the same
   * contents. The compiler's `repeat` and `for` scopes differ only in their loop variable, so for
   * them the contents decide (a body that uses the variable differs from one iteration to the next).
   */
  const sigCache = new Map<Item, string>();
  const signature = (it: Item): string => {
    let sig = sigCache.get(it);
    if (sig !== undefined) return sig;
    if (it.type === 'unit') sig = it.op ? `op${SEP}${it.op.op}${SEP}${stableJson(it.op.attrs)}` : `${it.record!.kind}${SEP}${stableJson(it.record!.args)}`;
    else {
      const args = isLoop(it.record) ? '' : stableJson(it.record.args);
      sig = `${it.record.kind}${SEP}${args}[${it.children.map(signature).join(',')}]`;
    }
    sigCache.set(it, sig);
    return sig;
  };
  /** B follows A directly: everything entering B comes from A, everything leaving A goes to B. */
  const chained = (a: Block, b: Block) =>
    b.inEdges.length > 0 &&
    a.outEdges.length > 0 &&
    b.inEdges.every((e) => ancSet(e.from).has(a)) &&
    a.outEdges.every((e) => ancSet(e.to).has(b));

  const display = new Map<string, string>(); // unit key → box key
  const types = new Map<string, TensorType>();
  for (const v of g.outputs) types.set(v.name, v.type);
  for (const v of g.inputs) types.set(v.name, v.type);
  for (const v of g.values) types.set(v.name, v.type);

  const paramLine = (n: number): string[] => (o.showParams && n > 0 ? [`${formatCount(n)} params`] : []);
  const userName = (r: LayerRecord): string => {
    const id = r.path[r.path.length - 1] ?? '';
    return isAutoName(id, r.kind) ? '' : id;
  };
  const unitNode = (u: Unit): DNode => {
    if (u.op) {
      return { key: u.key, idBase: u.op.id, shape: 'layer', lines: [u.op.op], cls: classOfOp(u.op.op) };
    }
    const r = u.record!;
    const name = userName(r);
    const custom = o.classOf?.(r.kind);
    return {
      key: u.key,
      idBase: r.path.join('_'),
      shape: 'layer',
      lines: [name ? `${name}: ${r.label}` : r.label, ...paramLine(paramsUnder.get(u.key) ?? 0)],
      cls: custom || (r.family as DiagramClass),
    };
  };
  const itemTitle = (it: Item): string => (it.type === 'block' ? blockTitle(it.record) : it.op ? it.op.op : it.record!.label);
  const assignAll = (item: Item, box: string) => {
    if (item.type === 'unit') display.set(item.key, box);
    else for (const c of item.children) assignAll(c, box);
  };

  /** Position of a `repeat` scope among the scopes of the same `repeat` expression: "2/3". */
  const repeatPosition = (b: Block, siblings: readonly Item[]): string => {
    const idx = b.record.args['index'];
    const same = siblings.filter((s) => s.type === 'block' && isRepeat(s.record) && s.record.span?.start === b.record.span?.start);
    return typeof idx === 'number' && b.record.span ? `${idx + 1}/${same.length}` : String(idx ?? '');
  };

  /**
   * Items of one container, at nesting `level` (1 = top level). A block at level ≥ depth is drawn
   * as one box. A `repeat` or `for` scope holding a single block is not a level of its own: the block is
   * drawn in its place (the scope exists for the compiler, the user wrote `repeat n { Block }`).
   */
  const emitChildren = (children: readonly Item[], level: number): DItem[] => {
    const out: DItem[] = [];
    for (let i = 0; i < children.length; i++) {
      const item = children[i]!;
      if (item.type === 'unit') {
        display.set(item.key, item.key);
        out.push({ kind: 'node', node: unitNode(item) });
        continue;
      }
      // A run of identical blocks, each feeding only the next, becomes one box marked ×k.
      const run: Block[] = [item];
      if (o.fold) {
        for (let j = i + 1; j < children.length; j++) {
          const next = children[j]!;
          const last = run[run.length - 1]!;
          if (next.type !== 'block' || signature(next) !== signature(last) || !chained(last, next)) break;
          run.push(next);
        }
      }
      const r = item.record;
      if (run.length > 1) {
        // `repeat 3 { Residual(64) }` reads best as "Residual(channels: 64) ×3", and so does a `for`.
        const what = isLoop(r) ? shorten(item.children.map(itemTitle).join(' → ') || 'repeat') : blockTitle(r);
        const key = `${item.key}${SEP}fold`;
        const total = run.reduce((s, b) => s + (paramsUnder.get(b.key) ?? 0), 0);
        for (const b of run) assignAll(b, key);
        out.push({
          kind: 'node',
          node: { key, idBase: `${r.path.join('_')}_fold`, shape: 'block', lines: [`${what} ×${run.length}`, ...paramLine(total)], cls: 'block' },
        });
        i += run.length - 1;
        continue;
      }
      if (isLoop(r) && item.children.length === 1 && item.children[0]!.type === 'block') {
        out.push(...emitChildren(item.children, level));
        continue;
      }
      const name = userName(r);
      const base = isRepeat(r) ? `repeat ${repeatPosition(item, children)}` : blockTitle(r);
      const title = name ? `${name}: ${base}` : base;
      if (level >= o.depth) {
        assignAll(item, item.key);
        const lines = isRepeat(r) ? [`${title}: ${shorten(item.children.map(itemTitle).join(' → '))}`] : [title];
        out.push({
          kind: 'node',
          node: { key: item.key, idBase: r.path.join('_'), shape: 'block', lines: [...lines, ...paramLine(paramsUnder.get(item.key) ?? 0)], cls: 'block' },
        });
      } else {
        out.push({ kind: 'subgraph', sub: { key: item.key, idBase: r.path.join('_'), title, children: emitChildren(item.children, level + 1) } });
      }
    }
    return out;
  };

  const items: DItem[] = [];
  for (const v of g.inputs) {
    items.push({ kind: 'node', node: { key: `in:${v.name}`, idBase: `in_${v.name}`, shape: 'input', lines: [v.name, formatTensor(v.type, true)], cls: 'io' } });
  }
  items.push(...emitChildren(root, 1));
  for (const v of g.outputs) {
    items.push({ kind: 'node', node: { key: `out:${v.name}`, idBase: `out_${v.name}`, shape: 'output', lines: [v.name, formatTensor(types.get(v.name) ?? v.type, true)], cls: 'io' } });
  }

  const edges: DEdge[] = [];
  const seen = new Set<string>();
  const boxOf = (k: string) => (k.startsWith('in:') || k.startsWith('out:') ? k : display.get(k));
  for (const e of leafEdges) {
    const from = boxOf(e.from);
    const to = boxOf(e.to);
    if (from === undefined || to === undefined || from === to) continue;
    const dk = `${from}${SEP}${to}${SEP}${e.value}`;
    if (seen.has(dk)) continue;
    seen.add(dk);
    const t = types.get(e.value);
    edges.push({ from, to, label: t ? formatTensor(t) : '' });
  }
  return { name: g.name, items, edges };
}

/**
 * An op node's attributes as the IR keeps them: the ones given, and the schema's defaults for the
 * others. Unknown or missing required attributes are internal bugs of the layer that emitted the op.
 */
import type { AttrValue } from './ir.js';
import type { OpSchema } from './op-schema.js';

/** The attributes of every node of an op that has none (see resolveAttrs). */
export const NO_ATTRS: Record<string, AttrValue> = Object.freeze({}) as Record<string, AttrValue>;

/**
 * What resolveAttrs and requiredOutputs need of a schema, worked out once per schema and found
 * with one lookup per node (three weak-map lookups per node before).
 */
interface SchemaFacts {
  /** The attribute specs as a list (resolveAttrs runs per node). */
  entries: [string, OpSchema['attrs'][string]][];
  /** How many outputs the op has when no count is asked for: its required ones. */
  requiredOutputs: number;
  /** The resolved attributes of the last node of the op, to share with the next when equal. */
  lastAttrs: Record<string, AttrValue> | undefined;
}

const FACTS = new WeakMap<OpSchema, SchemaFacts>();

function factsOf(schema: OpSchema): SchemaFacts {
  let f = FACTS.get(schema);
  if (f === undefined) {
    f = { entries: Object.entries(schema.attrs), requiredOutputs: schema.outputs.filter((o) => !o.optional).length, lastAttrs: undefined };
    FACTS.set(schema, f);
  }
  return f;
}

export function requiredOutputs(schema: OpSchema): number {
  return factsOf(schema).requiredOutputs;
}

/** Fills attribute defaults; unknown attributes or missing required ones are internal bugs of a layer. */
export function resolveAttrs(schema: OpSchema, attrs: Record<string, AttrValue>): Record<string, AttrValue> {
  for (const key in attrs) {
    if (Object.hasOwn(attrs, key) && !(key in schema.attrs)) throw new Error(`op ${schema.name} has no attribute '${key}'`);
  }
  const facts = factsOf(schema);
  const entries = facts.entries;
  // An op without attributes (Relu, Add…) gets the one shared, frozen empty object: the IR is never
  // mutated, and an empty object per node was ~30 bytes kept each.
  if (entries.length === 0) return NO_ATTRS;
  // The same attributes as the last node of this op (every Gemm of a dense stack): share that
  // node's object, frozen, instead of keeping one more per node.
  const last = facts.lastAttrs;
  if (last !== undefined && sameAttrs(entries, attrs, last)) {
    if (!Object.isFrozen(last)) Object.freeze(last);
    return last;
  }
  const out: Record<string, AttrValue> = {};
  for (const [key, spec] of entries) {
    const v = attrs[key];
    if (v !== undefined) out[key] = v;
    else if (spec.default !== undefined) out[key] = spec.default;
    else throw new Error(`op ${schema.name} requires attribute '${key}'`);
  }
  facts.lastAttrs = out;
  return out;
}

/** Whether `given` resolves to `last` (same values; arrays element by element). */
function sameAttrs(entries: readonly [string, OpSchema['attrs'][string]][], given: Record<string, AttrValue>, last: Record<string, AttrValue>): boolean {
  for (const [key, spec] of entries) {
    const v = given[key] !== undefined ? given[key] : spec.default;
    const w = last[key];
    if (v === w) continue;
    if (!Array.isArray(v) || !Array.isArray(w) || v.length !== w.length) return false;
    for (let i = 0; i < v.length; i++) if (v[i] !== w[i]) return false;
  }
  return true;
}

/**
 * An op node's attributes as the IR keeps them: the ones given, and the schema's defaults for the
 * others. Unknown or missing required attributes are internal bugs of the layer that emitted the op.
 */
import type { AttrValue } from './ir.js';
import type { OpSchema } from './op-schema.js';

/** The attribute specs of each op schema as a list, made once per schema (resolveAttrs runs per node). */
const ATTR_ENTRIES = new WeakMap<OpSchema, [string, OpSchema['attrs'][string]][]>();
/** How many outputs each op has when no count is asked for: its required ones. */
const REQUIRED_OUTPUTS = new WeakMap<OpSchema, number>();

/** The attributes of every node of an op that has none (see resolveAttrs). */
export const NO_ATTRS: Record<string, AttrValue> = Object.freeze({}) as Record<string, AttrValue>;

export function requiredOutputs(schema: OpSchema): number {
  let n = REQUIRED_OUTPUTS.get(schema);
  if (n === undefined) REQUIRED_OUTPUTS.set(schema, (n = schema.outputs.filter((o) => !o.optional).length));
  return n;
}

/** Fills attribute defaults; unknown attributes or missing required ones are internal bugs of a layer. */
export function resolveAttrs(schema: OpSchema, attrs: Record<string, AttrValue>): Record<string, AttrValue> {
  for (const key in attrs) {
    if (Object.hasOwn(attrs, key) && !(key in schema.attrs)) throw new Error(`op ${schema.name} has no attribute '${key}'`);
  }
  let entries = ATTR_ENTRIES.get(schema);
  if (!entries) ATTR_ENTRIES.set(schema, (entries = Object.entries(schema.attrs)));
  // An op without attributes (Relu, Add…) gets the one shared, frozen empty object: the IR is never
  // mutated, and an empty object per node was ~30 bytes kept each.
  if (entries.length === 0) return NO_ATTRS;
  // The same attributes as the last node of this op (every Gemm of a dense stack): share that
  // node's object, frozen, instead of keeping one more per node.
  const last = LAST_ATTRS.get(schema);
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
  LAST_ATTRS.set(schema, out);
  return out;
}

/** The resolved attributes of the last node of each op, to share with the next when equal. */
const LAST_ATTRS = new WeakMap<OpSchema, Record<string, AttrValue>>();

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

/**
 * Validation of call arguments against an `ArgSpec[]` schema: used for layer calls, and for every
 * plugin call in a train block (datasets, losses, optimizers, …). Unknown names get a
 * "did you mean"; wrong types name the expected and the given type.
 */
import { DiagnosticBag, didYouMean } from './diagnostics.js';
import type { ArgValue, PluginCall, SourceSpan } from './ir.js';
import type { ArgSpec, ArgType, Args } from './plugin.js';

export interface GivenArg {
  /** Undefined for positional arguments. */
  name?: string;
  value: ArgValue;
  span?: SourceSpan;
  nameSpan?: SourceSpan;
}

export function describeValue(v: ArgValue): string {
  if (v === null) return 'nothing';
  if (typeof v === 'number') return Number.isInteger(v) ? `the integer ${v}` : `the number ${v}`;
  if (typeof v === 'boolean') return `the boolean ${v}`;
  if (typeof v === 'string') return `'${v}'`;
  if (Array.isArray(v)) return `a list of ${v.length}`;
  return `the call ${v.name}(…)`;
}

function describeType(spec: ArgSpec): string {
  const types = Array.isArray(spec.type) ? spec.type : [spec.type as ArgType];
  return types
    .map((t) => {
      switch (t) {
        case 'int': return 'an integer';
        case 'float': return 'a number';
        case 'bool': return 'true or false';
        case 'string': return 'a string';
        case 'enum': return `one of ${(spec.values ?? []).join(', ')}`;
        case 'ints': return 'an integer or a list of integers';
        case 'floats': return 'a number or a list of numbers';
        case 'dims': return 'a list of dimensions';
        case 'call': return 'a call such as name(…)';
      }
    })
    .join(' or ');
}

/** Converts `v` to type `t`, or returns undefined when it does not fit. */
function coerce(v: ArgValue, t: ArgType, spec: ArgSpec): ArgValue | undefined {
  switch (t) {
    case 'int':
      return typeof v === 'number' && Number.isInteger(v) ? v : undefined;
    case 'float':
      return typeof v === 'number' ? v : undefined;
    case 'bool':
      return typeof v === 'boolean' ? v : undefined;
    case 'string':
      return typeof v === 'string' ? v : undefined;
    case 'enum':
      return typeof v === 'string' && (spec.values ?? []).includes(v) ? v : undefined;
    case 'ints':
      if (typeof v === 'number' && Number.isInteger(v)) return [v];
      return Array.isArray(v) && v.every((x) => typeof x === 'number' && Number.isInteger(x)) ? v : undefined;
    case 'floats':
      if (typeof v === 'number') return [v];
      return Array.isArray(v) && v.every((x) => typeof x === 'number') ? v : undefined;
    case 'dims':
      return Array.isArray(v) && v.every((x) => (typeof x === 'number' && Number.isInteger(x)) || typeof x === 'string') ? v : undefined;
    case 'call':
      if (typeof v === 'string') return { name: v, args: {} } satisfies PluginCall;
      return v !== null && typeof v === 'object' && !Array.isArray(v) ? v : undefined;
  }
}

function checkRange(v: ArgValue, spec: ArgSpec): string | undefined {
  const nums = typeof v === 'number' ? [v] : Array.isArray(v) ? v.filter((x): x is number => typeof x === 'number') : [];
  for (const n of nums) {
    if (spec.min !== undefined && n < spec.min) return `at least ${spec.min}`;
    if (spec.max !== undefined && n > spec.max) return `at most ${spec.max}`;
  }
  return undefined;
}

/**
 * Matches given arguments to the schema. Returns the validated args (defaults filled in), or
 * undefined when any argument was wrong; every problem goes to `bag`.
 */
const NO_ARGS: Args = Object.freeze({}) as Args;

/** The positional specs of each argument schema, filtered once per schema (a plugin's, fixed). */
const POSITIONAL = new WeakMap<readonly ArgSpec[], ArgSpec[]>();
function positionalOf(schema: readonly ArgSpec[]): ArgSpec[] {
  let p = POSITIONAL.get(schema);
  if (p === undefined) POSITIONAL.set(schema, (p = schema.filter((s) => s.positional !== false)));
  return p;
}

export function validateArgs(
  owner: string,
  schema: readonly ArgSpec[],
  given: readonly GivenArg[],
  bag: DiagnosticBag,
  callSpan?: SourceSpan,
): Args | undefined {
  // A layer without arguments (relu) called without any: the one shared, frozen empty object (the
  // IR keeps it as the layer record's args, and is never mutated).
  if (schema.length === 0 && given.length === 0) return NO_ARGS;
  const out: Args = {};
  // Names given so far: an array, not a Set (a call names one or two; this runs for every layer).
  const assigned: string[] = [];
  let ok = true;
  const positional = positionalOf(schema);
  let posIndex = 0;
  for (const g of given) {
    let spec: ArgSpec | undefined;
    if (g.name === undefined) {
      spec = positional[posIndex++];
      if (!spec) {
        bag.report('DLM4005', [owner, positional.length], g.span ?? callSpan);
        ok = false;
        continue;
      }
    } else {
      spec = schema.find((s) => s.name === g.name);
      if (!spec) {
        // Without a near name to suggest, the names it does take (`transpose(perm: …)`: axes?).
        const near = didYouMean(g.name, schema.map((s) => s.name));
        const takes = schema.length ? `'${owner}' takes ${schema.map((s) => s.name).join(', ')}` : `'${owner}' takes no arguments`;
        bag.report('DLM4003', [g.name, owner], g.nameSpan ?? g.span ?? callSpan, near ? [] : [{ message: takes }], near);
        ok = false;
        continue;
      }
    }
    if (assigned.includes(spec.name)) {
      bag.report('DLM4006', [spec.name, owner], g.nameSpan ?? g.span ?? callSpan);
      ok = false;
      continue;
    }
    assigned.push(spec.name);
    const types = Array.isArray(spec.type) ? spec.type : [spec.type as ArgType];
    let value: ArgValue | undefined;
    for (const t of types) {
      value = coerce(g.value, t, spec);
      if (value !== undefined) break;
    }
    if (value === undefined) {
      const isEnumTypo = types.includes('enum') && typeof g.value === 'string';
      bag.report(
        'DLM4002',
        [spec.name, owner, describeType(spec), describeValue(g.value)],
        g.span ?? callSpan,
        [],
        isEnumTypo ? didYouMean(g.value as string, spec.values ?? []) : undefined,
      );
      ok = false;
      continue;
    }
    const range = checkRange(value, spec);
    if (range) {
      bag.report('DLM4007', [spec.name, owner, range, describeValue(g.value)], g.span ?? callSpan);
      ok = false;
      continue;
    }
    out[spec.name] = value;
  }
  for (const spec of schema) {
    if (assigned.includes(spec.name)) continue;
    if (spec.default !== undefined) out[spec.name] = spec.default;
    else if (!spec.optional) {
      bag.report('DLM4004', [spec.name, owner], callSpan);
      ok = false;
    }
  }
  return ok ? sharedArgs(schema, out) : undefined;
}

/** The last valid arguments of each schema and their keys, to share with the next call when equal. */
const LAST_ARGS = new WeakMap<readonly ArgSpec[], { args: Args; keys: string[] }>();

/**
 * `out`, or the previous call's arguments of the same schema when they are the same plain values
 * under the same keys in the same order (every `dense(16)` of a stack): layer records keep their
 * args, and one frozen object for all of them instead of one each is ~30 bytes less kept per
 * layer. Arguments holding objects (plugin calls, lists) are not compared and not shared.
 */
function sharedArgs(schema: readonly ArgSpec[], out: Args): Args {
  const last = LAST_ARGS.get(schema);
  if (last !== undefined) {
    const keys = last.keys;
    let i = 0;
    for (const k in out) {
      const v = out[k];
      if (keys[i] !== k || (v !== null && typeof v === 'object') || last.args[k] !== v) {
        i = -1;
        break;
      }
      i++;
    }
    if (i === keys.length) {
      if (!Object.isFrozen(last.args)) Object.freeze(last.args);
      return last.args;
    }
  }
  LAST_ARGS.set(schema, { args: out, keys: Object.keys(out) });
  return out;
}

/**
 * Sharing equal IR objects between the parts of a graph that would each keep their own: the
 * GraphBuilder's parameter types and initializers, and node output types equal to an input's.
 * A 100,000-layer check keeps one object for what every layer of a stack would otherwise repeat
 * (~140 bytes per layer). The IR is plain data that nothing mutates (ir.ts); what is shared is
 * frozen, so that a mutation fails loudly instead of changing every sharer. (Argument objects and
 * op attributes are shared the same way, per schema, in args.ts and op-attrs.ts.)
 */
import type { Dim, DType, Initializer, TensorType } from './ir.js';

/** How many recent parameter types a new one is compared with. */
const RECENT_PARAM_TYPES = 4;

/** The sharing state of one graph being built (see the file comment). */
export class EqualSharing {
  /** The types of the last parameters, newest last. */
  private readonly recentParamTypes: TensorType[] = [];
  /** The last parameter's initializer and its args' keys. */
  private lastInit: Initializer | undefined;
  private lastInitKeys: string[] = [];

  /**
   * A parameter's type: that of one of the last few parameters when equal (a dense stack's weights,
   * and its biases, alternate), instead of a type and a shape array each (~100 bytes kept per
   * parameter).
   */
  paramType(dtype: DType, shape: readonly Dim[]): TensorType {
    const recent = this.recentParamTypes;
    for (let i = recent.length - 1; i >= 0; i--) {
      const t = recent[i]!;
      if (!sameDims(t, dtype, shape)) continue;
      if (!Object.isFrozen(t)) {
        Object.freeze(t.shape);
        Object.freeze(t);
      }
      return t;
    }
    const t: TensorType = { dtype, shape: [...shape] };
    if (recent.length === RECENT_PARAM_TYPES) recent.shift();
    recent.push(t);
    return t;
  }

  /**
   * `init`, or the previous parameter's initializer when it is equal (same kind, same numbers under
   * the same keys): a layer's weight and bias, and every dense layer of a stack, then keep one
   * object instead of an initializer and its args each (~40 bytes per layer).
   */
  init(init: Initializer): Initializer {
    const last = this.lastInit;
    if (last !== undefined && last !== init && last.kind === init.kind) {
      const keys = this.lastInitKeys;
      let i = 0;
      for (const k in init.args) {
        if (keys[i] !== k || last.args[k] !== init.args[k]) {
          i = -1;
          break;
        }
        i++;
      }
      if (i === keys.length) {
        if (!Object.isFrozen(last)) {
          Object.freeze(last);
          Object.freeze(last.args);
        }
        return last;
      }
    }
    if (last !== init) {
      this.lastInit = init;
      this.lastInitKeys = Object.keys(init.args);
    }
    return init;
  }
}

/**
 * `t`, or an input's type equal to it (same dtype and dims): elementwise ops, a Gemm that keeps
 * the width, reshapes to the same shape… The value then shares its input's TensorType object
 * instead of keeping its own (~90 bytes with the shape array).
 */
export function sharedType(t: TensorType, inputs: readonly (TensorType | undefined)[]): TensorType {
  if (t.unknown) return t;
  for (let i = 0; i < inputs.length; i++) {
    const u = inputs[i];
    if (u !== undefined && u !== t && !u.unknown && sameDims(u, t.dtype, t.shape)) return u;
  }
  return t;
}

/** Whether two lists of value names are equal, name by name. */
export function sameNames(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Whether `t` has this dtype and these dims. */
function sameDims(t: TensorType, dtype: DType, shape: readonly Dim[]): boolean {
  if (t.dtype !== dtype || t.shape.length !== shape.length) return false;
  for (let k = 0; k < shape.length; k++) if (t.shape[k] !== shape[k]) return false;
  return true;
}

/**
 * The declarative schema of a core op. One op, one file under ./ops/, each exporting one
 * `OpSchema`. Ops follow ONNX semantics (names, input order, attributes, defaults), so the ONNX
 * lowering is mostly a rename and backends can be checked against onnxruntime.
 */
import type { AttrValue, DType, TensorType } from './ir.js';

export type AttrKind = 'int' | 'float' | 'string' | 'ints' | 'floats' | 'strings' | 'dims' | 'bool';

interface AttrSpecBase {
  /** Absent means required. */
  default?: AttrValue;
  doc: string;
}

/**
 * A string attribute is always an enum: `values` lists every value the op accepts (for 'strings',
 * every element), and the graph builder rejects anything else before the shape rule runs
 * (`checkAttrValues`). Backends and tools read the list here instead of restating it.
 */
export interface EnumAttrSpec extends AttrSpecBase {
  kind: 'string' | 'strings';
  values: readonly string[];
}

export interface PlainAttrSpec extends AttrSpecBase {
  kind: Exclude<AttrKind, 'string' | 'strings'>;
  values?: never;
}

export type AttrSpec = EnumAttrSpec | PlainAttrSpec;

/**
 * What an op does, as a small closed set (in the spirit of tinygrad's `GroupOp`). Diagrams style
 * unowned nodes by it, and passes that look for "an activation" or "a shape-only op" ask it
 * instead of listing op names.
 */
export const OP_CATEGORIES = [
  'activation',
  'elementwise',
  'reduction',
  'linear',
  'convolution',
  'pooling',
  'normalization',
  'regularization',
  'recurrent',
  'shape',
] as const;

export type OpCategory = (typeof OP_CATEGORIES)[number];

export interface OpInputSpec {
  name: string;
  optional?: boolean;
  /** Last input only: any number ≥ 1 (Concat, Sum). */
  variadic?: boolean;
  doc?: string;
}

export interface OpOutputSpec {
  name: string;
  optional?: boolean;
  doc?: string;
}

/** Attributes with defaults filled in. */
export type ResolvedAttrs = Record<string, AttrValue>;

/**
 * Thrown by shape rules (and only by them) to reject their inputs. The graph builder turns it
 * into a located diagnostic naming the layer; nothing else should catch it.
 */
export class ShapeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ShapeError';
  }
}

/** Helpers a shape rule gets: dimension arithmetic that works with symbolic dims. */
export interface ShapeContext {
  /**
   * Unifies two dims (28 with 28, "batch" with "batch", a symbol with a number); throws ShapeError.
   * `what` names the dims in the message; a function is called only when they do not unify, so a
   * shape rule run on every node does not format a message it will not show.
   */
  unify(a: import('./ir.js').Dim, b: import('./ir.js').Dim, what: string | (() => string)): import('./ir.js').Dim;
  /** Number of outputs the node asked for (optional outputs such as LSTM's Y_h). */
  outputCount: number;
}

export interface OpSchema {
  /** ONNX-style op name: 'Conv', 'Gemm', 'LSTM'. */
  name: string;
  doc: string;
  /** Required: a new op must say what kind of op it is (docs/ops.md lists the categories). */
  category: OpCategory;
  inputs: OpInputSpec[];
  outputs: OpOutputSpec[];
  attrs: Record<string, AttrSpec>;
  /** Dropout and augmentation: executed only in training, removed for inference and export. */
  trainingOnly?: boolean;
  /** Inputs whose dtype may be an integer type (Gather's indices); others must be f32. */
  integerInputs?: number[];
  /** Output types from input types; missing optional inputs are `undefined`. Throws ShapeError. */
  infer(inputs: (TensorType | undefined)[], attrs: ResolvedAttrs, ctx: ShapeContext): TensorType[];
  /**
   * Multiply-accumulate-aware floating point operations of the forward pass for ONE sample
   * (symbolic dims taken as 1). Counts 2 per multiply-add, as fvcore/ptflops-style "FLOPs".
   */
  flops?(inputs: (TensorType | undefined)[], outputs: TensorType[], attrs: ResolvedAttrs): number;
}

export type OutputDType = DType;

/** The enum attributes of each op schema, listed once per schema (this runs for every node). */
const ENUM_ATTRS = new WeakMap<OpSchema, [string, EnumAttrSpec][]>();

/**
 * Why `attrs` break the schema's enum attributes (a value outside `values`), or undefined. The
 * message is the one the shape-rule diagnostic (DLM3001) and the backends' "cannot run this
 * node" diagnostics show.
 */
export function attrValueProblem(schema: OpSchema, attrs: ResolvedAttrs): string | undefined {
  let enums = ENUM_ATTRS.get(schema);
  if (enums === undefined) ENUM_ATTRS.set(schema, (enums = Object.entries(schema.attrs).filter((e): e is [string, EnumAttrSpec] => e[1].values !== undefined)));
  for (const [key, spec] of enums) {
    const v = attrs[key];
    if (v === undefined) continue;
    const allowed = spec.values;
    const ok = spec.kind === 'string' ? typeof v === 'string' && allowed.includes(v) : Array.isArray(v) && v.every((x) => typeof x === 'string' && allowed.includes(x));
    if (!ok) {
      return `attribute ${key} must be ${spec.kind === 'strings' ? 'a list of ' : ''}one of ${allowed.map((a) => `'${a}'`).join(', ')}, got ${JSON.stringify(v)}`;
    }
  }
  return undefined;
}

/** Throws ShapeError when an enum attribute has a value the schema does not list. */
export function checkAttrValues(schema: OpSchema, attrs: ResolvedAttrs): void {
  const problem = attrValueProblem(schema, attrs);
  if (problem) throw new ShapeError(problem);
}

/**
 * The one way to run an op's shape rule: attribute values are checked against the schema first,
 * so no shape rule (and no backend) re-validates an enum.
 */
export function inferOp(schema: OpSchema, inputs: (TensorType | undefined)[], attrs: ResolvedAttrs, ctx: ShapeContext): TensorType[] {
  checkAttrValues(schema, attrs);
  return schema.infer(inputs, attrs, ctx);
}

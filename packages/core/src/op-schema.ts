/**
 * The declarative schema of a core op. One op, one file under ./ops/, each exporting one
 * `OpSchema`. Ops follow ONNX semantics (names, input order, attributes, defaults), so the ONNX
 * lowering is mostly a rename and backends can be checked against onnxruntime.
 */
import type { AttrValue, DType, TensorType } from './ir.js';

export type AttrKind = 'int' | 'float' | 'string' | 'ints' | 'floats' | 'strings' | 'dims' | 'bool';

export interface AttrSpec {
  kind: AttrKind;
  /** Absent means required. */
  default?: AttrValue;
  doc: string;
}

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
  /** Unifies two dims (28 with 28, "batch" with "batch", a symbol with a number); throws ShapeError. */
  unify(a: import('./ir.js').Dim, b: import('./ir.js').Dim, what: string): import('./ir.js').Dim;
  /** Number of outputs the node asked for (optional outputs such as LSTM's Y_h). */
  outputCount: number;
}

export interface OpSchema {
  /** ONNX-style op name: 'Conv', 'Gemm', 'LSTM'. */
  name: string;
  doc: string;
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

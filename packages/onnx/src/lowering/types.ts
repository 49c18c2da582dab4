/**
 * The lowering contract: one rule per core op, declared with the lowest ONNX opset it can target.
 * The exporter first asks every rule whether it can lower its nodes at the chosen opset
 * (feasibility), and only then calls `lower`, so an export either succeeds whole or reports every
 * offending node at once.
 */
import type { AttrValue, Node, TensorType } from '@dlm/core';
import { attr, type OnnxAttr } from '../proto.js';

/** Export options after defaults. */
export interface LoweringOptions {
  opset: number;
  /**
   * How batch-first recurrent ops are written. 'transpose' (default): ONNX layout 0 with a
   * Transpose before and after, as torch.onnx.export writes batch_first RNNs; every runtime
   * accepts it (onnxruntime's CPU kernels reject layout=1). 'batch-first': the `layout=1`
   * attribute (opset ≥ 14), no transposes.
   */
  recurrentLayout: 'transpose' | 'batch-first';
}

export interface LoweringContext {
  readonly opset: number;
  readonly options: LoweringOptions;
  readonly node: Node;
  /** ONNX value name of core input `i` (after removed nodes are bypassed); '' when omitted. */
  input(i: number): string;
  /** ONNX value name for core output `i`. */
  output(i: number): string;
  /** Whether core output `i` is consumed by a later node or is a graph output. */
  outputUsed(i: number): boolean;
  /** Type of a core value (input, output or param), by its core name. */
  typeOf(value: string): TensorType | undefined;
  /** Emits one ONNX node; its name is the node's scope plus `opType` (`conv2d_1/Conv`). */
  emit(opType: string, inputs: readonly string[], outputs: readonly string[], attrs?: Record<string, OnnxAttr | undefined>): void;
  /** A fresh intermediate value name under the node's scope. */
  temp(hint: string): string;
  /** A constant int64 initializer (shapes, perms); returns its name. */
  int64s(hint: string, values: readonly number[], dims?: readonly number[]): string;
  /** A constant float initializer (scales, scalar factors); returns its name. Identical constants are shared. */
  floats(hint: string, values: readonly number[], dims?: readonly number[]): string;
  /** Removes the node: core output `i` now means `value`. A graph output gets an Identity instead. */
  alias(i: number, value: string): void;
}

export interface LoweringRule {
  /** Core op name. */
  op: string;
  /** Lowest ONNX opset whose version of the emitted ops has the semantics this rule relies on. */
  minOpset: number;
  /** A higher need for one particular node (e.g. layout=1 recurrent ops need 14). */
  nodeOpset?(node: Node, options: LoweringOptions, typeOf: (value: string) => TensorType | undefined): number;
  /** Why this node cannot be exported (an attribute value ONNX cannot express), or undefined. */
  unsupported?(node: Node, options: LoweringOptions, typeOf: (value: string) => TensorType | undefined): string | undefined;
  /** The ONNX ops it emits, for docs: 'Conv', 'Div, Erf, Add, Mul, Mul'. */
  emits: string;
  lower(ctx: LoweringContext): void;
}

export type AttrKindMap = Record<string, 'int' | 'float' | 'string' | 'ints' | 'floats' | 'strings'>;

/**
 * Copies core attributes to ONNX attributes with the declared kinds. Empty lists are left out
 * (ONNX reads an absent list as its default; an empty one is an error in some kernels), and a
 * boolean becomes an int (ONNX has no bool attributes).
 */
export function copyAttrs(attrs: Record<string, AttrValue>, kinds: AttrKindMap): Record<string, OnnxAttr> {
  const out: Record<string, OnnxAttr> = {};
  for (const [key, kind] of Object.entries(kinds)) {
    const v = attrs[key];
    if (v === undefined) continue;
    switch (kind) {
      case 'int':
        out[key] = attr.int(typeof v === 'boolean' ? (v ? 1 : 0) : Number(v));
        break;
      case 'float':
        out[key] = attr.float(Number(v));
        break;
      case 'string':
        out[key] = attr.string(String(v));
        break;
      case 'ints':
      case 'floats':
      case 'strings': {
        const list = Array.isArray(v) ? v : [v];
        if (list.length === 0) break;
        out[key] =
          kind === 'ints' ? attr.ints(list.map(Number)) : kind === 'floats' ? attr.floats(list.map(Number)) : attr.strings(list.map(String));
        break;
      }
    }
  }
  return out;
}

/** A rule that maps one core op to the same-named ONNX op with its inputs, outputs and attributes. */
export function direct(op: string, minOpset: number, kinds: AttrKindMap = {}, onnxOp = op): LoweringRule {
  return {
    op,
    minOpset,
    emits: onnxOp,
    lower(ctx) {
      const ins = ctx.node.inputs.map((_, i) => ctx.input(i));
      while (ins.length > 0 && ins[ins.length - 1] === '') ins.pop();
      ctx.emit(onnxOp, ins, ctx.node.outputs.map((_, i) => ctx.output(i)), copyAttrs(ctx.node.attrs, kinds));
    },
  };
}

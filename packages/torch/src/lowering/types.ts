/**
 * The PyTorch lowering contract: one rule per core op. The exporter first asks every rule whether
 * it can lower its node (`unsupported`, the feasibility pass), and only then calls `lower`, so an
 * export either succeeds whole or lists every node it cannot write, with its `.dlm` location.
 */
import type { AttrValue, Node, TensorType } from '@dlm/core';
import type { PyExpr } from '../emitter.js';
import type { HelperName } from './helpers.js';

export type TypeOf = (value: string) => TensorType | undefined;

export interface TorchLoweringContext {
  readonly node: Node;
  /** The Python expression of core input `i`: a local name or a parameter (`self.conv2d_1.weight`). */
  input(i: number): PyExpr;
  /** Whether optional input `i` is given. */
  has(i: number): boolean;
  inputType(i: number): TensorType | undefined;
  outputType(i: number): TensorType | undefined;
  /** Whether core output `i` is read by a later node or is a graph output. */
  outputUsed(i: number): boolean;
  /**
   * `outputs = value`: one statement assigning every output of the node (unused ones to `_`).
   * `arity`: how many values `value` returns when that is more than the node's outputs.
   */
  assign(value: PyExpr, arity?: number): void;
  /** An intermediate statement `name = value`; returns the name. */
  temp(hint: string, value: PyExpr): PyExpr;
  /** Adds a fixed helper function to the module's prelude once; returns its name. */
  helper(name: HelperName): PyExpr;
  /** `x.device` of the model's first input, for tensors made from sizes alone (undefined: none). */
  device(): PyExpr | undefined;
}

export interface TorchLoweringRule {
  /** Core op name. */
  op: string;
  /** The PyTorch calls it writes, for docs/pytorch.md. */
  emits: string;
  /** Why this node cannot be written in PyTorch (an attribute combination), or undefined. */
  unsupported?(node: Node, typeOf: TypeOf): string | undefined;
  lower(ctx: TorchLoweringContext): void;
}

// ───────────────────────────── attribute helpers ─────────────────────────────

export function ints(attrs: Record<string, AttrValue>, key: string): number[] {
  const v = attrs[key];
  return Array.isArray(v) ? (v as number[]).map(Number) : [];
}

export function num(attrs: Record<string, AttrValue>, key: string, fallback: number): number {
  const v = attrs[key];
  return typeof v === 'number' ? v : typeof v === 'boolean' ? (v ? 1 : 0) : fallback;
}

export function str(attrs: Record<string, AttrValue>, key: string, fallback: string): string {
  const v = attrs[key];
  return typeof v === 'string' ? v : fallback;
}

/** Per-axis value list with the ONNX default when the attribute is empty. */
export function perAxis(attrs: Record<string, AttrValue>, key: string, n: number, fallback: number): number[] {
  const v = ints(attrs, key);
  return v.length === n ? v : new Array<number>(n).fill(fallback);
}

/** ONNX pads [begin…, end…] split per axis. */
export function padsOf(attrs: Record<string, AttrValue>, n: number): { begin: number[]; end: number[]; symmetric: boolean } {
  const p = ints(attrs, 'pads');
  const begin = p.length === 2 * n ? p.slice(0, n) : new Array<number>(n).fill(0);
  const end = p.length === 2 * n ? p.slice(n) : new Array<number>(n).fill(0);
  return { begin, end, symmetric: begin.every((b, i) => b === end[i]) };
}

/** F.pad's argument: last axis first, (begin, end) per axis. */
export function torchPadList(begin: readonly number[], end: readonly number[]): number[] {
  const out: number[] = [];
  for (let i = begin.length - 1; i >= 0; i--) out.push(begin[i]!, end[i]!);
  return out;
}

/** A single value for a per-axis list when all are equal (reads like handwritten PyTorch). */
export function compact(values: readonly number[]): number | number[] {
  return values.every((v) => v === values[0]) && values.length > 0 ? values[0]! : [...values];
}

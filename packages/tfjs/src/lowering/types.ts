/**
 * The contract between the executor and the per-op lowerings.
 *
 * Layout: the IR is channels-first (NCHW, NCL) like ONNX; tfjs' conv and pool kernels are
 * channels-last (NHWC). A value in the executor can therefore live in one of two physical layouts:
 * 'canonical' (the IR's order) or 'channels_last' (axis 1 moved to the end, only for rank ≥ 3).
 * Layout-insensitive ops (activations, dropout, elementwise ops on equal layouts) keep whatever
 * layout they get; conv/pool/batch-norm ask for channels_last; everything else asks for canonical.
 * Each value converts at most once per layout per run (see `Val`), so a conv → pool → relu → conv
 * chain runs with no transposes except at its ends.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { AttrValue, Node, TensorType } from '@dlm/core';

export type Layout = 'canonical' | 'channels_last';

/** Permutation that moves axis 1 to the end: NCHW → NHWC. */
export function toChannelsLastPerm(rank: number): number[] {
  return [0, ...Array.from({ length: rank - 2 }, (_, i) => i + 2), 1];
}

/** Inverse of `toChannelsLastPerm`: NHWC → NCHW. */
export function toCanonicalPerm(rank: number): number[] {
  return [0, rank - 1, ...Array.from({ length: rank - 2 }, (_, i) => i + 1)];
}

/** Maps a canonical axis to its position in the channels_last order. */
export function channelsLastAxis(axis: number, rank: number): number {
  if (axis === 0) return 0;
  if (axis === 1) return rank - 1;
  return axis - 1;
}

/**
 * tf.transpose, or a free reshape when the permutation only moves axes of size 1 (a one-channel
 * image, a [N,1,1,C] pooled map): the element order is then unchanged.
 */
export function permute(t: tf.Tensor, perm: number[]): tf.Tensor {
  const moved = perm.filter((p) => t.shape[p] !== 1);
  if (moved.every((p, i) => i === 0 || p > moved[i - 1]!)) return tf.reshape(t, perm.map((p) => t.shape[p]!));
  return tf.transpose(t, perm);
}

/** A runtime value: one tensor, viewable in both layouts (converted lazily, cached). */
export class Val {
  private canon?: tf.Tensor;
  private last?: tf.Tensor;
  readonly layout: Layout;
  constructor(t: tf.Tensor, layout: Layout = 'canonical') {
    // Rank < 3 has no channel axis to move: both layouts are the same tensor.
    this.layout = t.rank < 3 ? 'canonical' : layout;
    if (this.layout === 'canonical') this.canon = t;
    else this.last = t;
  }
  get rank(): number {
    return this.tensor.rank;
  }
  /** The tensor in its native layout. */
  get tensor(): tf.Tensor {
    return (this.layout === 'canonical' ? this.canon : this.last)!;
  }
  /** Shape in the IR's (canonical) order, without converting. */
  get canonicalShape(): number[] {
    const s = this.tensor.shape;
    if (this.layout === 'canonical') return s;
    return toCanonicalPerm(s.length).map((p) => s[p]!);
  }
  canonical(): tf.Tensor {
    this.canon ??= permute(this.last!, toCanonicalPerm(this.last!.rank));
    return this.canon;
  }
  /** Channels-last view; rank < 3 tensors have no channel axis to move and are returned as is. */
  channelsLast(): tf.Tensor {
    if (this.layout === 'canonical' && this.canon!.rank < 3) return this.canon!;
    this.last ??= permute(this.canon!, toChannelsLastPerm(this.canon!.rank));
    return this.last;
  }
  get(layout: Layout): tf.Tensor {
    return layout === 'canonical' ? this.canonical() : this.channelsLast();
  }
}

export interface LowerContext {
  node: Node;
  attrs: Record<string, AttrValue>;
  training: boolean;
  /** Per-node seed for random ops (dropout), derived from the run's seed; undefined = unseeded. */
  seed?: number;
  /** The IR's types of the node's outputs, where the graph declares them (a hand-built graph may not). */
  outputTypes?: readonly (TensorType | undefined)[];
}

export interface LowerResult {
  outputs: (Val | undefined)[];
  /** New values for state inputs, by input index (batch-norm running statistics). */
  updates?: Map<number, tf.Tensor>;
}

export interface Lowering {
  op: string;
  /**
   * Static check at executor creation: a message when this backend cannot run the node as
   * configured (an attribute combination tfjs lacks). Reported as a diagnostic with the node's span.
   */
  check?(node: Node): string | undefined;
  run(ctx: LowerContext, inputs: (Val | undefined)[]): LowerResult | Val[];
}

// ───────────────────────────── attribute helpers ─────────────────────────────

export function attrInts(attrs: Record<string, AttrValue>, key: string, fallback: number[] = []): number[] {
  const v = attrs[key];
  return Array.isArray(v) ? (v as number[]) : fallback;
}

export function attrNum(attrs: Record<string, AttrValue>, key: string, fallback: number): number {
  const v = attrs[key];
  return typeof v === 'number' ? v : typeof v === 'boolean' ? (v ? 1 : 0) : fallback;
}

export function attrStr(attrs: Record<string, AttrValue>, key: string, fallback: string): string {
  const v = attrs[key];
  return typeof v === 'string' ? v : fallback;
}

export function required(v: Val | undefined, what: string): Val {
  if (!v) throw new Error(`internal: missing required input ${what}`);
  return v;
}

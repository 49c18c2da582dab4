/** Helpers shared by the standard layers: argument normalization and PyTorch-style initializers. */
import { formatType, type Args, type ArgValue, type Dim, type Initializer, type LayerContext, type TensorType } from '@dlm/core';

/**
 * PyTorch's default for Linear/Conv weights and biases: U(−1/√fan_in, 1/√fan_in). fan_out is
 * recorded too, so a user who switches the parameter to glorot/he keeps the right fans.
 */
export function torchDefault(fanIn: number, fanOut: number): Initializer {
  return { kind: 'torch_default', args: { fan_in: fanIn, fan_out: fanOut } };
}

export const ZEROS: Initializer = { kind: 'zeros', args: {} };
export const ONES: Initializer = { kind: 'ones', args: {} };

/** An `ints` argument (a single int was already wrapped) expanded to one value per spatial axis. */
export function perAxis(ctx: LayerContext, args: Args, name: string, n: number): number[] {
  const v = args[name] as number[];
  if (v.length === 1) return new Array<number>(n).fill(v[0]!);
  if (v.length !== n) ctx.fail(`${name} has ${v.length} values but the input has ${n} spatial dim(s); give 1 or ${n}`);
  return v;
}

/** The input's type, rejecting the call (at the call site) when its rank is wrong. */
export function inputOfRank(ctx: LayerContext, value: string, rank: number | readonly number[], what: string): TensorType {
  const t = ctx.typeOf(value);
  const ranks = typeof rank === 'number' ? [rank] : rank;
  if (!t.unknown && !ranks.includes(t.shape.length)) {
    ctx.fail(`expects ${what} (rank ${ranks.join(' or ')}), got ${formatType(t)}`);
  }
  return t;
}

/** A dim that parameter shapes depend on (channels, features) must be a fixed size. */
export function fixedDim(ctx: LayerContext, t: TensorType, axis: number, what: string): number {
  const d: Dim | undefined = t.shape[axis < 0 ? t.shape.length + axis : axis];
  if (typeof d !== 'number') ctx.fail(`the ${what} of the input ${formatType(t)} must be a fixed size (its parameters depend on it), got ${String(d)}`);
  return d;
}

export function prod(v: readonly number[]): number {
  return v.reduce((a, b) => a * b, 1);
}

/** "5×5" for labels. */
export function times(v: readonly ArgValue[]): string {
  return v.map(String).join('×');
}

/**
 * The shape rule shared by LSTM, GRU and RNN. dlm always uses the batch-first layout (ONNX
 * layout=1), like PyTorch's `batch_first=True`:
 *   X [batch, seq, input], W [dirs, G·hidden, input], R [dirs, G·hidden, hidden], B [dirs, 2·G·hidden]
 *   → Y [batch, seq, dirs, hidden], Y_h [batch, dirs, hidden] (LSTM: Y_c likewise)
 * G is the number of gates: 4 for LSTM (i, o, f, c), 3 for GRU (z, r, h), 1 for RNN.
 */
import { formatShape, formatType } from '../dims.js';
import type { Dim, TensorType } from '../ir.js';
import { ShapeError, type AttrSpec, type ResolvedAttrs, type ShapeContext } from '../op-schema.js';
import { int, need, requireFloat, requireInteger, requireRank } from './common.js';

export const RECURRENT_ATTRS: Record<string, AttrSpec> = {
  hidden_size: { kind: 'int', doc: 'Number of hidden units per direction.' },
  direction: { kind: 'string', values: ['forward', 'reverse', 'bidirectional'], default: 'forward', doc: "'forward', 'reverse' or 'bidirectional'." },
  layout: { kind: 'int', default: 1, doc: 'Always 1 in dlm (batch-first); present so exports state it.' },
};

export function numDirections(attrs: ResolvedAttrs): number {
  return attrs['direction'] === 'bidirectional' ? 2 : 1;
}

export function inferRecurrent(
  inputs: readonly (TensorType | undefined)[],
  attrs: ResolvedAttrs,
  ctx: ShapeContext,
  gates: number,
  states: number,
): TensorType[] {
  const x = need(inputs, 0, 'X');
  const w = need(inputs, 1, 'W');
  const r = need(inputs, 2, 'R');
  for (const [t, n] of [[x, 'X'], [w, 'W'], [r, 'R']] as const) requireFloat(t, n);
  requireRank(x, 3, 3, 'X', '[batch, seq, input]');
  requireRank(w, 3, 3, 'W', '[dirs, gates·hidden, input]');
  requireRank(r, 3, 3, 'R', '[dirs, gates·hidden, hidden]');
  if (int(attrs, 'layout') !== 1) throw new ShapeError(`layout must be 1 (dlm recurrent ops are batch-first), got ${attrs['layout']}`);
  const h = int(attrs, 'hidden_size');
  if (h < 1) throw new ShapeError(`hidden_size must be ≥ 1, got ${h}`);
  const dirs = numDirections(attrs);
  const [batch, seq, inp] = x.shape as [Dim, Dim, Dim];
  const expectW = formatShape([dirs, gates * h, inp]);
  ctx.unify(w.shape[0]!, dirs, () => `W ${formatShape(w.shape)} should be ${expectW}; directions`);
  ctx.unify(w.shape[1]!, gates * h, () => `W ${formatShape(w.shape)} should be ${expectW}; gates·hidden`);
  ctx.unify(w.shape[2]!, inp, () => `W ${formatShape(w.shape)} should be ${expectW} for X ${formatShape(x.shape)}; input size`);
  const expectR = formatShape([dirs, gates * h, h]);
  r.shape.forEach((d, i) => ctx.unify(d, [dirs, gates * h, h][i]!, () => `R ${formatShape(r.shape)} should be ${expectR}; dim ${i}`));
  const b = inputs[3];
  if (b) {
    requireFloat(b, 'B');
    const expect = [dirs, 2 * gates * h];
    if (b.shape.length !== 2 || b.shape[0] !== expect[0] || b.shape[1] !== expect[1]) {
      throw new ShapeError(`B ${formatShape(b.shape)} should be ${formatShape(expect)} (input and recurrent biases of every gate)`);
    }
  }
  const lens = inputs[4];
  if (lens) {
    requireInteger(lens, 'sequence_lens');
    if (lens.shape.length !== 1) throw new ShapeError(`sequence_lens ${formatType(lens)} must be [batch]`);
    ctx.unify(lens.shape[0]!, batch, () => `sequence_lens ${formatShape(lens.shape)} vs X ${formatShape(x.shape)}; batch`);
  }
  for (let s = 0; s < states; s++) {
    const t = inputs[5 + s];
    if (!t) continue;
    const name = s === 0 ? 'initial_h' : 'initial_c';
    requireFloat(t, name);
    const want = [batch, dirs, h];
    if (t.shape.length !== 3) throw new ShapeError(`${name} ${formatShape(t.shape)} should be ${formatShape(want)}`);
    t.shape.forEach((d, i) => ctx.unify(d, want[i]!, () => `${name} ${formatShape(t.shape)} should be ${formatShape(want)}; dim ${i}`));
  }
  const y: TensorType = { dtype: 'f32', shape: [batch, seq, dirs, h] };
  const state: TensorType = { dtype: 'f32', shape: [batch, dirs, h] };
  const out = [y];
  for (let s = 0; s < states; s++) out.push({ ...state, shape: [...state.shape] });
  if (ctx.outputCount > out.length) throw new ShapeError(`has only ${out.length} outputs, ${ctx.outputCount} requested`);
  return out.slice(0, Math.max(1, ctx.outputCount));
}

/**
 * FLOPs per sample: per time step and direction, the two matrix products 2·G·H·(input + H), the
 * two bias adds 2·G·H, and `pointwise`·H for the gate nonlinearities and state updates.
 */
export function recurrentFlops(inputs: readonly (TensorType | undefined)[], attrs: ResolvedAttrs, gates: number, pointwise: number): number {
  const x = inputs[0]!;
  const seq = typeof x.shape[1] === 'number' ? x.shape[1] : 1;
  const inp = typeof x.shape[2] === 'number' ? x.shape[2] : 1;
  const h = attrs['hidden_size'] as number;
  const perStep = 2 * gates * h * (inp + h) + (inputs[3] ? 2 * gates * h : 0) + pointwise * h;
  return perStep * seq * numDirections(attrs);
}

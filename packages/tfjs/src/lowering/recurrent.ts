/**
 * LSTM, GRU and RNN with ONNX semantics, always batch-first (ONNX layout = 1):
 *   X [batch, seq, input], W [dirs, G·hidden, input], R [dirs, G·hidden, hidden],
 *   B [dirs, 2·G·hidden] (Wb then Rb), optional initial_h / initial_c [batch, dirs, hidden].
 *   Outputs Y [batch, seq, dirs, hidden], Y_h [batch, dirs, hidden] (LSTM also Y_c).
 * Gate order: LSTM i, o, f, c; GRU z, r, h; RNN one gate. GRU linear_before_reset = 1 is
 * PyTorch's GRU: h̃ = tanh(x·Wh + r ⊙ (h·Rh + Rbh) + Wbh).
 * The input projection X·Wᵀ of all steps is one matmul; the recurrence is a loop of tfjs ops,
 * so gradients (backprop through time) come from tfjs' tape.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Node } from '@dlm/core';
import { Val, attrNum, attrStr, required, type Lowering } from './types.js';

type Kind = 'LSTM' | 'GRU' | 'RNN';
const GATES: Record<Kind, number> = { LSTM: 4, GRU: 3, RNN: 1 };

function checkRecurrent(kind: Kind) {
  return (node: Node): string | undefined => {
    if (node.inputs[4]) return `${kind} sequence_lens is not supported (sequences must have equal length)`;
    if (kind === 'LSTM' && node.inputs[7]) return 'LSTM peephole weights (P) are not supported';
    const acts = node.attrs['activations'];
    if (Array.isArray(acts) && acts.length > 0) {
      const want = kind === 'LSTM' ? ['Sigmoid', 'Tanh', 'Tanh'] : kind === 'GRU' ? ['Sigmoid', 'Tanh'] : ['Tanh'];
      const ok = acts.every((a, i) => a === want[i % want.length]);
      if (!ok) return `${kind} activations [${acts.join(', ')}] are not supported (only the defaults [${want.join(', ')}])`;
    }
    const clip = node.attrs['clip'];
    if (typeof clip === 'number' && clip > 0) return `${kind} clip is not supported`;
    if (kind === 'LSTM' && node.attrs['input_forget']) return 'LSTM input_forget is not supported';
    return undefined;
  };
}

function runDirection(
  kind: Kind,
  x: tf.Tensor3D,
  w: tf.Tensor2D,
  r: tf.Tensor2D,
  b: tf.Tensor1D | undefined,
  h0: tf.Tensor,
  c0: tf.Tensor | undefined,
  reverse: boolean,
  linearBeforeReset: boolean,
): { ys: tf.Tensor[]; h: tf.Tensor; c?: tf.Tensor } {
  const [batch, seq, input] = x.shape;
  const gh = w.shape[0];
  const hidden = gh / GATES[kind];
  const wb = b ? tf.slice(b, [0], [gh]) : undefined;
  const rb = b ? tf.slice(b, [gh], [gh]) : undefined;
  let xw = tf.matMul(tf.reshape(x, [batch * seq, input]), w, false, true);
  if (wb) xw = tf.add(xw, wb);
  const steps = tf.unstack(tf.reshape(xw, [batch, seq, gh]), 1);
  const ys: tf.Tensor[] = new Array<tf.Tensor>(seq);
  let h: tf.Tensor = h0;
  let c: tf.Tensor | undefined = c0;
  // GRU with linear_before_reset = 0 applies Rh to (r ⊙ h) separately: split R and Rb by gate.
  const [rzr, rh]: (tf.Tensor | undefined)[] = kind === 'GRU' && !linearBeforeReset ? tf.split(r, [2 * hidden, hidden], 0) : [r, undefined];
  const [rbzr, rbh]: (tf.Tensor | undefined)[] = kind === 'GRU' && !linearBeforeReset && rb ? tf.split(rb, [2 * hidden, hidden], 0) : [rb, undefined];
  for (let s = 0; s < seq; s++) {
    const t = reverse ? seq - 1 - s : s;
    const xt = steps[t]!;
    if (kind === 'LSTM') {
      let g = tf.add(xt, tf.matMul(h, r, false, true));
      if (rb) g = tf.add(g, rb);
      const [gi, go, gf, gc] = tf.split(g, 4, 1);
      const i = tf.sigmoid(gi!);
      const o = tf.sigmoid(go!);
      const f = tf.sigmoid(gf!);
      c = tf.add(tf.mul(f, c!), tf.mul(i, tf.tanh(gc!)));
      h = tf.mul(o, tf.tanh(c));
    } else if (kind === 'GRU') {
      const [xz, xr, xh] = tf.split(xt, 3, 1);
      let hr = tf.matMul(h, rzr!, false, true);
      if (rbzr) hr = tf.add(hr, rbzr);
      let cand: tf.Tensor;
      if (linearBeforeReset) {
        const [hz, hrr, hh] = tf.split(hr, 3, 1);
        const z = tf.sigmoid(tf.add(xz!, hz!));
        const rr = tf.sigmoid(tf.add(xr!, hrr!));
        cand = tf.tanh(tf.add(xh!, tf.mul(rr, hh!)));
        h = tf.add(tf.mul(tf.sub(1, z), cand), tf.mul(z, h));
      } else {
        const [hz, hrr] = tf.split(hr, 2, 1);
        const z = tf.sigmoid(tf.add(xz!, hz!));
        const rr = tf.sigmoid(tf.add(xr!, hrr!));
        let hh = tf.matMul(tf.mul(rr, h), rh!, false, true);
        if (rbh) hh = tf.add(hh, rbh);
        cand = tf.tanh(tf.add(xh!, hh));
        h = tf.add(tf.mul(tf.sub(1, z), cand), tf.mul(z, h));
      }
    } else {
      let g = tf.add(xt, tf.matMul(h, r, false, true));
      if (rb) g = tf.add(g, rb);
      h = tf.tanh(g);
    }
    ys[t] = h;
  }
  return c ? { ys, h, c } : { ys, h };
}

function recurrent(kind: Kind): Lowering {
  return {
    op: kind,
    check: checkRecurrent(kind),
    run: (ctx, inputs) => {
      const x = required(inputs[0], 'X').canonical() as tf.Tensor3D;
      const w = required(inputs[1], 'W').canonical() as tf.Tensor3D;
      const r = required(inputs[2], 'R').canonical() as tf.Tensor3D;
      const b = inputs[3]?.canonical() as tf.Tensor2D | undefined;
      const initH = inputs[5]?.canonical() as tf.Tensor3D | undefined;
      const initC = kind === 'LSTM' ? (inputs[6]?.canonical() as tf.Tensor3D | undefined) : undefined;
      const dir = attrStr(ctx.attrs, 'direction', 'forward');
      const dirs = w.shape[0];
      const hidden = r.shape[2];
      const batch = x.shape[0];
      const lbr = attrNum(ctx.attrs, 'linear_before_reset', kind === 'GRU' ? 1 : 0) !== 0;
      const ys: tf.Tensor[] = [];
      const hs: tf.Tensor[] = [];
      const cs: tf.Tensor[] = [];
      const pick = (t: tf.Tensor3D, d: number) => tf.squeeze(tf.slice(t, [d, 0, 0], [1, -1, -1]), [0]) as tf.Tensor2D;
      const pickState = (t: tf.Tensor3D | undefined, d: number) =>
        t ? (tf.squeeze(tf.slice(t, [0, d, 0], [-1, 1, -1]), [1]) as tf.Tensor2D) : (tf.zeros([batch, hidden]) as tf.Tensor2D);
      for (let d = 0; d < dirs; d++) {
        const reverse = dir === 'reverse' || (dir === 'bidirectional' && d === 1);
        const bd = b ? (tf.squeeze(tf.slice(b, [d, 0], [1, -1]), [0]) as tf.Tensor1D) : undefined;
        const res = runDirection(kind, x, pick(w, d), pick(r, d), bd, pickState(initH, d), kind === 'LSTM' ? pickState(initC, d) : undefined, reverse, lbr);
        ys.push(tf.stack(res.ys, 1)); // [batch, seq, hidden]
        hs.push(res.h);
        if (res.c) cs.push(res.c);
      }
      const outs: Val[] = [new Val(tf.stack(ys, 2)), new Val(tf.stack(hs, 1))];
      if (kind === 'LSTM') outs.push(new Val(tf.stack(cs, 1)));
      return outs;
    },
  };
}

export const LSTM = recurrent('LSTM');
export const GRU = recurrent('GRU');
export const RNN = recurrent('RNN');

/**
 * Add, Sub, Mul, Div with NumPy broadcasting. When any operand is channels_last (inside a
 * conv chain), the others are brought to the same physical order, rank-extended first as NumPy
 * broadcasting would (a [C,1,1] bias becomes [1,C,1,1], then [1,1,1,C]); the result stays
 * channels_last.
 */
import * as tf from '@tensorflow/tfjs-core';
import { Val, permute, required, toChannelsLastPerm, type Lowering } from './types.js';

function binary(op: string, f: (a: tf.Tensor, b: tf.Tensor) => tf.Tensor): Lowering {
  return {
    op,
    run: (_ctx, [a, b]) => {
      const va = required(a, 'A');
      const vb = required(b, 'B');
      const cl = [va, vb].find((v) => v.layout === 'channels_last');
      if (!cl) return [new Val(f(va.tensor, vb.tensor))];
      const rank = Math.max(va.rank, vb.rank);
      const toCL = (v: Val): tf.Tensor => {
        if (v.layout === 'channels_last' && v.rank === rank) return v.tensor;
        let t = v.canonical();
        if (t.rank < rank) t = tf.reshape(t, [...new Array<number>(rank - t.rank).fill(1), ...t.shape]);
        return permute(t, toChannelsLastPerm(rank));
      };
      return [new Val(f(toCL(va), toCL(vb)), 'channels_last')];
    },
  };
}

export const Add = binary('Add', (a, b) => tf.add(a, b));
export const Sub = binary('Sub', (a, b) => tf.sub(a, b));
export const Mul = binary('Mul', (a, b) => tf.mul(a, b));
export const Div = binary('Div', (a, b) => tf.div(a, b));

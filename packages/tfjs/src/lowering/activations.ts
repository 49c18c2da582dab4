/**
 * Elementwise activations and Identity. Layout-insensitive: the output keeps the input's layout.
 */
import * as tf from '@tensorflow/tfjs-core';
import { Val, attrNum, attrStr, required, type Lowering } from './types.js';

function unary(op: string, f: (x: tf.Tensor, attrs: Record<string, unknown>) => tf.Tensor): Lowering {
  return {
    op,
    run: (ctx, [x]) => {
      const v = required(x, 'X');
      return [new Val(f(v.tensor, ctx.attrs), v.layout)];
    },
  };
}

export const Identity: Lowering = { op: 'Identity', run: (_ctx, [x]) => [required(x, 'X')] };

export const Relu = unary('Relu', (x) => tf.relu(x));

export const LeakyRelu: Lowering = {
  op: 'LeakyRelu',
  run: (ctx, [x]) => {
    const v = required(x, 'X');
    return [new Val(tf.leakyRelu(v.tensor, attrNum(ctx.attrs, 'alpha', 0.01)), v.layout)];
  },
};

export const Elu: Lowering = {
  op: 'Elu',
  run: (ctx, [x]) => {
    const v = required(x, 'X');
    const alpha = attrNum(ctx.attrs, 'alpha', 1);
    const t = v.tensor;
    // tf.elu has a fixed alpha of 1; other alphas: relu(x) + alpha·(exp(min(x, 0)) − 1), built
    // from differentiable ops only (tfjs has no gradient for the comparison a `where` would need).
    const y = alpha === 1 ? tf.elu(t) : tf.add(tf.relu(t), tf.mul(alpha, tf.sub(tf.exp(tf.neg(tf.relu(tf.neg(t)))), 1)));
    return [new Val(y, v.layout)];
  },
};

const SQRT1_2 = Math.SQRT1_2;
const SQRT_2_OVER_PI = Math.sqrt(2 / Math.PI);

export const Gelu: Lowering = {
  op: 'Gelu',
  run: (ctx, [x]) => {
    const v = required(x, 'X');
    const t = v.tensor;
    let y: tf.Tensor;
    if (attrStr(ctx.attrs, 'approximate', 'none') === 'tanh') {
      // 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))
      const inner = tf.mul(SQRT_2_OVER_PI, tf.add(t, tf.mul(0.044715, tf.mul(t, tf.square(t)))));
      y = tf.mul(tf.mul(0.5, t), tf.add(1, tf.tanh(inner)));
    } else {
      // 0.5 x (1 + erf(x / sqrt 2))
      y = tf.mul(tf.mul(0.5, t), tf.add(1, tf.erf(tf.mul(t, SQRT1_2))));
    }
    return [new Val(y, v.layout)];
  },
};

export const Sigmoid = unary('Sigmoid', (x) => tf.sigmoid(x));
export const Tanh = unary('Tanh', (x) => tf.tanh(x));

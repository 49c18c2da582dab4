/**
 * Dropout: inverted dropout (scale kept units by 1/(1−ratio)) while training, identity otherwise,
 * as in ONNX and PyTorch. The mask comes from the node's seed, so a run with a given seed is
 * reproducible; the training loop passes a new seed every step.
 */
import * as tf from '@tensorflow/tfjs-core';
import { Val, attrNum, required, type Lowering } from './types.js';

export const Dropout: Lowering = {
  op: 'Dropout',
  run: (ctx, [x]) => {
    const v = required(x, 'X');
    const ratio = attrNum(ctx.attrs, 'ratio', 0.5);
    if (!ctx.training || ratio === 0) return [v];
    return [new Val(tf.dropout(v.tensor, ratio, undefined, ctx.seed), v.layout)];
  },
};

import { formatShape, numelPerSample } from '../dims.js';
import { ShapeError, type OpSchema } from '../op-schema.js';
import { float, need, requireFloat, requireRank } from './common.js';

const PARAM_NAMES = ['scale', 'B', 'input_mean', 'input_var'] as const;

/**
 * Batch normalization over the channel axis 1 (ONNX BatchNormalization-15). While training a
 * backend normalizes with batch statistics and updates the running buffers
 * (running = running·momentum + batch·(1 − momentum): ONNX convention, PyTorch momentum 0.1 ↔ 0.9);
 * at inference it uses input_mean and input_var. FLOPs: 2 per element (scale and shift after folding).
 */
export const BatchNormalization: OpSchema = {
  name: 'BatchNormalization',
  doc: 'Y = scale·(X − mean)/sqrt(var + epsilon) + B over channel axis 1 of X [N, C, …].',
  category: 'normalization',
  inputs: [
    { name: 'X', doc: '[N, C, …]' },
    { name: 'scale', doc: '[C]' },
    { name: 'B', doc: '[C]' },
    { name: 'input_mean', doc: '[C] running mean (a buffer)' },
    { name: 'input_var', doc: '[C] running variance (a buffer)' },
  ],
  outputs: [{ name: 'Y' }],
  attrs: {
    epsilon: { kind: 'float', default: 1e-5, doc: 'Added to the variance for stability.' },
    momentum: { kind: 'float', default: 0.9, doc: 'ONNX convention: weight of the old running statistic (PyTorch momentum 0.1 = 0.9 here).' },
  },
  infer: (inputs, attrs, ctx) => {
    const x = need(inputs, 0, 'X');
    requireFloat(x, 'X');
    requireRank(x, 2, Infinity, 'X', 'batch and channels first');
    float(attrs, 'epsilon');
    const m = float(attrs, 'momentum');
    if (!(m >= 0 && m <= 1)) throw new ShapeError(`momentum must be in [0, 1], got ${m}`);
    const c = x.shape[1]!;
    PARAM_NAMES.forEach((name, j) => {
      const t = need(inputs, j + 1, name);
      requireFloat(t, name);
      if (t.shape.length !== 1) throw new ShapeError(`${name} ${formatShape(t.shape)} must be 1-D [${c}] for X ${formatShape(x.shape)}`);
      ctx.unify(t.shape[0]!, c, () => `${name} ${formatShape(t.shape)} vs the channels of X ${formatShape(x.shape)}`);
    });
    return [{ dtype: 'f32', shape: [...x.shape] }];
  },
  flops: ([x]) => 2 * numelPerSample(x!.shape),
};

import type { LayerDef } from '@dlm/core';
import { fixedDim, ONES, ZEROS } from './util.js';

/**
 * Batch normalization over channel axis 1, PyTorch nn.BatchNorm{1,2}d. `momentum` follows
 * PyTorch (weight of the new batch statistic, 0.1) and is converted to ONNX's convention
 * (weight of the old running value, 0.9) on the op. Trainable: weight (γ, ones) and bias (β,
 * zeros); running_mean (zeros) and running_var (ones) are buffers, not parameters, exactly as
 * PyTorch counts them.
 */
export const batch_norm: LayerDef = {
  name: 'batch_norm',
  family: 'normalization',
  doc: 'Batch normalization over channel axis 1 of [batch, C, …] (PyTorch nn.BatchNorm2d/1d): learned weight and bias [C], running_mean and running_var buffers [C].',
  args: [
    { name: 'eps', type: 'float', default: 1e-5, min: 0, doc: 'Added to the variance for stability.' },
    { name: 'momentum', type: 'float', default: 0.1, min: 0, max: 1, doc: 'PyTorch convention: running = (1 − momentum)·running + momentum·batch.' },
  ],
  expand(ctx, [x], args) {
    const t = ctx.typeOf(x!);
    if (t.shape.length < 2) ctx.fail(`expects [batch, channels, …], got rank ${t.shape.length}`);
    const c = fixedDim(ctx, t, 1, 'channel dim');
    const weight = ctx.param('weight', [c], ONES);
    const bias = ctx.param('bias', [c], ZEROS);
    const mean = ctx.param('running_mean', [c], ZEROS, { buffer: true });
    const variance = ctx.param('running_var', [c], ONES, { buffer: true });
    return ctx.op('BatchNormalization', [x!, weight, bias, mean, variance], {
      epsilon: args['eps'] as number,
      momentum: 1 - (args['momentum'] as number),
    });
  },
  label: () => 'batch_norm',
};

/** Layer normalization over the last axis, PyTorch nn.LayerNorm(features): weight ones, bias zeros. */
export const layer_norm: LayerDef = {
  name: 'layer_norm',
  family: 'normalization',
  doc: 'Normalizes over the last axis (PyTorch nn.LayerNorm(features)): learned weight and bias [features].',
  args: [{ name: 'eps', type: 'float', default: 1e-5, min: 0, doc: 'Added to the variance for stability.' }],
  expand(ctx, [x], args) {
    const t = ctx.typeOf(x!);
    if (t.shape.length < 1) ctx.fail('expects an input of rank ≥ 1');
    const d = fixedDim(ctx, t, -1, 'last dim');
    const weight = ctx.param('weight', [d], ONES);
    const bias = ctx.param('bias', [d], ZEROS);
    return ctx.op('LayerNormalization', [x!, weight, bias], { axis: -1, epsilon: args['eps'] as number });
  },
  label: () => 'layer_norm',
};

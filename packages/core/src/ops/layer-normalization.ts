import { formatShape, numelPerSample } from '../dims.js';
import { ShapeError, type OpSchema } from '../op-schema.js';
import { float, int, need, normAxis, requireFloat } from './common.js';

/**
 * Layer normalization (ONNX LayerNormalization-17): normalizes over the axes [axis, rank), then
 * Y = normalized·Scale + B, with Scale and B shaped like X.shape[axis:]. FLOPs: 5 per element
 * (mean, centre, variance, normalize, affine).
 */
export const LayerNormalization: OpSchema = {
  name: 'LayerNormalization',
  doc: 'Normalizes X over its trailing axes from `axis` on, then scales by Scale and shifts by B.',
  category: 'normalization',
  inputs: [{ name: 'X' }, { name: 'Scale' }, { name: 'B', optional: true }],
  outputs: [{ name: 'Y' }],
  attrs: {
    axis: { kind: 'int', default: -1, doc: 'First normalized axis; negative counts from the end.' },
    epsilon: { kind: 'float', default: 1e-5, doc: 'Added to the variance for stability.' },
  },
  infer: (inputs, attrs, ctx) => {
    const x = need(inputs, 0, 'X');
    requireFloat(x, 'X');
    if (x.shape.length === 0) throw new ShapeError(`X must have rank ≥ 1, got a scalar`);
    float(attrs, 'epsilon');
    const axis = normAxis(int(attrs, 'axis'), x.shape.length, x);
    const norm = x.shape.slice(axis);
    for (const [i, name] of [[1, 'Scale'], [2, 'B']] as const) {
      const t = i === 1 ? need(inputs, 1, name) : inputs[2];
      if (!t) continue;
      requireFloat(t, name);
      if (t.shape.length !== norm.length) {
        throw new ShapeError(`${name} ${formatShape(t.shape)} must have the normalized shape ${formatShape(norm)} of X ${formatShape(x.shape)}`);
      }
      t.shape.forEach((d, j) => ctx.unify(d, norm[j]!, () => `${name} ${formatShape(t.shape)} vs the normalized shape ${formatShape(norm)} of X`));
    }
    return [{ dtype: 'f32', shape: [...x.shape] }];
  },
  flops: ([x]) => 5 * numelPerSample(x!.shape),
};

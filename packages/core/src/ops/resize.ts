import { formatShape, numelPerSample } from '../dims.js';
import type { Dim } from '../ir.js';
import { ShapeError, type OpSchema } from '../op-schema.js';
import { need, requireFloat } from './common.js';

/**
 * Resize with static scales (ONNX Resize-13 with the `scales` input folded into an attribute).
 * Output dim = floor(in·scale). The defaults ('asymmetric', 'floor') reproduce PyTorch's
 * `nn.Upsample(mode='nearest')`, so exported models match. A symbolic dim may only be scaled by
 * an integer (giving an expression symbol such as "time*2").
 */
export const Resize: OpSchema = {
  name: 'Resize',
  doc: 'Resizes by a per-axis scale factor with nearest (or linear) interpolation.',
  category: 'shape',
  inputs: [{ name: 'X' }],
  outputs: [{ name: 'Y' }],
  attrs: {
    mode: { kind: 'string', values: ['nearest', 'linear'], default: 'nearest', doc: "'nearest' or 'linear'." },
    scales: { kind: 'floats', doc: 'One scale per axis of X, e.g. [1, 1, 2, 2].' },
    coordinate_transformation_mode: {
      kind: 'string',
      values: ['asymmetric', 'half_pixel', 'pytorch_half_pixel', 'align_corners'],
      default: 'asymmetric', doc: "ONNX coordinate mapping; 'asymmetric' matches PyTorch nearest." },
    nearest_mode: { kind: 'string', values: ['floor', 'round_prefer_floor', 'round_prefer_ceil', 'ceil'], default: 'floor', doc: "Rounding for 'nearest'; 'floor' matches PyTorch." },
  },
  infer: (inputs, attrs) => {
    const x = need(inputs, 0, 'X');
    requireFloat(x, 'X');
    const scales = attrs['scales'] as number[];
    if (!Array.isArray(scales) || scales.length !== x.shape.length) {
      throw new ShapeError(`scales [${(scales ?? []).join(', ')}] must have one value per axis of X ${formatShape(x.shape)}`);
    }
    const out: Dim[] = x.shape.map((d, i) => {
      const s = scales[i]!;
      if (!(s > 0)) throw new ShapeError(`scales must be positive, got [${scales.join(', ')}]`);
      if (typeof d === 'number') {
        const v = Math.floor(d * s);
        if (v < 1) throw new ShapeError(`scale ${s} makes dim ${i} of X ${formatShape(x.shape)} empty`);
        return v;
      }
      if (s === 1) return d;
      if (!Number.isInteger(s)) throw new ShapeError(`the symbolic dim ${d} of X ${formatShape(x.shape)} can only be scaled by an integer, got ${s}`);
      return `${/^[A-Za-z_]\w*$/.test(d) ? d : `(${d})`}*${s}`;
    });
    return [{ dtype: 'f32', shape: out }];
  },
  flops: (_in, [y]) => numelPerSample(y!.shape),
};

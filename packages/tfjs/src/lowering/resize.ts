/**
 * Resize with the scales attribute (ONNX semantics: output dim = floor(in·scale)).
 * 'nearest' (every coordinate_transformation_mode and nearest_mode of the schema; the core
 * defaults 'asymmetric' + 'floor' are PyTorch's nn.Upsample) is one gather per resized axis with
 * precomputed source indices: exact for any scale, differentiable, and layout-agnostic (the
 * scales are permuted along). 'linear' on the two spatial axes of a 4-D input uses tfjs'
 * resizeBilinear (channels_last).
 */
import * as tf from '@tensorflow/tfjs-core';
import { Val, attrStr, channelsLastAxis, required, type Lowering } from './types.js';

export function nearestIndices(inLen: number, scale: number, coord: string, nearest: string): Int32Array {
  const out = Math.floor(inLen * scale);
  const idx = new Int32Array(out);
  for (let i = 0; i < out; i++) {
    let x: number;
    if (coord === 'asymmetric') x = i / scale;
    else if (coord === 'align_corners') x = out === 1 ? 0 : (i * (inLen - 1)) / (out - 1);
    else if (coord === 'pytorch_half_pixel') x = out > 1 ? (i + 0.5) / scale - 0.5 : 0;
    else x = (i + 0.5) / scale - 0.5;
    let j: number;
    if (nearest === 'floor') j = Math.floor(x);
    else if (nearest === 'ceil') j = Math.ceil(x);
    else if (nearest === 'round_prefer_ceil') j = Math.floor(x + 0.5);
    else j = Math.ceil(x - 0.5); // round_prefer_floor
    idx[i] = Math.min(Math.max(j, 0), inLen - 1);
  }
  return idx;
}

export const Resize: Lowering = {
  op: 'Resize',
  check: (node) => {
    const mode = node.attrs['mode'] ?? 'nearest';
    const scales = (node.attrs['scales'] as number[] | undefined) ?? [];
    if (mode === 'linear' && (scales.length !== 4 || scales[0] !== 1 || scales[1] !== 1)) {
      return "Resize mode 'linear' is supported for 4-D inputs scaled on the two spatial axes only";
    }
    if (node.inputs.slice(1).some((i) => i)) return 'Resize takes its scales as an attribute here; roi/scales/sizes inputs are not supported';
    return undefined;
  },
  run: (ctx, [x]) => {
    const v = required(x, 'X');
    const scales = (ctx.attrs['scales'] as number[] | undefined) ?? [];
    const coord = attrStr(ctx.attrs, 'coordinate_transformation_mode', 'asymmetric');
    const nearest = attrStr(ctx.attrs, 'nearest_mode', 'floor');
    if (attrStr(ctx.attrs, 'mode', 'nearest') === 'linear') {
      const x4 = v.channelsLast() as tf.Tensor4D;
      const size: [number, number] = [Math.floor(x4.shape[1] * scales[2]!), Math.floor(x4.shape[2] * scales[3]!)];
      const half = coord === 'half_pixel' || coord === 'pytorch_half_pixel';
      return [new Val(tf.image.resizeBilinear(x4, size, coord === 'align_corners', half), 'channels_last')];
    }
    let t = v.tensor;
    const rank = t.rank;
    scales.forEach((s, axis) => {
      if (s === 1) return;
      const phys = v.layout === 'channels_last' ? channelsLastAxis(axis, rank) : axis;
      const idx = nearestIndices(t.shape[phys]!, s, coord, nearest);
      t = tf.gather(t, tf.tensor1d(idx, 'int32'), phys);
    });
    return [new Val(t, v.layout)];
  },
};

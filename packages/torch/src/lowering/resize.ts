/**
 * Resize with static scales. The core default (nearest, asymmetric, floor) on spatial axes is
 * PyTorch's F.interpolate(mode='nearest'); 'linear' with half_pixel or align_corners on the two
 * spatial axes of a 4-D input is F.interpolate(mode='bilinear'). Every other nearest mode goes
 * through a helper that computes ONNX's source indices and gathers them (exact for any scale).
 */
import type { Node } from '@dlm/core';
import { py } from '../emitter.js';
import { str, type TorchLoweringRule } from './types.js';

function scalesOf(node: Node): number[] {
  const s = node.attrs['scales'];
  return Array.isArray(s) ? s.map(Number) : [];
}

export const resize: TorchLoweringRule = {
  op: 'Resize',
  emits: "F.interpolate (nearest / bilinear), or a gather helper for other nearest modes",
  unsupported(node, typeOf) {
    const mode = str(node.attrs, 'mode', 'nearest');
    const coord = str(node.attrs, 'coordinate_transformation_mode', 'asymmetric');
    const scales = scalesOf(node);
    if (node.inputs.slice(1).some((i) => i)) return 'roi/scales/sizes inputs are not supported (scales are an attribute)';
    if (mode === 'linear') {
      if (scales.length !== 4 || scales[0] !== 1 || scales[1] !== 1) return "'linear' is supported for 4-D inputs scaled on the two spatial axes only";
      if (coord === 'asymmetric') return "'linear' with coordinate_transformation_mode 'asymmetric' has no PyTorch equivalent";
      const t = typeOf(node.inputs[0]!);
      if (t && !t.shape.slice(2).every((d) => typeof d === 'number')) return "'linear' needs fixed spatial sizes";
    }
    return undefined;
  },
  lower(ctx) {
    const a = ctx.node.attrs;
    const scales = scalesOf(ctx.node);
    const coord = str(a, 'coordinate_transformation_mode', 'asymmetric');
    const nearest = str(a, 'nearest_mode', 'floor');
    const x = ctx.input(0);
    if (str(a, 'mode', 'nearest') === 'linear') {
      const shape = ctx.inputType(0)!.shape as number[];
      // Sizes, not scale factors: PyTorch then maps coordinates by in/out, as tfjs does.
      const size = [Math.floor(shape[2]! * scales[2]!), Math.floor(shape[3]! * scales[3]!)];
      ctx.assign(py.call('F.interpolate', [x], { size: py.tuple(size), mode: 'bilinear', align_corners: coord === 'align_corners' }));
      return;
    }
    const spatialOnly = scales.length >= 3 && scales[0] === 1 && scales[1] === 1 && scales.slice(2).every((s) => Number.isInteger(s));
    if (spatialOnly && coord === 'asymmetric' && nearest === 'floor') {
      const factors = scales.slice(2).map((s) => py.float(s));
      ctx.assign(py.call('F.interpolate', [x], { scale_factor: factors.length === 1 ? factors[0] : py.tuple(factors), mode: 'nearest' }));
      return;
    }
    const helper = ctx.helper('resize_nearest');
    ctx.assign(py.call(helper, [x, py.list(scales.map((s) => py.float(s))), coord, nearest]));
  },
};

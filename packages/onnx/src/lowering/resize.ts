/**
 * Resize: the IR's `scales` attribute becomes a float initializer input (opset ≥ 13, where `roi`
 * may be omitted). Coordinate attributes are copied when the IR has them; otherwise ONNX's
 * defaults apply, which is what the core op means (it has ONNX semantics).
 */
import { copyAttrs, type LoweringRule } from './types.js';

export const resize: LoweringRule = {
  op: 'Resize',
  minOpset: 13,
  emits: 'Resize (+ float scales initializer)',
  unsupported(node) {
    const s = node.attrs['scales'];
    if (!Array.isArray(s) || s.length === 0 || !s.every((v) => typeof v === 'number')) return `scales ${JSON.stringify(s)} must be a list of numbers`;
    return undefined;
  },
  lower(ctx) {
    const scales = ctx.node.attrs['scales'] as number[];
    ctx.emit(
      'Resize',
      [ctx.input(0), '', ctx.floats('scales', scales, [scales.length])],
      [ctx.output(0)],
      copyAttrs(ctx.node.attrs, { mode: 'string', coordinate_transformation_mode: 'string', nearest_mode: 'string' }),
    );
  },
};

/** Shape ops. Reshape's target shape is an attribute in the IR and an int64 initializer input in ONNX. */
import { direct, type LoweringRule } from './types.js';

export const flatten = direct('Flatten', 13, { axis: 'int' });
export const transpose = direct('Transpose', 13, { perm: 'ints' });
export const concat = direct('Concat', 13, { axis: 'int' });
export const gather = direct('Gather', 13, { axis: 'int' });

export const reshape: LoweringRule = {
  op: 'Reshape',
  minOpset: 13,
  emits: 'Reshape (+ int64 shape initializer)',
  unsupported(node) {
    const s = node.attrs['shape'];
    if (!Array.isArray(s) || !s.every((d) => typeof d === 'number' && Number.isInteger(d))) {
      return `the target shape ${JSON.stringify(s)} must be integers (use 0 to copy a symbolic dim, -1 to infer one)`;
    }
    return undefined;
  },
  lower(ctx) {
    const shape = ctx.node.attrs['shape'] as number[];
    ctx.emit('Reshape', [ctx.input(0), ctx.int64s('shape', shape, [shape.length])], [ctx.output(0)]);
  },
};

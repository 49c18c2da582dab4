/**
 * Normalization. BatchNormalization is exported in inference mode: the running mean and variance
 * (Param buffers) are initializers and only Y is produced. LayerNormalization exists from opset 17.
 */
import { copyAttrs, type LoweringRule } from './types.js';

export const batchNormalization: LoweringRule = {
  op: 'BatchNormalization',
  minOpset: 13,
  emits: 'BatchNormalization (inference mode)',
  lower(ctx) {
    ctx.emit(
      'BatchNormalization',
      [0, 1, 2, 3, 4].map((i) => ctx.input(i)),
      [ctx.output(0)],
      copyAttrs(ctx.node.attrs, { epsilon: 'float', momentum: 'float' }),
    );
  },
};

export const layerNormalization: LoweringRule = {
  op: 'LayerNormalization',
  minOpset: 17,
  emits: 'LayerNormalization',
  lower(ctx) {
    const ins = [0, 1, 2].map((i) => ctx.input(i));
    while (ins.length > 0 && ins[ins.length - 1] === '') ins.pop();
    ctx.emit('LayerNormalization', ins, [ctx.output(0)], copyAttrs(ctx.node.attrs, { axis: 'int', epsilon: 'float' }));
  },
};

/**
 * BatchNormalization and LayerNormalization. F.batch_norm with training=self.training uses batch
 * statistics and updates the running buffers with the unbiased variance, as dlm's trainer does;
 * ONNX's momentum m (weight of the old statistic) is PyTorch's 1 − m.
 */
import { py } from '../emitter.js';
import { num, type TorchLoweringRule } from './types.js';

export const batchNormalization: TorchLoweringRule = {
  op: 'BatchNormalization',
  emits: 'F.batch_norm (training=self.training)',
  lower(ctx) {
    const a = ctx.node.attrs;
    const momentum = 1 - num(a, 'momentum', 0.9);
    ctx.assign(
      py.call('F.batch_norm', [ctx.input(0), ctx.input(3), ctx.input(4), ctx.input(1), ctx.input(2)], {
        training: py.path('self.training'),
        // 1 − 0.9 in float64 is 0.09999999999999998; PyTorch users write 0.1.
        momentum: py.float(Number(momentum.toPrecision(12))),
        eps: py.float(num(a, 'epsilon', 1e-5)),
      }),
    );
  },
};

export const layerNormalization: TorchLoweringRule = {
  op: 'LayerNormalization',
  emits: 'F.layer_norm',
  unsupported(node, typeOf) {
    const scale = typeOf(node.inputs[1]!);
    if (scale && !scale.shape.every((d) => typeof d === 'number')) return 'the normalized shape must be fixed sizes';
    return undefined;
  },
  lower(ctx) {
    const shape = (ctx.inputType(1)?.shape ?? []) as number[];
    ctx.assign(
      py.call('F.layer_norm', [ctx.input(0), py.tuple(shape), ctx.input(1), ctx.has(2) ? ctx.input(2) : py.lit(null)], {
        eps: py.float(num(ctx.node.attrs, 'epsilon', 1e-5)),
      }),
    );
  },
};

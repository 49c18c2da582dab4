/**
 * `squeeze_excite`: the squeeze-and-excitation block of Hu et al. 2018 ("Squeeze-and-Excitation
 * Networks"). Each channel of an NCHW feature map is rescaled by a gate computed from the global
 * average of all channels: s = sigmoid(W2·relu(W1·avgpool(x) + b1) + b2), y = x · s.
 *
 * It expands into core ops only (GlobalAveragePool → Flatten → Gemm → Relu → Gemm → Sigmoid →
 * Reshape → Mul), so it trains on tfjs, exports to ONNX and draws in Mermaid without any backend
 * code. The declared `shape` rule (output = input) is checked by the compiler against the expansion.
 */
import { formatType, type Initializer, type LayerDef } from '@dlm/core';

/** PyTorch's nn.Linear default, U(±1/√fan_in); fan_out kept so a user's glorot/he init works. */
const linearInit = (fanIn: number, fanOut: number): Initializer => ({ kind: 'torch_default', args: { fan_in: fanIn, fan_out: fanOut } });

export const squeeze_excite: LayerDef = {
  name: 'squeeze_excite',
  family: 'custom',
  doc: 'Squeeze-and-excitation block: rescales each channel of an NCHW map by a learned gate computed from the global average of every channel. From Hu et al. 2018.',
  args: [
    { name: 'ratio', type: 'int', default: 4, min: 1, doc: 'Reduction ratio r: the bottleneck has channels/r units (at least 1).' },
  ],
  expand(ctx, [x], args) {
    const t = ctx.typeOf(x!);
    if (t.shape.length !== 4) ctx.fail(`expects an NCHW image batch (rank 4), got ${formatType(t)}`);
    const c = t.shape[1];
    if (typeof c !== 'number') return ctx.fail(`the channel count (axis 1) must be a fixed size, got ${String(c)}`);
    const hidden = Math.max(1, Math.floor(c / (args['ratio'] as number)));
    const w1 = ctx.param('reduce_weight', [hidden, c], linearInit(c, hidden));
    const b1 = ctx.param('reduce_bias', [hidden], linearInit(c, hidden));
    const w2 = ctx.param('expand_weight', [c, hidden], linearInit(hidden, c));
    const b2 = ctx.param('expand_bias', [c], linearInit(hidden, c));
    const [pooled] = ctx.op('GlobalAveragePool', [x!]); //             [N, C, 1, 1]
    const [flat] = ctx.op('Flatten', [pooled!], { axis: 1 }); //       [N, C]
    const [z] = ctx.op('Gemm', [flat!, w1, b1], { transB: 1 }); //     [N, C/r]
    const [r] = ctx.op('Relu', [z!]);
    const [e] = ctx.op('Gemm', [r!, w2, b2], { transB: 1 }); //        [N, C]
    const [s] = ctx.op('Sigmoid', [e!]);
    const [gate] = ctx.op('Reshape', [s!], { shape: [0, c, 1, 1] }); // [N, C, 1, 1]
    return ctx.op('Mul', [x!, gate!]); //                               [N, C, H, W]
  },
  /** A gate rescales channels; it never changes the shape. */
  shape: ([x]) => [x!],
  label: (a) => `squeeze-excite r=${a['ratio']}`,
  diagramClass: 'attention',
};

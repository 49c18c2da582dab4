import { formatShape, numelPerSample } from '../dims.js';
import type { OpSchema } from '../op-schema.js';
import { broadcast, float, int, need, requireFloat, requireRank } from './common.js';
import { ShapeError } from '../op-schema.js';

/**
 * General matrix multiply (ONNX Gemm-13): Y = alpha·op(A)·op(B) + beta·C with op = transpose
 * when transA/transB is 1. `dense` on 2-D inputs lowers to Gemm with transB=1 so the weight is
 * [units, in] like PyTorch's Linear. FLOPs: 2·K per output element, plus one per element for C.
 */
export const Gemm: OpSchema = {
  name: 'Gemm',
  doc: 'Y = alpha·op(A)·op(B) + beta·C; A [M, K] (transA: [K, M]), B [K, N] (transB: [N, K]), C broadcast to [M, N].',
  category: 'linear',
  inputs: [{ name: 'A' }, { name: 'B' }, { name: 'C', optional: true }],
  outputs: [{ name: 'Y' }],
  attrs: {
    alpha: { kind: 'float', default: 1.0, doc: 'Scale of A·B.' },
    beta: { kind: 'float', default: 1.0, doc: 'Scale of C.' },
    transA: { kind: 'int', default: 0, doc: '1 to transpose A.' },
    transB: { kind: 'int', default: 0, doc: '1 to transpose B.' },
  },
  infer: (inputs, attrs, ctx) => {
    const a = need(inputs, 0, 'A');
    const b = need(inputs, 1, 'B');
    const c = inputs[2];
    requireFloat(a, 'A');
    requireFloat(b, 'B');
    requireRank(a, 2, 2, 'A');
    requireRank(b, 2, 2, 'B');
    float(attrs, 'alpha');
    float(attrs, 'beta');
    const ta = int(attrs, 'transA');
    const tb = int(attrs, 'transB');
    const [m, ka] = ta ? [a.shape[1]!, a.shape[0]!] : [a.shape[0]!, a.shape[1]!];
    const [kb, n] = tb ? [b.shape[1]!, b.shape[0]!] : [b.shape[0]!, b.shape[1]!];
    ctx.unify(ka, kb, () => `inner dims of A ${formatShape(a.shape)}${ta ? ' (transposed)' : ''} and B ${formatShape(b.shape)}${tb ? ' (transposed)' : ''}`);
    if (c) {
      requireFloat(c, 'C');
      requireRank(c, 0, 2, 'C');
      const bc = broadcast(c.shape, [m, n]);
      if (bc.length !== 2 || bc[0] !== m || bc[1] !== n) {
        throw new ShapeError(`C ${formatShape(c.shape)} does not broadcast to the output [${m}, ${n}]`);
      }
    }
    return [{ dtype: 'f32', shape: [m, n] }];
  },
  flops: ([a, , c], [y], attrs) => {
    const k = a!.shape[attrs['transA'] ? 0 : 1]!;
    const per = numelPerSample(y!.shape);
    return 2 * (typeof k === 'number' ? k : 1) * per + (c ? per : 0);
  },
};

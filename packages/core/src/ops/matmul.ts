import { formatShape, numelPerSample } from '../dims.js';
import type { Dim } from '../ir.js';
import type { OpSchema } from '../op-schema.js';
import { broadcast, need, requireFloat, requireRank } from './common.js';

/**
 * NumPy matmul (ONNX MatMul-13): 1-D operands are promoted (and the added dim removed again),
 * leading batch dims broadcast. FLOPs: 2·K per output element.
 */
export const MatMul: OpSchema = {
  name: 'MatMul',
  doc: 'Matrix product with NumPy semantics: [..., M, K] × [..., K, N] → [..., M, N], batch dims broadcast.',
  category: 'linear',
  inputs: [{ name: 'A' }, { name: 'B' }],
  outputs: [{ name: 'Y' }],
  attrs: {},
  infer: (inputs, _a, ctx) => {
    const a = need(inputs, 0, 'A');
    const b = need(inputs, 1, 'B');
    requireFloat(a, 'A');
    requireFloat(b, 'B');
    requireRank(a, 1, Infinity, 'A');
    requireRank(b, 1, Infinity, 'B');
    const as: Dim[] = a.shape.length === 1 ? [1, a.shape[0]!] : [...a.shape];
    const bs: Dim[] = b.shape.length === 1 ? [b.shape[0]!, 1] : [...b.shape];
    ctx.unify(as[as.length - 1]!, bs[bs.length - 2]!, () => `inner dims of A ${formatShape(a.shape)} and B ${formatShape(b.shape)}`);
    const batch = broadcast(as.slice(0, -2), bs.slice(0, -2));
    const out: Dim[] = [...batch];
    if (a.shape.length > 1) out.push(as[as.length - 2]!);
    if (b.shape.length > 1) out.push(bs[bs.length - 1]!);
    return [{ dtype: a.dtype, shape: out }];
  },
  flops: ([a], [y]) => {
    const k = a!.shape[a!.shape.length - 1]!;
    return 2 * (typeof k === 'number' ? k : 1) * numelPerSample(y!.shape);
  },
};

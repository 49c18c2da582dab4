/**
 * MaxPool, AveragePool, GlobalAveragePool. ONNX's pool semantics (ceil_mode drops a window that
 * would start in the end padding, count_include_pad counts explicit pads but never the ceil
 * overflow) are PyTorch's, so symmetric pads map to F.max_pool / F.avg_pool directly. Asymmetric
 * pads are written as an explicit F.pad (−∞ for max, zeros for average with count_include_pad).
 */
import type { Node } from '@dlm/core';
import { py } from '../emitter.js';
import { compact, ints, num, padsOf, perAxis, torchPadList, type TorchLoweringRule } from './types.js';

function spatialDims(node: Node): number {
  return ints(node.attrs, 'kernel_shape').length;
}

function checkPool(kind: 'max' | 'avg') {
  return (node: Node): string | undefined => {
    const n = spatialDims(node);
    if (n < 1 || n > 3) return `${n} spatial dims (PyTorch pools 1-D, 2-D and 3-D)`;
    const p = padsOf(node.attrs, n);
    if (p.symmetric) return undefined;
    if (num(node.attrs, 'ceil_mode', 0) !== 0) return 'asymmetric pads together with ceil_mode are not supported';
    if (kind === 'avg' && num(node.attrs, 'count_include_pad', 0) === 0) return 'asymmetric pads with count_include_pad=0 are not supported';
    return undefined;
  };
}

export const maxPool: TorchLoweringRule = {
  op: 'MaxPool',
  emits: 'F.max_pool1d / 2d / 3d (+ F.pad with −∞ for asymmetric pads)',
  unsupported: checkPool('max'),
  lower(ctx) {
    const a = ctx.node.attrs;
    const n = spatialDims(ctx.node);
    const p = padsOf(a, n);
    let x = ctx.input(0);
    if (!p.symmetric) x = ctx.temp('padded', py.call('F.pad', [x, torchPadList(p.begin, p.end)], { value: py.lit({ float: -Infinity }) }));
    const dilation = compact(perAxis(a, 'dilations', n, 1));
    ctx.assign(
      py.call(`F.max_pool${n}d`, [x, compact(ints(a, 'kernel_shape'))], {
        // ONNX's default stride is 1, PyTorch's is the kernel: always written out.
        stride: compact(perAxis(a, 'strides', n, 1)),
        padding: p.symmetric && p.begin.some((v) => v !== 0) ? compact(p.begin) : undefined,
        dilation: dilation === 1 ? undefined : dilation,
        ceil_mode: num(a, 'ceil_mode', 0) !== 0 ? true : undefined,
      }),
    );
  },
};

export const averagePool: TorchLoweringRule = {
  op: 'AveragePool',
  emits: 'F.avg_pool1d / 2d / 3d (+ F.pad for asymmetric pads)',
  unsupported: checkPool('avg'),
  lower(ctx) {
    const a = ctx.node.attrs;
    const n = spatialDims(ctx.node);
    const p = padsOf(a, n);
    let x = ctx.input(0);
    if (!p.symmetric) x = ctx.temp('padded', py.call('F.pad', [x, torchPadList(p.begin, p.end)]));
    const padded = p.symmetric && p.begin.some((v) => v !== 0);
    ctx.assign(
      py.call(`F.avg_pool${n}d`, [x, compact(ints(a, 'kernel_shape'))], {
        stride: compact(perAxis(a, 'strides', n, 1)),
        padding: padded ? compact(p.begin) : undefined,
        ceil_mode: num(a, 'ceil_mode', 0) !== 0 ? true : undefined,
        // PyTorch counts pads by default, ONNX (and dlm) do not: stated whenever it matters.
        count_include_pad: padded || num(a, 'ceil_mode', 0) !== 0 ? num(a, 'count_include_pad', 0) !== 0 : undefined,
      }),
    );
  },
};

export const globalAveragePool: TorchLoweringRule = {
  op: 'GlobalAveragePool',
  emits: 'Tensor.mean over the spatial dims (keepdim)',
  lower(ctx) {
    const rank = ctx.inputType(0)?.shape.length ?? 4;
    const dims = Array.from({ length: rank - 2 }, (_, i) => i + 2);
    ctx.assign(py.method(ctx.input(0), 'mean', [], { dim: py.tuple(dims), keepdim: true }));
  },
};

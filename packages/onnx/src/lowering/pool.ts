/**
 * Pooling. AveragePool has no dilations before opset 19, so the IR does not carry them.
 *
 * ceil_mode: the IR (like PyTorch and ONNX 19+) drops a last window that would start inside the
 * end padding; ONNX ≤ 18's formula keeps it (5 wide, kernel 2, stride 2, pads 1+1: IR 3, ONNX 4).
 * onnxruntime computes the IR's size, but the ONNX checker's shape inference would contradict the
 * declared shapes. Such nodes are written with ceil_mode 0 and, on axes where ceil really adds a
 * window, that window's missing end padding made explicit: the same windows, a size every
 * reader agrees on. (For MaxPool and AveragePool without count_include_pad the extra padding
 * is never read; with count_include_pad it would count, so that case needs opset 19.)
 */
import type { Node, TensorType } from '@dlm/core';
import { attr } from '../proto.js';
import { copyAttrs, direct, type AttrKindMap, type LoweringRule } from './types.js';

interface CeilPlan {
  /** End padding to add per spatial axis. */
  extra: number[];
}

const list = (v: unknown, n: number, fill: number): number[] => (Array.isArray(v) && v.length ? (v as number[]) : new Array<number>(n).fill(fill));

/** undefined: ceil_mode is off, the shapes are symbolic, or ONNX ≤ 18 agrees; else how to rewrite. */
export function ceilPlan(node: Node, x: TensorType | undefined): CeilPlan | undefined {
  if (node.attrs['ceil_mode'] !== 1 || !x) return undefined;
  const spatial = x.shape.slice(2);
  if (spatial.some((d) => typeof d !== 'number')) return undefined;
  const n = spatial.length;
  const k = node.attrs['kernel_shape'] as number[];
  const s = list(node.attrs['strides'], n, 1);
  const dil = list(node.attrs['dilations'], n, 1);
  const pads = list(node.attrs['pads'], 2 * n, 0);
  let differs = false;
  const extra = spatial.map((d, i) => {
    const size = d as number;
    const span = dil[i]! * (k[i]! - 1) + 1;
    const num = size + pads[i]! + pads[n + i]! - span;
    const floorOut = Math.floor(num / s[i]!) + 1;
    let out = Math.ceil(num / s[i]!) + 1;
    if ((out - 1) * s[i]! >= size + pads[i]!) {
      out--;
      differs = true;
    }
    return out > floorOut ? (out - 1) * s[i]! + span - (size + pads[i]! + pads[n + i]!) : 0;
  });
  return differs ? { extra } : undefined;
}

function pool(op: 'MaxPool' | 'AveragePool', kinds: AttrKindMap): LoweringRule {
  const plain = direct(op, 13, kinds);
  return {
    op,
    minOpset: 13,
    emits: `${op} (ceil_mode windows that ONNX ≤ 18 sizes differently: explicit end padding)`,
    nodeOpset(node, _options, typeOf) {
      const plan = ceilPlan(node, typeOf(node.inputs[0]!));
      return plan && node.attrs['count_include_pad'] === 1 && plan.extra.some((e) => e > 0) ? 19 : 13;
    },
    lower(ctx) {
      const plan = ceilPlan(ctx.node, ctx.typeOf(ctx.node.inputs[0]!));
      if (!plan) return plain.lower(ctx);
      const n = plan.extra.length;
      const pads = list(ctx.node.attrs['pads'], 2 * n, 0).map((p, i) => (i >= n ? p + plan.extra[i - n]! : p));
      ctx.emit(op, [ctx.input(0)], [ctx.output(0)], {
        ...copyAttrs(ctx.node.attrs, kinds),
        pads: attr.ints(pads),
        ceil_mode: attr.int(0),
      });
    },
  };
}

export const maxPool = pool('MaxPool', { kernel_shape: 'ints', strides: 'ints', pads: 'ints', dilations: 'ints', ceil_mode: 'int' });
export const averagePool = pool('AveragePool', { kernel_shape: 'ints', strides: 'ints', pads: 'ints', count_include_pad: 'int', ceil_mode: 'int' });
export const globalAveragePool = direct('GlobalAveragePool', 13);

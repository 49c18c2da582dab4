/**
 * MaxPool, AveragePool (1-D and 2-D, ONNX semantics incl. asymmetric pads and ceil_mode) and
 * GlobalAveragePool, on channels_last tensors.
 *
 * ceil_mode: the extra windows become extra end padding (a window may not start in the end
 * padding, as in PyTorch / ONNX ≥ 19). MaxPool passes explicit padding to tfjs, whose kernels
 * ignore padded cells (= −∞ padding). AveragePool is computed as a 'valid' average over a
 * zero-padded input rescaled by a constant k/count map, because tfjs' AvgPoolGrad always
 * divides by the full window size, which disagrees with its own forward pass when padding is
 * excluded from the count.
 */
import * as tf from '@tensorflow/tfjs-core';
import { Val, attrNum, required, type Lowering } from './types.js';
import { lift2d, spatialAttrs, type SpatialAttrs } from './conv.js';

/** Output size along one axis and the extra end padding ceil_mode needs. */
export function poolOutSize(inp: number, k: number, s: number, pb: number, pe: number, ceil: boolean): { out: number; extra: number } {
  const num = inp + pb + pe - k;
  let out = ceil ? Math.ceil(num / s) + 1 : Math.floor(num / s) + 1;
  if (ceil && (out - 1) * s >= inp + pb) out--;
  const extra = Math.max(0, (out - 1) * s + k - (inp + pb + pe));
  return { out, extra };
}

function prepare(ctx: { attrs: Record<string, unknown> }, xv: Val): { x4: tf.Tensor4D; s: SpatialAttrs; extra: number[]; outs: number[]; oneD: boolean } {
  const oneD = xv.rank === 3;
  const s = lift2d(spatialAttrs(ctx.attrs, oneD ? 1 : 2));
  let xt = xv.channelsLast();
  if (oneD) xt = tf.expandDims(xt, 1);
  const x4 = xt as tf.Tensor4D;
  const ceil = attrNum(ctx.attrs as Record<string, number>, 'ceil_mode', 0) !== 0;
  const extra: number[] = [];
  const outs: number[] = [];
  for (let i = 0; i < 2; i++) {
    const r = poolOutSize(x4.shape[i + 1]!, s.kernel[i]!, s.strides[i]!, s.padBegin[i]!, s.padEnd[i]!, ceil);
    extra.push(r.extra);
    outs.push(r.out);
  }
  return { x4, s, extra, outs, oneD };
}

function finish(y: tf.Tensor, oneD: boolean): Val[] {
  return [new Val(oneD ? tf.squeeze(y, [1]) : y, 'channels_last')];
}

const anyPad = (s: SpatialAttrs, extra: number[]) => [...s.padBegin, ...s.padEnd, ...extra].some((p) => p !== 0);

const dilationCheck = (node: { attrs: Record<string, unknown> }) => {
  const d = node.attrs['dilations'];
  return Array.isArray(d) && d.some((v) => v !== 1) ? 'pooling with dilations > 1 is not supported' : undefined;
};

export const MaxPool: Lowering = {
  op: 'MaxPool',
  check: (node) => {
    const k = node.attrs['kernel_shape'];
    if (Array.isArray(k) && k.length > 2) return `MaxPool with ${k.length} spatial dims is not supported (1-D and 2-D only)`;
    return dilationCheck(node);
  },
  run: (ctx, [x]) => {
    const { x4, s, extra, oneD } = prepare(ctx, required(x, 'X'));
    const k = s.kernel as [number, number];
    const st = s.strides as [number, number];
    const pad = anyPad(s, extra)
      ? ([[0, 0], [s.padBegin[0]!, s.padEnd[0]! + extra[0]!], [s.padBegin[1]!, s.padEnd[1]! + extra[1]!], [0, 0]] as [[number, number], [number, number], [number, number], [number, number]])
      : 'valid';
    return finish(tf.maxPool(x4, k, st, pad), oneD);
  },
};

/** Per-output-position divisor rescale k/count as a [1, oh, ow, 1] constant. */
function avgRescale(inH: number, inW: number, s: SpatialAttrs, outs: number[], includePad: boolean): tf.Tensor4D {
  const [kh, kw] = s.kernel as [number, number];
  const [sh, sw] = s.strides as [number, number];
  const [oh, ow] = outs as [number, number];
  const vals = new Float32Array(oh * ow);
  // Cells that count: the input, plus the explicit pads when count_include_pad (never the ceil overflow).
  const loH = includePad ? -s.padBegin[0]! : 0;
  const hiH = includePad ? inH + s.padEnd[0]! : inH;
  const loW = includePad ? -s.padBegin[1]! : 0;
  const hiW = includePad ? inW + s.padEnd[1]! : inW;
  for (let i = 0; i < oh; i++) {
    const h0 = i * sh - s.padBegin[0]!;
    const ch = Math.max(0, Math.min(h0 + kh, hiH) - Math.max(h0, loH));
    for (let j = 0; j < ow; j++) {
      const w0 = j * sw - s.padBegin[1]!;
      const cw = Math.max(0, Math.min(w0 + kw, hiW) - Math.max(w0, loW));
      vals[i * ow + j] = ch * cw > 0 ? (kh * kw) / (ch * cw) : 0;
    }
  }
  return tf.tensor4d(vals, [1, oh, ow, 1]);
}

export const AveragePool: Lowering = {
  op: 'AveragePool',
  check: (node) => {
    const k = node.attrs['kernel_shape'];
    if (Array.isArray(k) && k.length > 2) return `AveragePool with ${k.length} spatial dims is not supported (1-D and 2-D only)`;
    return dilationCheck(node);
  },
  run: (ctx, [x]) => {
    const { x4, s, extra, outs, oneD } = prepare(ctx, required(x, 'X'));
    const k = s.kernel as [number, number];
    const st = s.strides as [number, number];
    if (!anyPad(s, extra)) return finish(tf.avgPool(x4, k, st, 'valid'), oneD);
    const padded = tf.pad(x4, [[0, 0], [s.padBegin[0]!, s.padEnd[0]! + extra[0]!], [s.padBegin[1]!, s.padEnd[1]! + extra[1]!], [0, 0]]);
    const includePad = attrNum(ctx.attrs, 'count_include_pad', 0) !== 0;
    const y = tf.mul(tf.avgPool(padded, k, st, 'valid'), avgRescale(x4.shape[1], x4.shape[2], s, outs, includePad));
    return finish(y, oneD);
  },
};

export const GlobalAveragePool: Lowering = {
  op: 'GlobalAveragePool',
  run: (_ctx, [x]) => {
    const xv = required(x, 'X');
    const t = xv.channelsLast();
    const axes = Array.from({ length: t.rank - 2 }, (_, i) => i + 1);
    return [new Val(tf.mean(t, axes, true), 'channels_last')];
  },
};

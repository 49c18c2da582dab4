/**
 * Conv (1-D and 2-D, ONNX semantics) on tfjs' channels-last kernels.
 * The input is taken channels_last ([N,H,W,C]; 1-D as [N,1,L,C]) and the output stays
 * channels_last, so chains of conv/pool/activation need no transposes. ONNX weights
 * [M, C/group, kH, kW] become tfjs filters [kH, kW, C/group, M] (a small per-step transpose that
 * the gradient flows through). group == C uses depthwiseConv2d; other groups split and concat.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Node } from '@dlm/core';
import { conv2dWithBias } from '../fused-conv.js';
import { Val, attrInts, attrNum, required, type Lowering } from './types.js';

export interface SpatialAttrs {
  kernel: number[];
  strides: number[];
  dilations: number[];
  padBegin: number[];
  padEnd: number[];
}

/** Kernel/stride/dilation/pads for `n` spatial axes with ONNX defaults. */
export function spatialAttrs(attrs: Record<string, unknown>, n: number, kernelFromWeight?: number[]): SpatialAttrs {
  const a = attrs as Record<string, import('@dlm/core').AttrValue>;
  const fill = (v: number[], d: number) => (v.length === 0 ? new Array<number>(n).fill(d) : v);
  const kernel = attrInts(a, 'kernel_shape');
  const pads = attrInts(a, 'pads');
  return {
    kernel: kernel.length ? kernel : (kernelFromWeight ?? []),
    strides: fill(attrInts(a, 'strides'), 1),
    dilations: fill(attrInts(a, 'dilations'), 1),
    padBegin: pads.length ? pads.slice(0, n) : new Array<number>(n).fill(0),
    padEnd: pads.length ? pads.slice(n) : new Array<number>(n).fill(0),
  };
}

/** 1-D attributes lifted to 2-D with a leading height axis of size 1. */
export function lift2d(s: SpatialAttrs): SpatialAttrs {
  if (s.strides.length === 2) return s;
  return {
    kernel: [1, s.kernel[0]!],
    strides: [1, s.strides[0]!],
    dilations: [1, s.dilations[0]!],
    padBegin: [0, s.padBegin[0]!],
    padEnd: [0, s.padEnd[0]!],
  };
}

export function explicitPads(s: SpatialAttrs, extraEnd: number[] = [0, 0]): [[number, number], [number, number], [number, number], [number, number]] {
  return [
    [0, 0],
    [s.padBegin[0]!, s.padEnd[0]! + extraEnd[0]!],
    [s.padBegin[1]!, s.padEnd[1]! + extraEnd[1]!],
    [0, 0],
  ];
}

/**
 * Inserts (d-1) zeros between kernel taps, so that a dilated conv becomes an undilated one: tfjs
 * has no conv gradients for dilation > 1 and refuses stride > 1 with dilation > 1. Exactly
 * equivalent; differentiable (pad + reshape + slice).
 */
export function dilateFilter(f: tf.Tensor4D, d: [number, number]): tf.Tensor4D {
  const [kh, kw, ci, co] = f.shape;
  let t: tf.Tensor = f;
  if (d[0] > 1) {
    // Rank ≤ 4 throughout: the WebGPU backend cannot index tensors of rank > 4 in some kernels.
    t = tf.pad(tf.reshape(t, [kh, 1, kw * ci * co]), [[0, 0], [0, d[0] - 1], [0, 0]]);
    t = tf.slice(tf.reshape(t, [kh * d[0], kw, ci, co]), [0, 0, 0, 0], [(kh - 1) * d[0] + 1, kw, ci, co]);
  }
  const h = t.shape[0]!;
  if (d[1] > 1) {
    t = tf.pad(tf.reshape(t, [h, kw, 1, ci * co]), [[0, 0], [0, 0], [0, d[1] - 1], [0, 0]]);
    t = tf.slice(tf.reshape(t, [h, kw * d[1], ci, co]), [0, 0, 0, 0], [h, (kw - 1) * d[1] + 1, ci, co]);
  }
  return t as tf.Tensor4D;
}

/** ONNX conv weight [M, C/g, k...] → tfjs filter [kH, kW, C/g, M] (1-D: kH = 1). */
function toFilter(w: tf.Tensor): tf.Tensor4D {
  const w4 = w.rank === 3 ? tf.reshape(w, [w.shape[0]!, w.shape[1]!, 1, w.shape[2]!]) : w;
  return tf.transpose(w4, [2, 3, 1, 0]) as tf.Tensor4D;
}

function conv2dNHWC(x: tf.Tensor4D, filter: tf.Tensor4D, s: SpatialAttrs, bias?: tf.Tensor): tf.Tensor4D {
  const strides = s.strides as [number, number];
  // tfjs has no conv gradients for dilation > 1 (and refuses stride > 1 with dilation > 1):
  // a zero-stuffed kernel with dilation 1 is the same function and trains.
  const f = dilateFilter(filter, s.dilations as [number, number]);
  // The bias is added inside the conv kernel (fused-conv.ts; not tf.fused.conv2d, whose gradient
  // always computes the input gradient too: a wasted Conv2DBackpropInput for a first layer).
  return conv2dWithBias(x, f, strides, explicitPads(s), bias);
}

function depthwiseNHWC(x: tf.Tensor4D, w: tf.Tensor, s: SpatialAttrs, channels: number, bias?: tf.Tensor): tf.Tensor4D {
  // W [C*mult, 1, kH, kW]: output channel c*mult+q reads input channel c, as in tfjs' depthwise.
  const w4 = w.rank === 3 ? tf.reshape(w, [w.shape[0]!, 1, 1, w.shape[2]!]) : w;
  const [m, , kh, kw] = w4.shape as [number, number, number, number];
  const f = dilateFilter(tf.transpose(tf.reshape(w4, [channels, m / channels, kh, kw]), [2, 3, 0, 1]) as tf.Tensor4D, s.dilations as [number, number]);
  const y = tf.depthwiseConv2d(x, f, s.strides as [number, number], explicitPads(s), 'NHWC', 1);
  return bias ? tf.add(y, bias) : y;
}

export const Conv: Lowering = {
  op: 'Conv',
  check: (node: Node) => {
    const k = node.attrs['kernel_shape'];
    if (Array.isArray(k) && k.length > 2) return `Conv with ${k.length} spatial dims is not supported (1-D and 2-D only)`;
    return undefined;
  },
  run: (ctx, [x, w, b]) => {
    const xv = required(x, 'X');
    const wt = required(w, 'W').canonical();
    const bias = b?.canonical();
    const oneD = xv.rank === 3;
    const s = lift2d(spatialAttrs(ctx.attrs, oneD ? 1 : 2, wt.shape.slice(2)));
    let xt = xv.channelsLast();
    if (oneD) xt = tf.expandDims(xt, 1);
    const x4 = xt as tf.Tensor4D;
    const group = attrNum(ctx.attrs, 'group', 1);
    const c = x4.shape[3];
    const m = wt.shape[0]!;
    let y: tf.Tensor4D;
    if (group === 1) {
      y = conv2dNHWC(x4, toFilter(wt), s, bias);
    } else if (group === c && m % c === 0) {
      y = depthwiseNHWC(x4, wt, s, c, bias);
    } else {
      const xs = tf.split(x4, group, 3);
      const ws = tf.split(wt, group, 0);
      const ys = xs.map((xi, i) => conv2dNHWC(xi as tf.Tensor4D, toFilter(ws[i]!), s));
      y = tf.concat(ys, 3) as tf.Tensor4D;
      if (bias) y = tf.add(y, bias);
    }
    return [new Val(oneD ? tf.squeeze(y, [1]) : y, 'channels_last')];
  },
};

/**
 * ConvTranspose (1-D and 2-D, ONNX semantics): W [C, M/group, kH, kW]. Computed as the full
 * ('valid') transposed convolution, then output_padding zeros appended at the end and `pads`
 * cropped, which gives ONNX's size rule stride·(in−1) + output_padding + ((k−1)·d+1) − pads.
 * Dilation is applied by dilating the kernel (tfjs' conv2dTranspose has none).
 */
import * as tf from '@tensorflow/tfjs-core';
import { Val, attrInts, attrNum, required, type Lowering } from './types.js';
import { dilateFilter, lift2d, spatialAttrs } from './conv.js';

function transposeOne(x: tf.Tensor4D, w: tf.Tensor, strides: [number, number], dil: [number, number]): tf.Tensor4D {
  // [C, M/g, kH, kW] → tfjs [kH, kW, outDepth = M/g, inDepth = C]
  const w4 = w.rank === 3 ? tf.reshape(w, [w.shape[0]!, w.shape[1]!, 1, w.shape[2]!]) : w;
  const f = dilateFilter(tf.transpose(w4, [2, 3, 1, 0]) as tf.Tensor4D, dil);
  const [n, h, wd] = x.shape;
  const [kh, kw, out] = f.shape;
  const oh = (h - 1) * strides[0] + kh;
  const ow = (wd - 1) * strides[1] + kw;
  return tf.conv2dTranspose(x, f, [n, oh, ow, out], strides, 'valid');
}

export const ConvTranspose: Lowering = {
  op: 'ConvTranspose',
  check: (node) => {
    const os = node.attrs['output_shape'];
    if (Array.isArray(os) && os.length > 0) return 'ConvTranspose output_shape is not supported; give pads and output_padding';
    const k = node.attrs['kernel_shape'];
    if (Array.isArray(k) && k.length > 2) return `ConvTranspose with ${k.length} spatial dims is not supported (1-D and 2-D only)`;
    return undefined;
  },
  run: (ctx, [x, w, b]) => {
    const xv = required(x, 'X');
    const wt = required(w, 'W').canonical();
    const oneD = xv.rank === 3;
    const n = oneD ? 1 : 2;
    const s = lift2d(spatialAttrs(ctx.attrs, n, wt.shape.slice(2)));
    const opad0 = attrInts(ctx.attrs, 'output_padding');
    const opad = opad0.length === 0 ? [0, 0] : oneD ? [0, opad0[0]!] : opad0;
    let xt = xv.channelsLast();
    if (oneD) xt = tf.expandDims(xt, 1);
    const x4 = xt as tf.Tensor4D;
    const group = attrNum(ctx.attrs, 'group', 1);
    const strides = s.strides as [number, number];
    const dil = s.dilations as [number, number];
    let y: tf.Tensor4D;
    if (group === 1) y = transposeOne(x4, wt, strides, dil);
    else {
      const xs = tf.split(x4, group, 3);
      const ws = tf.split(wt, group, 0);
      y = tf.concat(xs.map((xi, i) => transposeOne(xi as tf.Tensor4D, ws[i]!, strides, dil)), 3) as tf.Tensor4D;
    }
    if (opad[0]! > 0 || opad[1]! > 0) y = tf.pad(y, [[0, 0], [0, opad[0]!], [0, opad[1]!], [0, 0]]);
    const [nb, fh, fw, fc] = y.shape;
    const oh = fh - s.padBegin[0]! - s.padEnd[0]!;
    const ow = fw - s.padBegin[1]! - s.padEnd[1]!;
    if (oh !== fh || ow !== fw) y = tf.slice(y, [0, s.padBegin[0]!, s.padBegin[1]!, 0], [nb, oh, ow, fc]);
    if (b) y = tf.add(y, b.canonical());
    return [new Val(oneD ? tf.squeeze(y, [1]) : y, 'channels_last')];
  },
};

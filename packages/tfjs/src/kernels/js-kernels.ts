/**
 * Plain-JS kernels for gradients tfjs-backend-wasm 4.22 does not register at all, so that every
 * core op trains on wasm: UnsortedSegmentSum (the gradient of Gather: embeddings, Resize) and the
 * depthwise conv gradients. Straight loops over NHWC data, checked against the cpu backend in the
 * conformance suite. Not hot paths for the seed models; correctness first.
 */
import * as tf from '@tensorflow/tfjs-core';
import { jsKernelIO, type Backend } from './util.js';

type Info = tf.TensorInfo;
type Args = Parameters<tf.KernelFunc>[0];

export function unsortedSegmentSum({ inputs, backend, attrs }: Args): Info {
  const b = backend as Backend;
  const { x, segmentIds } = inputs as { x: Info; segmentIds: Info };
  const numSegments = (attrs as unknown as { numSegments: number }).numSegments;
  const ids = b.readSync(segmentIds.dataId) as Int32Array;
  const inner = ids.length === 0 ? 0 : x.shape.reduce((p, q) => p * q, 1) / ids.length;
  const io = jsKernelIO(b, [numSegments, ...x.shape.slice(segmentIds.shape.length)], [x]);
  const xv = io.ins[0]!;
  const out = io.out;
  for (let i = 0; i < ids.length; i++) {
    const s = ids[i]!;
    if (s < 0 || s >= numSegments) continue;
    for (let j = 0; j < inner; j++) out[s * inner + j] += xv[i * inner + j]!;
  }
  return io.finish();
}

interface DwAttrs {
  strides: number | [number, number];
  pad: unknown;
  dimRoundingMode?: unknown;
  dilations?: number | [number, number];
}

function dwInfo(xShape: number[], fShape: number[], a: DwAttrs) {
  return tf.backend_util.computeConv2DInfo(
    xShape as [number, number, number, number],
    fShape as [number, number, number, number],
    a.strides,
    a.dilations ?? 1,
    a.pad as 'valid',
    a.dimRoundingMode as 'floor' | undefined,
    true,
  );
}

/** Visits every (input cell, filter tap, output cell) triple of a depthwise conv. */
function forEachTap(
  info: ReturnType<typeof dwInfo>,
  f: (xIdx: number, fIdx: number, yIdx: number) => void,
): void {
  const { batchSize: n, inHeight: h, inWidth: w, inChannels: c, outHeight: oh, outWidth: ow, filterHeight: kh, filterWidth: kw } = info;
  const mult = info.outChannels / c;
  const { strideHeight: sh, strideWidth: sw, dilationHeight: dh, dilationWidth: dw } = info;
  const top = info.padInfo.top;
  const left = info.padInfo.left;
  for (let b = 0; b < n; b++)
    for (let i = 0; i < oh; i++)
      for (let j = 0; j < ow; j++)
        for (let u = 0; u < kh; u++) {
          const r = i * sh - top + u * dh;
          if (r < 0 || r >= h) continue;
          for (let v = 0; v < kw; v++) {
            const q = j * sw - left + v * dw;
            if (q < 0 || q >= w) continue;
            for (let ch = 0; ch < c; ch++)
              for (let m = 0; m < mult; m++) {
                f(((b * h + r) * w + q) * c + ch, ((u * kw + v) * c + ch) * mult + m, ((b * oh + i) * ow + j) * c * mult + ch * mult + m);
              }
          }
        }
}

export function depthwiseBackpropFilter({ inputs, backend, attrs }: Args): Info {
  const b = backend as Backend;
  const { x, dy } = inputs as { x: Info; dy: Info };
  const a = attrs as unknown as DwAttrs & { filterShape: number[] };
  const info = dwInfo(x.shape, a.filterShape, a);
  const io = jsKernelIO(b, a.filterShape, [x, dy]);
  const [xv, g] = io.ins as [Float32Array, Float32Array];
  const out = io.out;
  forEachTap(info, (xi, fi, yi) => (out[fi] += xv[xi]! * g[yi]!));
  return io.finish();
}

export function depthwiseBackpropInput({ inputs, backend, attrs }: Args): Info {
  const b = backend as Backend;
  const { dy, filter } = inputs as { dy: Info; filter: Info };
  const a = attrs as unknown as DwAttrs & { inputShape: number[] };
  const info = dwInfo(a.inputShape, filter.shape, a);
  const io = jsKernelIO(b, a.inputShape, [filter, dy]);
  const [fv, g] = io.ins as [Float32Array, Float32Array];
  const out = io.out;
  forEachTap(info, (xi, fi, yi) => (out[xi] += fv[fi]! * g[yi]!));
  return io.finish();
}

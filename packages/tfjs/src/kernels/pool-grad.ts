/**
 * MaxPoolGrad in plain JS for any backend (NHWC, any window, stride and padding; on wasm, max_pool(2)
 * runs in a WebAssembly SIMD kernel, pool-grad-simd.ts, with the same results). The gradient of
 * each window goes to ONE input cell: the first maximum in row-major window order, the same tie
 * rule as the cpu backend (strict `>`), so results agree exactly. One pass over the windows: far
 * faster than tfjs-backend-wasm's MaxPoolGrad, which rescans every window for every input cell.
 */
import * as tf from '@tensorflow/tfjs-core';
import { maxPoolGrad2x2Simd, poolGradSimdFits, poolGradSimdSupported } from './pool-grad-simd.js';
import { jsKernelIO, type Backend } from './util.js';

type Info = tf.TensorInfo;

/**
 * MaxPoolGrad; with `simd` (wasm's), 2×2 disjoint windows with the forward's output run in the
 * WebAssembly SIMD kernel (pool-grad-simd.ts, bit-identical to `windows2x2FromOutput`) where the
 * engine has SIMD: 0.27–0.29× the JS kernel's time per call on the MNIST CNN's pools (0.79 → 0.22 ms
 * and 0.18 → 0.05 ms, minimum, both alternating in one process, load ~2: tools/bench/pool-grad-simd.ts),
 * copies in and out included. cpu keeps the JS kernel (the conformance suite's reference backend).
 */
export function makeMaxPoolGrad(simd: boolean): tf.KernelFunc {
  return (args) => maxPoolGradWith(args, simd);
}

/** The JS kernel alone (the cpu backend's, and the reference of the SIMD one). */
export const maxPoolGrad: tf.KernelFunc = (args) => maxPoolGradWith(args, false);

function maxPoolGradWith({ inputs, backend, attrs }: Parameters<tf.KernelFunc>[0], simd: boolean): Info {
  const b = backend as Backend;
  const { dy, input, output } = inputs as { dy: Info; input: Info; output?: Info };
  const a = attrs as unknown as { filterSize: [number, number] | number; strides: [number, number] | number; pad: unknown; dimRoundingMode: unknown };
  const info = tf.backend_util.computePool2DInfo(input.shape as [number, number, number, number], a.filterSize, a.strides, 1, a.pad as 'valid', a.dimRoundingMode as 'floor' | undefined);
  const [n, h, w, c] = input.shape as [number, number, number, number];
  const { outHeight: oh, outWidth: ow, strideHeight: sh, strideWidth: sw, filterHeight: fh, filterWidth: fw } = info;
  const top = info.padInfo.top;
  const left = info.padInfo.left;
  const disjoint = sh === fh && sw === fw && top === 0 && left === 0 && oh * fh <= h && ow * fw <= w;
  if (disjoint && fh === 2 && fw === 2 && output) {
    const io = jsKernelIO(b, [n, h, w, c], [input, dy, output]);
    const [x, g, y] = io.ins as [Float32Array, Float32Array, Float32Array];
    if (simd && poolGradSimdSupported() && poolGradSimdFits(n, h, w, c, oh, ow)) maxPoolGrad2x2Simd(x, y, g, io.out, n, h, w, c, oh, ow);
    else windows2x2FromOutput(x, g, y, io.out, n, h, w, c, oh, ow);
    return io.finish();
  }
  const io = jsKernelIO(b, [n, h, w, c], [input, dy]);
  const [x, g] = io.ins as [Float32Array, Float32Array];
  const dx = io.out;
  if (disjoint) {
    disjointWindows(x, g, dx, n, h, w, c, oh, ow, fh, fw);
    return io.finish();
  }
  // Channels innermost: every read is contiguous; best/at hold the running max per channel.
  const best = new Float32Array(c);
  const at = new Int32Array(c);
  for (let bi = 0; bi < n; bi++) {
    for (let i = 0; i < oh; i++) {
      const r0 = i * sh - top;
      const rs = Math.max(0, r0);
      const re = Math.min(h, r0 + fh);
      for (let j = 0; j < ow; j++) {
        const c0 = j * sw - left;
        const cs = Math.max(0, c0);
        const ce = Math.min(w, c0 + fw);
        best.fill(-Infinity);
        at.fill(-1);
        for (let r = rs; r < re; r++) {
          for (let q = cs; q < ce; q++) {
            const base = ((bi * h + r) * w + q) * c;
            for (let ch = 0; ch < c; ch++) {
              const v = x[base + ch]!;
              if (v > best[ch]!) {
                best[ch] = v;
                at[ch] = base + ch;
              }
            }
          }
        }
        const gBase = ((bi * oh + i) * ow + j) * c;
        for (let ch = 0; ch < c; ch++) {
          const k = at[ch]!;
          if (k >= 0) dx[k] += g[gBase + ch]!;
        }
      }
    }
  }
  return io.finish();
}

/**
 * Non-overlapping windows without padding (max_pool(2) and friends): each output cell scans its
 * window row by row, left to right, keeping the running maximum in locals (no per-row scratch
 * arrays), so the first maximum wins exactly as in the general path. 2×2 windows, the common case,
 * are unrolled. Windows are disjoint, so each input cell receives at most one gradient.
 */
function disjointWindows(x: Float32Array, g: Float32Array, dx: Float32Array, n: number, h: number, w: number, c: number, oh: number, ow: number, fh: number, fw: number): void {
  const rowStride = w * c;
  let gi = 0;
  for (let bi = 0; bi < n; bi++) {
    for (let i = 0; i < oh; i++) {
      const top = (bi * h + i * fh) * rowStride;
      for (let j = 0; j < ow; j++) {
        const corner = top + j * fw * c;
        if (fh === 2 && fw === 2) {
          for (let ch = 0; ch < c; ch++, gi++) {
            const p0 = corner + ch;
            const p1 = p0 + c;
            const p2 = p0 + rowStride;
            const p3 = p2 + c;
            let best = -Infinity;
            let at = -1;
            let v = x[p0]!;
            if (v > best) { best = v; at = p0; }
            v = x[p1]!;
            if (v > best) { best = v; at = p1; }
            v = x[p2]!;
            if (v > best) { best = v; at = p2; }
            v = x[p3]!;
            if (v > best) { best = v; at = p3; }
            if (at >= 0) dx[at] = g[gi]!;
          }
          continue;
        }
        for (let ch = 0; ch < c; ch++, gi++) {
          let best = -Infinity;
          let at = -1;
          for (let u = 0; u < fh; u++) {
            let p = corner + u * rowStride + ch;
            for (let v = 0; v < fw; v++, p += c) {
              const val = x[p]!;
              if (val > best) { best = val; at = p; }
            }
          }
          if (at >= 0) dx[at] = g[gi]!;
        }
      }
    }
  }
}

/**
 * 2×2 disjoint windows (max_pool(2)), given the forward pass's output y: the maximum of each
 * window is already known, so finding its first occurrence is four equality tests, combined
 * without data-dependent branches (`+(a === b)` compiles to a flag, not a jump). On random data the running-max
 * loop above mispredicts about every other comparison; this one has no data-dependent branch.
 * The result is identical: the first cell equal to the maximum in row-major window order. Only a
 * window holding NaN can differ (where the forward's maximum is NaN no cell equals it, so the
 * window gets no gradient); a NaN activation has made the loss NaN anyway, and training stops on it.
 */
function windows2x2FromOutput(x: Float32Array, g: Float32Array, y: Float32Array, dx: Float32Array, n: number, h: number, w: number, c: number, oh: number, ow: number): void {
  const rowStride = w * c;
  let gi = 0;
  for (let bi = 0; bi < n; bi++) {
    for (let i = 0; i < oh; i++) {
      const top = (bi * h + i * 2) * rowStride;
      for (let j = 0; j < ow; j++) {
        const corner = top + j * 2 * c;
        for (let ch = 0; ch < c; ch++, gi++) {
          const p0 = corner + ch;
          const p1 = p0 + c;
          const p2 = p0 + rowStride;
          const p3 = p2 + c;
          const m = y[gi]!;
          const e0 = +(x[p0] === m);
          const e1 = +(x[p1] === m) & (e0 ^ 1);
          const seen = e0 | e1;
          const e2 = +(x[p2] === m) & (seen ^ 1);
          const e3 = +(x[p3] === m) & ((seen | e2) ^ 1);
          // Integer select of the one index (multiplying the gradient by 0/1 would turn an
          // infinite gradient into NaN in the other cells); dx starts zeroed.
          if (seen | e2 | e3) dx[e0 * p0 + e1 * p1 + e2 * p2 + e3 * p3] = g[gi]!;
        }
      }
    }
  }
}

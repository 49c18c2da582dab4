/**
 * The convolution filter gradient as a WebAssembly SIMD kernel (source: wasm/filter-grad.ts,
 * compiled into filter-grad-wasm.ts by scripts/build-wasm.mjs). It runs in its own small wasm
 * memory: x (zero-padded where the convolution pads) and dy are copied in, dW comes back out.
 * Why not XNNPACK: as a forward convolution the filter gradient's FILTER is dy, a new tensor every
 * step, and tfjs-backend-wasm packs a new XNNPACK operator for every new filter tensor (docs/benchmarks.md,
 * "Fourth round"); this kernel has no per-call set-up besides the copies.
 */
import { FILTER_GRAD_WASM } from './filter-grad-wasm.js';
import { SimdKernel, align16, type WasmMemory } from './wasm-simd.js';

/** Sizes of one filter gradient (NHWC; `top`/`left` are the pads before the input). */
export interface FilterGradGeometry {
  n: number; h: number; w: number; c: number;
  oh: number; ow: number;
  kh: number; kw: number; m: number;
  sh: number; sw: number; dh: number; dw: number;
  top: number; left: number;
}

const simd = new SimdKernel<FilterGradExports>(FILTER_GRAD_WASM);

interface FilterGradExports {
  memory: WasmMemory;
  filterGrad(x: number, dy: number, out: number, offs: number, n: number, oh: number, ow: number, imageStride: number, rowStride: number, colStride: number, k: number, m: number): void;
}

/** Whether this engine runs WebAssembly SIMD; where it does not, the filter gradient keeps the forward-convolution path. */
export const filterGradSimdSupported = (): boolean => simd.supported();

/**
 * Bytes of the kernel's own memory one call needs (its inputs are copied in). Above
 * `FILTER_GRAD_SIMD_MAX_BYTES` the caller keeps the forward-convolution path: a wasm32 memory
 * cannot exceed 4 GiB, and a copy that large is not where the kernel pays off.
 */
export function filterGradSimdBytes(g: FilterGradGeometry): number {
  const k = g.kh * g.kw * g.c;
  const mp = (g.m + 3) & ~3;
  const hp = (g.oh - 1) * g.sh + (g.kh - 1) * g.dh + 1;
  const wp = (g.ow - 1) * g.sw + (g.kw - 1) * g.dw + 1;
  const direct = g.top === 0 && g.left === 0 && hp <= g.h && wp <= g.w;
  const [rows, cols] = direct ? [g.h, g.w] : [hp, wp];
  return align16(k * 4) + align16(k * mp * 4) + align16(g.n * g.oh * g.ow * g.m * 4 + 16) + g.n * rows * cols * g.c * 4;
}
export const FILTER_GRAD_SIMD_MAX_BYTES = 1 << 30;

/**
 * dW[u, v, c, m] = Σ_{n,i,j} x[n, i·sh + u·dh − top, j·sw + v·dw − left, c] · dy[n, i, j, m]
 * (taps outside x count as zero), written into `out` ([kh, kw, C, M], overwritten).
 * Float32 sums per image, added image by image (see the kernel source): within 5e-8 of Σ|products|
 * of a float64 reference for MNIST's conv1 (test/filter-grad-simd.test.ts).
 */
export function filterGradSimd(x: Float32Array, dy: Float32Array, g: FilterGradGeometry, out: Float32Array): void {
  const { n, h, w, c, oh, ow, kh, kw, m, sh, sw, dh, dw, top, left } = g;
  const k = kh * kw * c;
  const mp = (m + 3) & ~3;
  // The input rows and columns the taps reach (from −top / −left); x is copied as is when they stay inside it.
  const hp = (oh - 1) * sh + (kh - 1) * dh + 1;
  const wp = (ow - 1) * sw + (kw - 1) * dw + 1;
  const direct = top === 0 && left === 0 && hp <= h && wp <= w;
  const [rows, cols] = direct ? [h, w] : [hp, wp];
  const offsAt = 0;
  const outAt = align16(offsAt + k * 4);
  const dyAt = align16(outAt + k * mp * 4);
  const xAt = align16(dyAt + dy.length * 4 + 16); // 16: the last partial vector of dy reads past its end
  const end = xAt + n * rows * cols * c * 4;
  const wasm = simd.reserve(end);
  const heap = new Float32Array(wasm.memory.buffer);
  const offs = new Int32Array(wasm.memory.buffer, offsAt, k);
  for (let u = 0, r = 0; u < kh; u++)
    for (let v = 0; v < kw; v++)
      for (let ch = 0; ch < c; ch++, r++) offs[r] = ((u * dh * cols + v * dw) * c + ch) * 4;
  heap.fill(0, outAt >> 2, (outAt >> 2) + k * mp);
  heap.set(dy, dyAt >> 2);
  heap.fill(0, (dyAt >> 2) + dy.length, xAt >> 2);
  if (direct) heap.set(x, xAt >> 2);
  else {
    // Zero-padded copy: padded row r + top holds x's row r, shifted right by `left` columns.
    const base = xAt >> 2;
    heap.fill(0, base, end >> 2);
    const rowIn = w * c;
    const r0 = Math.max(0, -top);
    const r1 = Math.min(h, rows - top);
    const c0 = Math.max(0, -left);
    const c1 = Math.min(w, cols - left);
    if (c1 > c0)
      for (let b = 0; b < n; b++)
        for (let r = r0; r < r1; r++) {
          const from = (b * h + r) * rowIn + c0 * c;
          heap.set(x.subarray(from, from + (c1 - c0) * c), base + ((b * rows + r + top) * cols + c0 + left) * c);
        }
  }
  wasm.filterGrad(xAt, dyAt, outAt, offsAt, n, oh, ow, rows * cols * c * 4, sh * cols * c * 4, sw * c * 4, k, m);
  if (mp === m) out.set(heap.subarray(outAt >> 2, (outAt >> 2) + k * m));
  else for (let r = 0; r < k; r++) out.set(heap.subarray((outAt >> 2) + r * mp, (outAt >> 2) + r * mp + m), r * m);
  simd.release();
}

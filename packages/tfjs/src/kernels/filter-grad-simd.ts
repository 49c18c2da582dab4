/**
 * The convolution filter gradient as a WebAssembly SIMD kernel (source: wasm/filter-grad.ts,
 * compiled into filter-grad-wasm.ts by scripts/build-wasm.mjs). It runs in its own small wasm
 * memory: x (zero-padded where the convolution pads) and dy are copied in, dW comes back out.
 * Why not XNNPACK: as a forward convolution the filter gradient's FILTER is dy, a new tensor every
 * step, and tfjs-backend-wasm packs a new XNNPACK operator for every new filter tensor (docs/benchmarks.md,
 * "Fourth round"); this kernel has no per-call set-up besides the copies. Two kernels: a dense one,
 * and for a dy that is mostly exact zeros (behind max_pool and relu) one that skips them.
 */
import { FILTER_GRAD_WASM } from './filter-grad-wasm.js';
import type { ConvGeometry } from './util.js';
import { SIMD_MAX_BYTES, SimdKernel, align16, type WasmMemory } from './wasm-simd.js';

/** A convolution's geometry with its dilations (the dense filter-gradient kernel takes them). */
export type FilterGradGeometry = ConvGeometry & { dh: number; dw: number };

const simd = new SimdKernel<FilterGradExports>(FILTER_GRAD_WASM);

interface FilterGradExports {
  memory: WasmMemory;
  filterGrad(x: number, dy: number, out: number, offs: number, n: number, oh: number, ow: number, imageStride: number, rowStride: number, colStride: number, k: number, m: number): void;
  filterGradSparse(x: number, dy: number, out: number, runOffs: number, pos: number, vals: number, counts: number, n: number, oh: number, ow: number, m: number, imageStride: number, rowStride: number, colStride: number, runs: number, l: number): void;
  nonzeros(p: number, len: number): number;
  allFinite(p: number, len: number): number;
}

/** Whether this engine runs WebAssembly SIMD; where it does not, the filter gradient keeps the forward-convolution path. */
export const filterGradSimdSupported = (): boolean => simd.supported();

/**
 * Byte offsets of the kernel's regions for one call (`end`: the memory it needs). The input rows
 * and columns the taps reach (from −top / −left); x is used in place when they stay inside it,
 * else copied zero-padded. `offs`: the dense kernel's tap offsets (the sparse one's row offsets
 * fit in it); `out`: room for either kernel's result layout; `lists`: the sparse kernel's scratch.
 */
function layout(g: FilterGradGeometry) {
  const k = g.kh * g.kw * g.c;
  const mp = (g.m + 3) & ~3;
  const lp = (g.kw * g.c + 3) & ~3;
  const hp = (g.oh - 1) * g.sh + (g.kh - 1) * g.dh + 1;
  const wp = (g.ow - 1) * g.sw + (g.kw - 1) * g.dw + 1;
  const direct = g.top === 0 && g.left === 0 && hp <= g.h && wp <= g.w;
  const [rows, cols] = direct ? [g.h, g.w] : [hp, wp];
  const offs = 0;
  const out = align16(offs + k * 4);
  const dy = align16(out + Math.max(k * mp, g.m * g.kh * lp) * 4);
  const dyLength = g.n * g.oh * g.ow * g.m;
  const x = align16(dy + dyLength * 4 + 16); // 16: the last partial vector of dy reads past its end
  const xEnd = x + g.n * rows * cols * g.c * 4;
  const perChannel = g.oh * g.ow * 4;
  const lists = align16(xEnd + 16); // 16: the sparse kernel's last partial vector reads past x's end
  const end = lists + 2 * g.m * perChannel + g.m * 4;
  return { k, mp, lp, direct, rows, cols, offs, out, dy, dyLength, x, xEnd, lists, perChannel, end };
}

/**
 * Bytes of the kernel's own memory one call needs (its inputs are copied in). Above
 * `SIMD_MAX_BYTES` the caller keeps the forward-convolution path: a wasm32 memory
 * cannot exceed 4 GiB, and a copy that large is not where the kernel pays off.
 */
export const filterGradSimdBytes = (g: FilterGradGeometry): number => layout(g).end;

/** Whether a call of this geometry can run in the kernel: its memory within the cap and grown to it now (`SimdKernel.tryReserve`). */
export const filterGradSimdFits = (g: FilterGradGeometry): boolean => {
  const bytes = filterGradSimdBytes(g);
  return bytes <= SIMD_MAX_BYTES && simd.tryReserve(bytes) !== undefined;
};

/**
 * The sparse kernel runs where at most this share of dy is nonzero and a window's rows are at
 * least this many floats (kw·C). Measured (tools/bench/filter-grad-sparse.ts, the kernels alone in
 * turn, load ~2.4; sparse / dense per-call minimum): MNIST conv2 (rows of 50) 0.80 at 50% nonzero,
 * 0.57 at 25%, 0.34 max-pool shaped (12.7%); 3×3 convs with C 16 (rows of 48) 1.20–1.35 at 50%,
 * 0.82–0.97 at 25%, 0.64–0.86 at 12.5%; MNIST conv1 (C 1, rows of 5 floats in 2 vectors) 1.52 at
 * 25%, 0.83 by the minimum but 1.12 by the median at 12.6%. In training the MNIST CNN's dy are
 * ~16% (conv2) and ~14% (conv1) nonzero (`tools/bench/train-ab.ts --density`).
 */
export const FILTER_GRAD_SPARSE_MAX_NONZERO = 0.25;
export const FILTER_GRAD_SPARSE_MIN_ROW = 8;

/**
 * dW[u, v, c, m] = Σ_{n,i,j} x[n, i·sh + u·dh − top, j·sw + v·dw − left, c] · dy[n, i, j, m]
 * (taps outside x count as zero), written into `out` ([kh, kw, C, M], overwritten).
 * Float32 sums per image, added image by image (see the kernel source): within 5e-8 of Σ|products|
 * of a float64 reference for MNIST's conv1 (test/filter-grad-simd.test.ts). With dilation 1, a
 * finite x, rows of ≥ `FILTER_GRAD_SPARSE_MIN_ROW` floats and at most `FILTER_GRAD_SPARSE_MAX_NONZERO`
 * of dy nonzero, the sparse kernel skips dy's zeros (`kernel` 'dense' or 'sparse' forces one, for tests and benchmarks; 'sparse' still
 * needs dilation 1 and a finite x). Returns which kernel ran.
 */
export function filterGradSimd(x: Float32Array, dy: Float32Array, g: FilterGradGeometry, out: Float32Array, kernel: 'auto' | 'dense' | 'sparse' = 'auto'): 'dense' | 'sparse' {
  const { n, h, w, c, oh, ow, kh, kw, m, sh, sw, dh, dw, top, left } = g;
  const at = layout(g);
  const { k, mp, lp, rows, cols } = at;
  const wasm = simd.reserve(at.end);
  const heap = new Float32Array(wasm.memory.buffer);
  heap.set(dy, at.dy >> 2);
  heap.fill(0, (at.dy >> 2) + dy.length, at.x >> 2);
  if (at.direct) heap.set(x, at.x >> 2);
  else {
    // Zero-padded copy: padded row r + top holds x's row r, shifted right by `left` columns.
    const base = at.x >> 2;
    heap.fill(0, base, at.xEnd >> 2);
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
  const xLength = (at.xEnd - at.x) >> 2;
  const sparse =
    kernel !== 'dense' && dh === 1 && dw === 1 &&
    (kernel === 'sparse' || (kw * c >= FILTER_GRAD_SPARSE_MIN_ROW && wasm.nonzeros(at.dy, at.dyLength) <= FILTER_GRAD_SPARSE_MAX_NONZERO * at.dyLength)) &&
    wasm.allFinite(at.x, xLength) === 1;
  const o = at.out >> 2;
  if (sparse) {
    // dWᵀ [M][kh][lp], transposed into [kh][kw·C][M] (the pad lanes t ≥ kw·C are dropped).
    heap.fill(0, o, o + m * kh * lp);
    const runOffs = new Uint32Array(wasm.memory.buffer, at.offs, kh);
    for (let u = 0; u < kh; u++) runOffs[u] = u * cols * c * 4;
    const l = kw * c;
    wasm.filterGradSparse(at.x, at.dy, at.out, at.offs, at.lists, at.lists + m * at.perChannel, at.lists + 2 * m * at.perChannel, n, oh, ow, m, rows * cols * c * 4, sh * cols * c * 4, sw * c * 4, kh, l);
    for (let q = 0; q < m; q++)
      for (let u = 0; u < kh; u++) {
        const from = o + (q * kh + u) * lp;
        for (let t = 0; t < l; t++) out[(u * l + t) * m + q] = heap[from + t]!;
      }
  } else {
    const offs = new Int32Array(wasm.memory.buffer, at.offs, k);
    for (let u = 0, r = 0; u < kh; u++)
      for (let v = 0; v < kw; v++)
        for (let ch = 0; ch < c; ch++, r++) offs[r] = ((u * dh * cols + v * dw) * c + ch) * 4;
    heap.fill(0, o, o + k * mp);
    wasm.filterGrad(at.x, at.dy, at.out, at.offs, n, oh, ow, rows * cols * c * 4, sh * cols * c * 4, sw * c * 4, k, m);
    if (mp === m) out.set(heap.subarray(o, o + k * m));
    else for (let r = 0; r < k; r++) out.set(heap.subarray(o + r * mp, o + r * mp + m), r * m);
  }
  simd.release();
  return sparse ? 'sparse' : 'dense';
}

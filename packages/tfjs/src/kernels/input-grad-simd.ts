/**
 * The convolution input gradient as a WebAssembly SIMD kernel that skips dy's zeros (source:
 * wasm/input-grad.ts, compiled into input-grad-wasm.ts by scripts/build-wasm.mjs). dy and the
 * transposed filter are copied into the kernel's own memory, dx comes back out.
 * Why: behind max_pool(2) and relu at least 3/4 of a conv's dy are exact zeros (a 2×2 window's
 * gradient goes to one cell per channel); the GEMM dy·Fᵀ multiplies all of them. Skipping a zero
 * changes no sum (0·F is ±0) unless F holds a non-finite value (0·∞ is NaN in the dense sum): then
 * nothing is skipped, so dx is NaN where the dense product makes it NaN.
 */
import { INPUT_GRAD_WASM } from './input-grad-wasm.js';
import type { ConvGeometry } from './util.js';
import { SimdKernel, align16, type WasmMemory } from './wasm-simd.js';

interface InputGradExports {
  memory: WasmMemory;
  nonzeros(p: number, len: number): number;
  inputGrad(dy: number, ft: number, dx: number, runOffs: number, list: number, n: number, oh: number, ow: number, m: number, imageStride: number, rowStride: number, colStride: number, runs: number, l: number, filterRow: number, skipZeros: number): number;
}

const simd = new SimdKernel<InputGradExports>(INPUT_GRAD_WASM);

/** Whether this engine runs WebAssembly SIMD; where it does not, the input gradient keeps its XNNPACK paths. */
export const inputGradSimdSupported = (): boolean => simd.supported();

/**
 * The rows and columns of the kernel's dx buffer: the input, framed by the pads, extended to
 * every cell a window reaches. Without pads and with every window inside the input it is dx itself.
 */
function frame(g: ConvGeometry): { rows: number; cols: number; direct: boolean } {
  const reachH = (g.oh - 1) * g.sh + g.kh;
  const reachW = (g.ow - 1) * g.sw + g.kw;
  const direct = g.top === 0 && g.left === 0 && reachH <= g.h && reachW <= g.w;
  return direct ? { rows: g.h, cols: g.w, direct } : { rows: Math.max(reachH, g.top + g.h), cols: Math.max(reachW, g.left + g.w), direct };
}

/** Byte offsets of the kernel's regions; `end` is the memory one call needs. */
function layout(g: ConvGeometry) {
  const l = g.kw * g.c;
  const filterRow = g.kh * ((l + 3) & ~3) * 4;
  const { rows, cols } = frame(g);
  const runOffs = 0;
  const list = align16(runOffs + g.kh * 4);
  const ft = align16(list + 2 * g.m * 4);
  const dy = align16(ft + g.m * filterRow);
  const dx = align16(dy + g.n * g.oh * g.ow * g.m * 4);
  const end = dx + g.n * rows * cols * g.c * 4 + 16; // 16: a run's last vector reads (and rewrites) up to 3 floats past the frame
  return { l, filterRow, rows, cols, runOffs, list, ft, dy, dx, end };
}

/**
 * Bytes of the kernel's own memory one call needs. Above `SIMD_MAX_BYTES` the caller
 * keeps its other paths: a wasm32 memory cannot exceed 4 GiB.
 */
export const inputGradSimdBytes = (g: ConvGeometry): number => layout(g).end;

/** dy in the kernel's memory, ready to be multiplied by a filter (`stageInputGrad`). */
export interface StagedInputGrad {
  /** The share of dy's entries that are not zero (NaN counts as nonzero). */
  readonly nonzeroShare: number;
  /**
   * dx[n, i·sh + u − top, j·sw + v − left, c] = Σ_{i,j,u,v,m} dy[n, i, j, m] · filter[u, v, c, m]
   * (taps outside dx dropped), written into `out` ([N, H, W, C], overwritten). Per output
   * position, a float32 sum over the nonzero channels, then added into dx position by position:
   * the order of the GEMM + col2im path it replaces. Returns how many dy entries were summed (the
   * nonzero ones, or all of them when the filter is not finite). Call at most once, before any
   * other call of this kernel.
   */
  run(filter: Float32Array, out: Float32Array): number;
}

/**
 * The share of nonzero entries among `samples` of dy's, spread over it by the golden-ratio
 * sequence (k·φ mod 1: no period, so it does not alias with the channel count or a pool's 2×2
 * pattern). It reads dy where it lies (tfjs-backend-wasm's heap), without the copy: ~1k reads
 * instead of copying and counting all of dy where dy is clearly dense (after batch norm, say).
 */
export function sampledNonzeroShare(dy: Float32Array, samples = 1024): number {
  if (dy.length <= samples) return dy.length ? dy.reduce((a, v) => a + (v !== 0 ? 1 : 0), 0) / dy.length : 0;
  const phi = 0.6180339887498949;
  let nonzero = 0;
  for (let k = 0, t = 0.5; k < samples; k++, t = (t + phi) % 1) if (dy[Math.floor(t * dy.length)] !== 0) nonzero++;
  return nonzero / samples;
}

/**
 * Copies dy into the kernel's memory and counts its nonzero entries (four at a time, in the
 * kernel's module); undefined when more than `maxNonzeroShare` of them are nonzero, or when the
 * kernel's memory cannot grow to the call (`SimdKernel.tryReserve`), where the caller keeps another path. Two steps so that the caller allocates dx only for the kernel it runs.
 */
export function stageInputGrad(dy: Float32Array, g: ConvGeometry, maxNonzeroShare = 1): StagedInputGrad | undefined {
  const at = layout(g);
  const wasm = simd.tryReserve(at.end);
  if (!wasm) return undefined;
  new Float32Array(wasm.memory.buffer).set(dy, at.dy >> 2);
  const nonzeroShare = dy.length ? wasm.nonzeros(at.dy, dy.length) / dy.length : 0;
  if (nonzeroShare > maxNonzeroShare) {
    simd.release();
    return undefined;
  }
  return { nonzeroShare, run: (filter, out) => run(wasm, at, g, filter, out) };
}

/** dx for dy already in the kernel's memory (`stageInputGrad`). */
function run(wasm: InputGradExports, at: ReturnType<typeof layout>, g: ConvGeometry, filter: Float32Array, out: Float32Array): number {
  const { n, h, w, c, oh, ow, kh, m, sh, sw, top, left } = g;
  const { l, rows, cols } = at;
  const heap = new Float32Array(wasm.memory.buffer);
  const offs = new Uint32Array(wasm.memory.buffer, at.runOffs, kh);
  for (let u = 0; u < kh; u++) offs[u] = u * cols * c * 4;
  // Fᵀ [M][kh][lp]: filter [kh, kw, C, M] is [kh][l][M]; the pad lanes stay zero (0·dy is dropped by the kernel's mask).
  const lp = (l + 3) & ~3;
  const ft = at.ft >> 2;
  heap.fill(0, ft, ft + m * kh * lp);
  let finite = true;
  for (let u = 0, k = 0; u < kh; u++)
    for (let t = 0; t < l; t++, k++)
      for (let q = 0; q < m; q++) {
        const v = filter[k * m + q]!;
        finite &&= v - v === 0;
        heap[ft + (q * kh + u) * lp + t] = v;
      }
  const dx = at.dx >> 2;
  heap.fill(0, dx, dx + n * rows * cols * c);
  const summed = wasm.inputGrad(at.dy, at.ft, at.dx, at.runOffs, at.list, n, oh, ow, m, rows * cols * c * 4, sh * cols * c * 4, sw * c * 4, kh, l, at.filterRow, finite ? 1 : 0);
  if (frame(g).direct) out.set(heap.subarray(dx, dx + n * h * w * c));
  else
    // The input's cells sit at (top, left) in the frame; the rest is padding, dropped.
    for (let b = 0; b < n; b++)
      for (let r = 0; r < h; r++) {
        const from = dx + ((b * rows + r + top) * cols + left) * c;
        out.set(heap.subarray(from, from + w * c), (b * h + r) * w * c);
      }
  simd.release();
  return summed;
}

/** Both steps at once: dx for `dy` and `filter` into `out` (see `StagedInputGrad.run`). */
export const inputGradSimd = (dy: Float32Array, filter: Float32Array, g: ConvGeometry, out: Float32Array): number => stageInputGrad(dy, g)!.run(filter, out);

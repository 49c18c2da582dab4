/**
 * The forward convolution with its bias (tfjs' FusedConv2D, what `conv2dWithBias` runs; and Conv2D,
 * a convolution without one) as a
 * WebAssembly SIMD kernel (source: wasm/conv-forward.ts, compiled into conv-forward-wasm.ts by
 * scripts/build-wasm.mjs), for the shapes where it beats tfjs-backend-wasm's XNNPACK convolution.
 * x, the packed filter and the bias are copied into the kernel's own memory, y comes back out.
 * Why: with few input channels XNNPACK's GEMM tiles waste most of their lanes (the MNIST CNN's
 * conv1, C = 1, ran at ~4 GMAC/s), and it creates a new operator (packing the weights) every call,
 * since the weights are a new tensor after every optimizer step. The kernel puts output channels
 * in the lanes and packs the filter itself (a few KB for small convs).
 */
import * as tf from '@tensorflow/tfjs-core';
import { CONV_FORWARD_WASM } from './conv-forward-wasm.js';
import { convGeometry, jsKernelIO, padInfo, type Backend, type ConvGeometry } from './util.js';
import { SIMD_MAX_BYTES, SimdKernel, align16, type WasmMemory } from './wasm-simd.js';

type Info = tf.TensorInfo;

interface ConvForwardExports {
  memory: WasmMemory;
  convForward(x: number, f: number, bias: number, y: number, n: number, h: number, w: number, c: number, oh: number, ow: number, kh: number, kw: number, m: number, sh: number, sw: number, top: number, left: number, full: number, lastLanes: number, jLo: number, jHi: number): void;
}

const simd = new SimdKernel<ConvForwardExports>(CONV_FORWARD_WASM);

/** Whether this engine runs WebAssembly SIMD; where it does not, FusedConv2D stays XNNPACK's. */
export const convForwardSimdSupported = (): boolean => simd.supported();

/** Output channels in blocks of 8 lanes; the last block 4 or 8 lanes wide (0: none). */
function blocks(m: number): { full: number; lastLanes: number; lanes: number } {
  const full = Math.floor(m / 8);
  const rest = m - 8 * full;
  const lastLanes = rest === 0 ? 0 : rest <= 4 ? 4 : 8;
  return { full, lastLanes, lanes: 8 * full + lastLanes };
}

/** Byte offsets of the kernel's regions; `end` is the memory one call needs. */
function layout(g: ConvGeometry) {
  const { lanes } = blocks(g.m);
  const f = 0;
  const bias = align16(f + g.kh * g.kw * g.c * lanes * 4);
  const x = align16(bias + lanes * 4);
  const y = align16(x + g.n * g.h * g.w * g.c * 4);
  const end = y + g.n * g.oh * g.ow * g.m * 4 + 32; // 32: the last pixel's last block writes up to 7 floats past y
  return { f, bias, x, y, end };
}

/** Bytes of the kernel's own memory one call needs (a wasm32 memory cannot exceed 4 GiB). */
export const convForwardSimdBytes = (g: ConvGeometry): number => layout(g).end;

/** Whether a call of this geometry can run in the kernel: its memory within the cap and grown to it now (`SimdKernel.tryReserve`). */
export const convForwardSimdFits = (g: ConvGeometry): boolean => {
  const bytes = convForwardSimdBytes(g);
  return bytes <= SIMD_MAX_BYTES && simd.tryReserve(bytes) !== undefined;
};

/**
 * y[n, i, j, m] = bias[m] + Σ_{u, v, c} x[n, i·sh + u − top, j·sw + v − left, c] · filter[u, v, c, m]
 * (taps outside x dropped; `bias` undefined: none), into `out` ([N, OH, OW, M], overwritten).
 * Each output is a float32 sum in (u, v, c) order after the bias.
 */
export function convForwardSimd(x: Float32Array, filter: Float32Array, bias: Float32Array | undefined, g: ConvGeometry, out: Float32Array): void {
  const { n, h, w, c, oh, ow, kh, kw, m, sh, sw, top, left } = g;
  const { full, lastLanes, lanes } = blocks(m);
  const at = layout(g);
  const wasm = simd.reserve(at.end);
  const heap = new Float32Array(wasm.memory.buffer);
  // The filter [kh, kw, C, M] as [block][kh·kw·C][block lanes], pad lanes zero.
  const taps = kh * kw * c;
  const f0 = at.f >> 2;
  heap.fill(0, f0, f0 + taps * lanes);
  for (let q = 0; q < m; q++) {
    const block = q >> 3;
    const width = block < full ? 8 : lastLanes;
    const base = f0 + block * 8 * taps + (q & 7);
    for (let t = 0; t < taps; t++) heap[base + t * width] = filter[t * m + q]!;
  }
  const b0 = at.bias >> 2;
  heap.fill(0, b0, b0 + lanes);
  if (bias) heap.set(bias, b0);
  heap.set(x, at.x >> 2);
  // Output columns whose windows lie inside x in width: j·sw − left ≥ 0 and j·sw − left + kw ≤ w.
  const jLo = Math.min(ow, Math.ceil(left / sw));
  const jHi = Math.max(jLo, Math.min(ow, Math.floor((w - kw + left) / sw) + 1));
  wasm.convForward(at.x, at.f, at.bias, at.y, n, h, w, c, oh, ow, kh, kw, m, sh, sw, top, left, full, lastLanes, jLo, jHi);
  out.set(heap.subarray(at.y >> 2, (at.y >> 2) + n * oh * ow * m));
  simd.release();
}

/**
 * Whether the SIMD kernel (one thread) beats XNNPACK on `threads` threads for this shape.
 * Measured (tools/bench/conv-forward-simd.ts, both alternating in one process, 20:03, load ~3 on
 * 2 cores; SIMD / XNNPACK per-call minimum): on 1 thread it won on every shape measured, MNIST
 * conv1 [64,28,28,1] k5 M10 0.40, conv2 [64,12,12,10] k5 M20 0.64, 3×3 'same' convs with C 3–64,
 * M 16–64, stride 1–2, 0.78–0.88. XNNPACK's 2 threads, per call, beat it at its best (conv1 0.60–0.76,
 * conv2 1.02–1.20, 3×3 C 3–64 1.26–2.17) but not at its median (0.42–0.74 for C ≤ 16: its pool
 * stalls whenever the other core is busy), and in the real trainer on 2 threads (train-ab.ts,
 * MNIST CNN) the two convs took 1.92 ms per step against XNNPACK's 3.86 (min; median 1.98 vs
 * 5.57; on a calm machine a tie, 1.89 vs 1.85). So with threads, the SIMD kernel runs where the
 * trainer measured it (C ≤ 10, M ≤ 32),
 * XNNPACK's threads elsewhere. C = 64 stays XNNPACK's on 1 thread too: as the input gradient's
 * flipped-filter Conv2D of [16,32,32,64] 3×3 M64 the kernel took 1.20× XNNPACK's time (min;
 * 0.93 median; tools/bench/conv-forward-flipped.ts, load 1.3: x of 4 MB outgrows the cache
 * its window reloads rely on), though 0.84–0.87× on [16,16,16,64]. Larger shapes were not measured.
 */
export function convForwardSimdPays(g: ConvGeometry, threads: number): boolean {
  return threads <= 1 ? g.c <= 32 && g.m <= 64 : g.c <= 10 && g.m <= 32;
}

/** The wasm backend's XNNPACK thread count (1 where the backend does not say). */
function backendThreads(backend: unknown): number {
  return (backend as { wasm?: { tfjs?: { getThreadsCount?(): number } } }).wasm?.tfjs?.getThreadsCount?.() ?? 1;
}

interface FusedAttrs {
  strides: [number, number] | number;
  pad: unknown;
  dataFormat: string;
  dilations: [number, number] | number;
  dimRoundingMode: unknown;
  activation: string;
}

/**
 * Wraps tfjs-backend-wasm's FusedConv2D or Conv2D (the same inputs, less the bias and the fused
 * activation): a float32 NHWC convolution with a linear activation, dilation 1 and a rank-1 bias
 * (or none) runs in the kernel above where it pays (`convForwardSimdPays`, by shape and XNNPACK's
 * thread count; `mode` 'always'/'never' are for benchmarks and tests); everything else, and
 * engines without WebAssembly SIMD, in the original.
 */
export function makeWasmConvForward(original: tf.KernelFunc, mode: 'auto' | 'always' | 'never' = 'auto'): tf.KernelFunc {
  return (args) => {
    if (mode === 'never') return original(args);
    const { x, filter, bias, preluActivationWeights } = args.inputs as { x: Info; filter: Info; bias?: Info; preluActivationWeights?: Info };
    const a = args.attrs as unknown as FusedAttrs;
    const dilations = typeof a.dilations === 'number' ? [a.dilations, a.dilations] : (a.dilations ?? [1, 1]);
    const plain =
      (a.activation ?? 'linear') === 'linear' && !preluActivationWeights && (!a.dataFormat || a.dataFormat === 'NHWC') &&
      dilations[0] === 1 && dilations[1] === 1 && x.dtype === 'float32' && filter.dtype === 'float32' &&
      (!bias || (bias.dtype === 'float32' && bias.shape.length === 1 && bias.shape[0] === filter.shape[3]));
    if (!plain || !simd.supported()) return original(args);
    const fs = filter.shape as [number, number, number, number];
    const info = padInfo(x.shape, fs, a.strides, 1, a.pad, a.dimRoundingMode);
    const g = convGeometry(info);
    if ((mode === 'auto' && !convForwardSimdPays(g, backendThreads(args.backend))) || !convForwardSimdFits(g)) return original(args);
    const io = jsKernelIO(args.backend as Backend, [g.n, g.oh, g.ow, g.m], bias ? [x, filter, bias] : [x, filter], false); // y is overwritten whole
    convForwardSimd(io.ins[0]!, io.ins[1]!, io.ins[2], g, io.out);
    return io.finish();
  };
}

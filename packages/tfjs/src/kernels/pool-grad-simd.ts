/**
 * MaxPoolGrad of 2×2 disjoint windows (max_pool(2)) given the forward's output, as a WebAssembly
 * SIMD kernel (source: wasm/pool-grad.ts, compiled into pool-grad-wasm.ts by scripts/build-wasm.mjs):
 * the JS kernel's rule (pool-grad.ts, `windows2x2FromOutput`) four channels at a time, with
 * bit-identical results. x, y and dy are copied into the kernel's own memory, dx comes back out.
 */
import { POOL_GRAD_WASM } from './pool-grad-wasm.js';
import { SIMD_MAX_BYTES, SimdKernel, align16, type WasmMemory } from './wasm-simd.js';

interface PoolGradExports {
  memory: WasmMemory;
  maxPoolGrad2x2(x: number, y: number, g: number, dx: number, n: number, h: number, w: number, c: number, oh: number, ow: number): void;
}

const simd = new SimdKernel<PoolGradExports>(POOL_GRAD_WASM);

/** Whether this engine runs WebAssembly SIMD; where it does not, MaxPoolGrad keeps its JS kernel. */
export const poolGradSimdSupported = (): boolean => simd.supported();

/** Bytes of the kernel's memory for input [n, h, w, c] and output [n, oh, ow, c] (16 after each: a channel vector's last lanes read past it). */
export function poolGradSimdBytes(n: number, h: number, w: number, c: number, oh: number, ow: number): number {
  return 2 * align16(n * h * w * c * 4 + 16) + 2 * align16(n * oh * ow * c * 4 + 16);
}

/** Whether a call of these shapes can run in the kernel: its memory within the cap and grown to it now (`SimdKernel.tryReserve`). */
export function poolGradSimdFits(n: number, h: number, w: number, c: number, oh: number, ow: number): boolean {
  const bytes = poolGradSimdBytes(n, h, w, c, oh, ow);
  return bytes <= SIMD_MAX_BYTES && simd.tryReserve(bytes) !== undefined;
}

/**
 * dx [n, h, w, c] (overwritten): each 2×2 window's gradient g goes to the first cell of x, in
 * row-major window order, equal to the window's maximum y (y and g [n, oh, ow, c], oh·2 ≤ h,
 * ow·2 ≤ w); every other cell gets 0.
 */
export function maxPoolGrad2x2Simd(x: Float32Array, y: Float32Array, g: Float32Array, dx: Float32Array, n: number, h: number, w: number, c: number, oh: number, ow: number): void {
  const xAt = 0;
  const yAt = align16(x.length * 4 + 16);
  const gAt = yAt + align16(y.length * 4 + 16);
  const dxAt = gAt + align16(g.length * 4 + 16);
  const wasm = simd.reserve(dxAt + align16(dx.length * 4 + 16));
  const heap = new Float32Array(wasm.memory.buffer);
  heap.set(x, xAt >> 2);
  heap.set(y, yAt >> 2);
  heap.set(g, gAt >> 2);
  // The kernel writes every cell a window covers; cells past the last window row or column stay 0.
  if (oh * 2 !== h || ow * 2 !== w) heap.fill(0, dxAt >> 2, (dxAt >> 2) + dx.length);
  wasm.maxPoolGrad2x2(xAt, yAt, gAt, dxAt, n, h, w, c, oh, ow);
  dx.set(heap.subarray(dxAt >> 2, (dxAt >> 2) + dx.length));
  simd.release();
}

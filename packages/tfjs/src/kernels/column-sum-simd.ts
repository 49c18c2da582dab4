/**
 * Sum over all axes but the last of a float32 tensor on wasm (a conv's or dense layer's bias
 * gradient: dy [N, H, W, C] → [C]) as a WebAssembly SIMD kernel (source: wasm/column-sum.ts,
 * compiled into column-sum-wasm.ts by scripts/build-wasm.mjs). tfjs-backend-wasm's Sum transposes
 * x so that the reduced axes come last, then sums each output front to back; the kernel sums the
 * columns in that same order, four at a time, without the transpose: bit-identical results.
 * Measured (tools/bench/column-sum-simd.ts, both alternating in one process, load ~4.5): MNIST
 * conv1's bias gradient [64,24,24,10] 0.61 → 0.07 ms, conv2's [64,8,8,20] 0.18 → 0.02 ms (minimum).
 */
import * as tf from '@tensorflow/tfjs-core';
import { COLUMN_SUM_WASM } from './column-sum-wasm.js';
import { jsKernelIO, type Backend } from './util.js';
import { SIMD_MAX_BYTES, SimdKernel, align16, type WasmMemory } from './wasm-simd.js';

type Info = tf.TensorInfo;

interface ColumnSumExports {
  memory: WasmMemory;
  columnSums(x: number, out: number, rows: number, cols: number): void;
}

const simd = new SimdKernel<ColumnSumExports>(COLUMN_SUM_WASM);

/** Below this many elements tfjs' own Sum (no copies) is as fast. */
const MIN_ELEMENTS = 16 * 1024;

/** Where x starts in the kernel's memory (after the sums, `cols` rounded up to whole vectors). */
const xOffset = (cols: number) => align16(((cols + 3) & ~3) * 4);
/** Bytes of the kernel's memory for x [rows, cols] (64: the last row's vectors read past its end). */
const columnSumBytes = (rows: number, cols: number) => xOffset(cols) + rows * cols * 4 + 64;

/** out[c] = Σ_r x[r·cols + c] in row order (`out` has `cols` entries). */
export function columnSumsSimd(x: Float32Array, rows: number, cols: number, out: Float32Array): void {
  const outAt = 0;
  const xAt = xOffset(cols);
  const wasm = simd.reserve(columnSumBytes(rows, cols));
  const heap = new Float32Array(wasm.memory.buffer);
  heap.set(x, xAt >> 2);
  wasm.columnSums(xAt, outAt, rows, cols);
  out.set(heap.subarray(outAt >> 2, (outAt >> 2) + cols));
  simd.release();
}

/** Wraps tfjs-backend-wasm's Sum: float32 sums over all leading axes of ≥ 16k elements run in the kernel above. */
export function makeWasmSum(original: tf.KernelFunc): tf.KernelFunc {
  return (args) => {
    const { x } = args.inputs as { x: Info };
    const { axis, keepDims } = args.attrs as unknown as { axis: number | number[]; keepDims: boolean };
    const rank = x.shape.length;
    const size = x.shape.reduce((p, q) => p * q, 1);
    if (x.dtype !== 'float32' || rank < 2 || size < MIN_ELEMENTS || size * 4 > SIMD_MAX_BYTES || !simd.supported()) return original(args);
    // Axes given in order only: tfjs sums in the order the axes are listed ([1, 0] runs over axis 0 innermost).
    const axes = tf.util.parseAxisParam(axis, x.shape);
    if (axes.length !== rank - 1 || axes.some((a, i) => a !== i)) return original(args);
    const cols = x.shape[rank - 1]!;
    // The kernel's memory grown now, or tfjs' Sum where it cannot grow (`SimdKernel.tryReserve`).
    if (!simd.tryReserve(columnSumBytes(size / cols, cols))) return original(args);
    const io = jsKernelIO(args.backend as Backend, keepDims ? [...new Array<number>(rank - 1).fill(1), cols] : [cols], [x]);
    columnSumsSimd(io.ins[0]!, size / cols, cols, io.out);
    return io.finish();
  };
}

/**
 * BatchMatMul for wasm, routed onto tfjs-backend-wasm's fast path. Its kernel runs XNNPACK's GEMM
 * only for ONE matrix pair without transposes; a transposed operand or a batch of matrices falls
 * back to a scalar loop that measured 5–15× slower on this machine (docs/benchmarks.md): the dense
 * layers' gradients (dW = xᵀ·dy, dx = dy·Wᵀ) and `A·Bᵀ` in attention all take it. So: transpose
 * the operand explicitly (XNNPACK's transpose, cheap next to the product) and, for a batch of
 * matrices large enough to pay for a call each, run the fast path once per matrix.
 */
import * as tf from '@tensorflow/tfjs-core';
import { call, free, type Backend } from './util.js';

type Info = tf.TensorInfo;
type HeapBackend = Backend & {
  makeOutput(shape: number[], dtype: string): Info;
  typedArrayFromHeap(t: Info): Float32Array;
};

/** Below this many multiply-adds per matrix, one slow call beats a fast call per matrix (measured). */
const PER_MATRIX_MIN_MACS = 32 * 1024;

const size = (shape: number[]) => shape.reduce((p, q) => p * q, 1);

/** `t` with its last two axes swapped (a new tensor). */
function swapLast(backend: Backend, t: Info): Info {
  const perm = t.shape.map((_, i) => i);
  const r = perm.length;
  [perm[r - 2], perm[r - 1]] = [perm[r - 1]!, perm[r - 2]!];
  return call('wasm', 'Transpose', backend, { x: t }, { perm });
}

export function makeWasmBatchMatMul(original: tf.KernelFunc): tf.KernelFunc {
  return (args) => {
    const backend = args.backend as HeapBackend;
    const { a, b } = args.inputs as { a: Info; b: Info };
    const { transposeA, transposeB } = args.attrs as unknown as { transposeA: boolean; transposeB: boolean };
    const batchA = size(a.shape.slice(0, -2));
    const batchB = size(b.shape.slice(0, -2));
    const m = transposeA ? a.shape[a.shape.length - 1]! : a.shape[a.shape.length - 2]!;
    const k = transposeA ? a.shape[a.shape.length - 2]! : a.shape[a.shape.length - 1]!;
    const n = transposeB ? b.shape[b.shape.length - 2]! : b.shape[b.shape.length - 1]!;
    const single = batchA === 1 && batchB === 1;
    if (a.dtype !== 'float32' || b.dtype !== 'float32' || (single && !transposeA && !transposeB)) return original(args);
    // Batches broadcast only as a whole (one side a single matrix, or the same batch dims).
    const sameBatch = batchA === 1 || batchB === 1 || a.shape.slice(0, -2).join() === b.shape.slice(0, -2).join();
    if (!single && (m * k * n < PER_MATRIX_MIN_MACS || !sameBatch)) return original(args);
    const at = transposeA ? swapLast(backend, a) : a;
    const bt = transposeB ? swapLast(backend, b) : b;
    const plain = { transposeA: false, transposeB: false } as unknown as tf.NamedAttrMap;
    let out: Info;
    if (single) out = original({ inputs: { a: at, b: bt }, backend, attrs: plain }) as Info;
    else out = perMatrix(original, backend, at, bt, batchA, batchB, m, k, n, plain);
    if (at !== a) free(backend, at);
    if (bt !== b) free(backend, bt);
    return out;
  };
}

/**
 * One fast call per matrix: copy matrix i of each operand into its own tensor (a broadcast
 * operand of batch 1 is used as is), multiply, copy the product into the output.
 */
function perMatrix(original: tf.KernelFunc, backend: HeapBackend, a: Info, b: Info, batchA: number, batchB: number, m: number, k: number, n: number, attrs: tf.NamedAttrMap): Info {
  const batch = Math.max(batchA, batchB);
  const outerDims = tf.backend_util.assertAndGetBroadcastShape(a.shape.slice(0, -2), b.shape.slice(0, -2));
  const out = backend.makeOutput([...outerDims, m, n], 'float32');
  const slice = (t: Info, i: number, rows: number, cols: number): Info => {
    const one = backend.makeOutput([1, rows, cols], 'float32'); // may grow the heap: take views afterwards
    backend.typedArrayFromHeap(one).set(backend.typedArrayFromHeap(t).subarray(i * rows * cols, (i + 1) * rows * cols));
    return one;
  };
  for (let i = 0; i < batch; i++) {
    const ai = batchA === 1 ? a : slice(a, i, m, k);
    const bi = batchB === 1 ? b : slice(b, i, k, n);
    const yi = original({ inputs: { a: ai, b: bi }, backend, attrs }) as Info;
    backend.typedArrayFromHeap(out).set(backend.typedArrayFromHeap(yi), i * m * n);
    free(backend, yi);
    if (ai !== a) free(backend, ai);
    if (bi !== b) free(backend, bi);
  }
  return out;
}

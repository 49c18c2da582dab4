/**
 * Kernels dlm registers with tfjs (registerKernel by name and backend): gradient kernels the wasm
 * backend lacks or runs slowly, and faster versions of the cpu backend's slowest gradient kernels.
 * Each is checked against the cpu backend's reference kernels in test/kernels.test.ts (strides,
 * pads and odd sizes included).
 */
import * as tf from '@tensorflow/tfjs-core';
import { adamUpdateKernel } from './adam.js';
import { makeWasmBatchMatMul } from './batch-matmul.js';
import { makeWasmSum } from './column-sum-simd.js';
import { makeWasmConvForward } from './conv-forward-simd.js';
import { makeConv2DBackpropFilter, makeConv2DBackpropInput } from './conv-grad.js';
import { depthwiseBackpropFilter, depthwiseBackpropInput, unsortedSegmentSum } from './js-kernels.js';
import { makeMaxPoolGrad, maxPoolGrad } from './pool-grad.js';
import { makeSharedCast, makeSharedIdentity } from './shared-data.js';
import { replaceKernel } from './util.js';

export { replacedKernel } from './util.js';

/** dlm's own kernel for `TensorMath.adamUpdate` (kernels/adam.ts); tensor-math.ts runs it where registered. */
export const ADAM_UPDATE_KERNEL = 'DlmAdamUpdate';

let cpuDone = false;
let wasmDone = false;

/**
 * cpu: tfjs-backend-cpu's Conv2DBackpropFilter is a naive loop (~12 s per call for the MNIST CNN's
 * second conv at batch 64, measured) and its MaxPoolGrad rescans windows; the forward-conv filter
 * gradient (~0.16 s) and the one-pass MaxPoolGrad (~20× faster) replace them. Its own
 * Conv2DBackpropInput is faster than the flipped-conv version there, so it stays.
 */
export function registerCpuKernels(): void {
  if (cpuDone) return;
  cpuDone = true;
  replaceKernel({ kernelName: 'Conv2DBackpropFilter', backendName: 'cpu', kernelFunc: makeConv2DBackpropFilter('cpu') });
  replaceKernel({ kernelName: 'MaxPoolGrad', backendName: 'cpu', kernelFunc: maxPoolGrad });
  replaceKernel({ kernelName: ADAM_UPDATE_KERNEL, backendName: 'cpu', kernelFunc: adamUpdateKernel as unknown as tf.KernelFunc });
}

/**
 * wasm: Conv2DBackpropFilter is missing in tfjs-backend-wasm 4.22 (models with convs cannot train);
 * its Conv2DBackpropInput is a naive loop. The filter gradient is dlm's WebAssembly SIMD kernel
 * (filter-grad-simd.ts: as an XNNPACK convolution it packed dy as a new operator every step), the
 * input gradient dlm's SIMD kernel that skips dy's zeros (input-grad-simd.ts) or an XNNPACK forward
 * convolution or GEMM (conv-grad.ts). Its
 * MaxPoolGrad rescans every window per input cell; ours is one pass (pool-grad.ts; max_pool(2) in
 * WebAssembly SIMD, pool-grad-simd.ts). Its
 * BatchMatMul is fast only for one untransposed pair (batch-matmul.ts routes onto that path); its
 * Sum transposes before summing (the bias gradients: column-sum-simd.ts sums in place). Its
 * FusedConv2D and Conv2D (XNNPACK) waste lanes where C is small and re-pack the weights every
 * step (conv-forward-simd.ts runs those shapes). Its
 * Identity and same-dtype Cast copy the buffer; ours share it (shared-data.ts).
 */
export function registerWasmKernels(): void {
  if (wasmDone) return;
  wasmDone = true;
  replaceKernel({ kernelName: 'Conv2DBackpropFilter', backendName: 'wasm', kernelFunc: makeConv2DBackpropFilter('wasm') });
  replaceKernel({ kernelName: 'Conv2DBackpropInput', backendName: 'wasm', kernelFunc: makeConv2DBackpropInput('wasm') });
  replaceKernel({ kernelName: 'MaxPoolGrad', backendName: 'wasm', kernelFunc: makeMaxPoolGrad(true) });
  // Adam's ~13 per-parameter kernels as one (bit-identical, adam.ts).
  replaceKernel({ kernelName: ADAM_UPDATE_KERNEL, backendName: 'wasm', kernelFunc: adamUpdateKernel as unknown as tf.KernelFunc });
  // Wraps tfjs' own kernel (its setupFunc binds the wasm function, so the config is kept).
  const batchMatMul = tf.getKernel('BatchMatMul', 'wasm');
  if (batchMatMul) replaceKernel({ ...batchMatMul, kernelFunc: makeWasmBatchMatMul(batchMatMul.kernelFunc) });
  // Sums over all leading axes (bias gradients) without tfjs' transpose, bit-identical (column-sum-simd.ts).
  const sum = tf.getKernel('Sum', 'wasm');
  if (sum) replaceKernel({ ...sum, kernelFunc: makeWasmSum(sum.kernelFunc) });
  // Forward convs (with a bias or without) in dlm's SIMD kernel where it pays, XNNPACK's elsewhere (conv-forward-simd.ts).
  for (const name of ['FusedConv2D', 'Conv2D']) {
    const k = tf.getKernel(name, 'wasm');
    if (k) replaceKernel({ ...k, kernelFunc: makeWasmConvForward(k.kernelFunc) });
  }
  // Identity (every tensor saved for the backward pass) and same-dtype Cast share the buffer instead of copying it.
  for (const [name, make] of [['Identity', makeSharedIdentity], ['Cast', makeSharedCast]] as const) {
    const k = tf.getKernel(name, 'wasm');
    if (k) replaceKernel({ ...k, kernelFunc: make(k.kernelFunc) });
  }
  // Missing in tfjs-backend-wasm: without them Gather (embeddings, Resize) and depthwise convs cannot train.
  replaceKernel({ kernelName: 'UnsortedSegmentSum', backendName: 'wasm', kernelFunc: unsortedSegmentSum });
  replaceKernel({ kernelName: 'DepthwiseConv2dNativeBackpropFilter', backendName: 'wasm', kernelFunc: depthwiseBackpropFilter });
  replaceKernel({ kernelName: 'DepthwiseConv2dNativeBackpropInput', backendName: 'wasm', kernelFunc: depthwiseBackpropInput });
}

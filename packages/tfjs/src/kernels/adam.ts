/**
 * One Adam update of one parameter as a single kernel (`TensorMath.adamUpdate`, @dlm/core), for
 * wasm and cpu. The composed update is ~13 kernels plus ~7 scalar uploads per parameter and step
 * (~110 dispatches for the MNIST CNN's 8 parameters); this runs one. Bit-identical to the
 * composition: every scalar is rounded to float32 first and every operation is rounded to float32
 * (Math.fround) in the composition's order. JS computes each +, −, ×, ÷ and √ in double and
 * rounding a double result of float32 operands to float32 gives the correctly rounded float32
 * result (53 ≥ 2·24 + 2), which is what wasm's f32 operations and the cpu backend's Float32Array
 * stores give. test/kernels.test.ts checks the equality bit for bit on both backends.
 */
import type * as tf from '@tensorflow/tfjs-core';
import type { Backend } from './util.js';

type Info = tf.TensorInfo;
const f = Math.fround;

export interface AdamAttrs {
  beta1: number;
  beta2: number;
  eps: number;
  stepSize: number;
  sqrtBc2: number;
}

/** The update over plain arrays: writes the new param, exp_avg and exp_avg_sq into the `out` arrays. */
export function adamUpdateArrays(p: Float32Array, g: Float32Array, m: Float32Array, v: Float32Array, a: AdamAttrs, pOut: Float32Array, mOut: Float32Array, vOut: Float32Array): void {
  const b1 = f(a.beta1);
  const c1 = f(1 - a.beta1);
  const b2 = f(a.beta2);
  const c2 = f(1 - a.beta2);
  const eps = f(a.eps);
  const step = f(a.stepSize);
  const sq = f(a.sqrtBc2);
  for (let i = 0; i < p.length; i++) {
    const gi = g[i]!;
    const mi = f(f(m[i]! * b1) + f(gi * c1));
    const vi = f(f(v[i]! * b2) + f(f(gi * gi) * c2));
    const denom = f(f(f(Math.sqrt(vi)) / sq) + eps);
    pOut[i] = f(p[i]! - f(f(mi / denom) * step));
    mOut[i] = mi;
    vOut[i] = vi;
  }
}

/** The 'DlmAdamUpdate' kernel: inputs param, grad, expAvg, expAvgSq (float32, same shape); outputs the new three. */
export function adamUpdateKernel({ inputs, backend, attrs }: Parameters<tf.KernelFunc>[0]): Info[] {
  const { param, grad, expAvg, expAvgSq } = inputs as { param: Info; grad: Info; expAvg: Info; expAvgSq: Info };
  const a = attrs as unknown as AdamAttrs;
  const b = backend as Backend & {
    makeOutput?: (s: number[], d: string) => Info;
    typedArrayFromHeap?: (t: Info) => Float32Array;
    makeTensorInfo?: (s: number[], d: string, v: Float32Array) => Info;
  };
  const shape = param.shape;
  if (b.makeOutput && b.typedArrayFromHeap) {
    // wasm: outputs allocated first (allocation may grow the heap), then every array is a heap view.
    const outs = [b.makeOutput(shape, 'float32'), b.makeOutput(shape, 'float32'), b.makeOutput(shape, 'float32')];
    const [p, g, m, v] = [param, grad, expAvg, expAvgSq].map((t) => b.typedArrayFromHeap!(t)) as [Float32Array, Float32Array, Float32Array, Float32Array];
    const [po, mo, vo] = outs.map((t) => b.typedArrayFromHeap!(t)) as [Float32Array, Float32Array, Float32Array];
    adamUpdateArrays(p, g, m, v, a, po, mo, vo);
    return outs;
  }
  const read = (t: Info) => b.readSync(t.dataId) as Float32Array;
  const n = read(param).length;
  const [po, mo, vo] = [new Float32Array(n), new Float32Array(n), new Float32Array(n)];
  adamUpdateArrays(read(param), read(grad), read(expAvg), read(expAvgSq), a, po, mo, vo);
  return [po, mo, vo].map((arr) => b.makeTensorInfo!(shape, 'float32', arr));
}

/**
 * The backend-neutral tensor API that plugins write losses, metrics, optimizers and regularizers
 * against. Plugins import only @dlm/core, yet their code must run on a backend: a backend
 * (@dlm/tfjs) implements this interface over its own tensors, and a plugin's rule runs there
 * unchanged. `T` is the backend's tensor handle; plugins never look inside it.
 *
 * Memory: backends run plugin code inside their own scope (tf.tidy), so plugins need not free
 * intermediates.
 */
export interface TensorMath<T> {
  scalar(v: number): T;
  zerosLike(a: T): T;
  onesLike(a: T): T;
  shape(a: T): number[];
  reshape(a: T, shape: number[]): T;
  cast(a: T, dtype: 'f32' | 'i32'): T;

  add(a: T, b: T | number): T;
  sub(a: T, b: T | number): T;
  mul(a: T, b: T | number): T;
  div(a: T, b: T | number): T;
  neg(a: T): T;
  abs(a: T): T;
  sign(a: T): T;
  square(a: T): T;
  sqrt(a: T): T;
  exp(a: T): T;
  log(a: T): T;
  pow(a: T, b: number): T;
  maximum(a: T, b: T | number): T;
  minimum(a: T, b: T | number): T;
  clip(a: T, lo: number, hi: number): T;
  sigmoid(a: T): T;
  logSoftmax(a: T, axis: number): T;
  softmax(a: T, axis: number): T;

  sum(a: T, axes?: number[], keepDims?: boolean): T;
  mean(a: T, axes?: number[], keepDims?: boolean): T;
  argMax(a: T, axis: number): T;
  /** One-hot float matrix [n, depth] from integer labels [n]. */
  oneHot(labels: T, depth: number): T;
  /** 1.0 where a == b, else 0.0 (float). */
  equal(a: T, b: T): T;
  /** 1.0 where a > b, else 0.0 (float). */
  greater(a: T, b: T | number): T;
  where(cond: T, a: T, b: T): T;
  /** Uniform [0,1) noise of the given shape, from the backend's seeded generator. */
  randomUniform(shape: number[]): T;
  randomNormal(shape: number[], mean?: number, std?: number): T;
  /** Reverses the given axes (image flips). */
  reverse(a: T, axes: number[]): T;
  /** Zero-pads the last two axes by `pad`, then crops `h×w` at (top, left) per sample is the backend's job: here a uniform crop. */
  pad(a: T, paddings: [number, number][]): T;
  slice(a: T, begin: number[], size: number[]): T;
  concat(tensors: T[], axis: number): T;
  /** Reads a tensor's values back (metrics, logging). */
  read(a: T): Promise<Float32Array | Int32Array>;
  /**
   * Optional: one Adam update of one parameter as a single kernel, where the backend has one
   * (returns undefined where it has not; callers then compose the ops above). It must give exactly
   * what this composition of float32 ops gives, so results do not depend on the backend's choice:
   *
   *   expAvg   = expAvg·beta1 + grad·(1 − beta1)
   *   expAvgSq = expAvgSq·beta2 + grad²·(1 − beta2)
   *   param    = param − (expAvg / (√expAvgSq / sqrtBc2 + eps))·stepSize
   *
   * (every scalar rounded to float32 first, every operation rounded to float32, in this order).
   * A per-step optimizer runs ~13 small ops per parameter; the fused kernel runs one.
   */
  adamUpdate?(param: T, grad: T, expAvg: T, expAvgSq: T, h: AdamScalars): { param: T; expAvg: T; expAvgSq: T } | undefined;
}

/** The scalars of one Adam step (`TensorMath.adamUpdate`): `stepSize` = lr / (1 − beta1^step), `sqrtBc2` = √(1 − beta2^step). */
export interface AdamScalars {
  beta1: number;
  beta2: number;
  eps: number;
  stepSize: number;
  sqrtBc2: number;
}

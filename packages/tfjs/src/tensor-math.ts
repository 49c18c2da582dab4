/**
 * @dlm/core's `TensorMath` over tfjs-core tensors: the bridge that lets plugin-written losses,
 * metrics, optimizers and regularizers run on this backend. Every method is one tfjs functional op
 * (differentiable where tfjs is), so a loss written against TensorMath can be used inside
 * `tf.variableGrads`. Callers own memory: run plugin code inside `tf.tidy`.
 *
 * Randomness comes from a seed counter, not from tfjs's global RNG: each random op draws seed
 * `hash(seed, counter++)`, so a run is reproducible from `(seed, counter)`, which is exactly what a
 * checkpoint stores to resume (see `TfjsMath.rngState`).
 */
import * as tf from '@tensorflow/tfjs-core';
import type { SeededMath } from '@dlm/core';
import { ADAM_UPDATE_KERNEL } from './kernels/index.js';

type T = tf.Tensor;

/** Core's `SeededMath` (a TensorMath whose random state checkpoints save) over tfjs tensors; `nextSeed` gives non-zero 31-bit seeds for tfjs' random ops. */
export type TfjsMath = SeededMath<tf.Tensor>;

/** 32-bit mix (splitmix-like) so neighbouring counters give unrelated seeds. Never returns 0. */
function mixSeed(seed: number, counter: number): number {
  let h = (Math.imul(seed | 0, 0x9e3779b1) ^ Math.imul(counter + 1, 0x85ebca6b)) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x7feb352d) >>> 0;
  h = Math.imul(h ^ (h >>> 15), 0x846ca68b) >>> 0;
  h = (h ^ (h >>> 16)) & 0x7fffffff;
  return h === 0 ? 1 : h;
}

const asTensor = (a: T, b: T | number): T => (typeof b === 'number' ? tf.scalar(b, a.dtype === 'int32' && Number.isInteger(b) ? 'int32' : 'float32') : b);

/** Creates a TensorMath whose random ops are seeded from `seed`. */
export function createTfjsMath(seed = 0): TfjsMath {
  let state = { seed, counter: 0 };
  const nextSeed = () => mixSeed(state.seed, state.counter++);
  const math: TfjsMath = {
    rngState: () => ({ ...state }),
    setRngState: (s) => {
      state = { ...s };
    },
    nextSeed,

    scalar: (v) => tf.scalar(v),
    zerosLike: (a) => tf.zerosLike(a),
    onesLike: (a) => tf.onesLike(a),
    shape: (a) => [...a.shape],
    reshape: (a, shape) => tf.reshape(a, shape),
    cast: (a, dtype) => tf.cast(a, dtype === 'f32' ? 'float32' : 'int32'),

    add: (a, b) => tf.add(a, asTensor(a, b)),
    sub: (a, b) => tf.sub(a, asTensor(a, b)),
    mul: (a, b) => tf.mul(a, asTensor(a, b)),
    div: (a, b) => tf.div(tf.cast(a, 'float32'), tf.cast(asTensor(a, b), 'float32')),
    neg: (a) => tf.neg(a),
    abs: (a) => tf.abs(a),
    sign: (a) => tf.sign(a),
    square: (a) => tf.square(a),
    sqrt: (a) => tf.sqrt(a),
    exp: (a) => tf.exp(a),
    log: (a) => tf.log(a),
    pow: (a, b) => tf.pow(a, tf.scalar(b)),
    maximum: (a, b) => tf.maximum(a, asTensor(a, b)),
    minimum: (a, b) => tf.minimum(a, asTensor(a, b)),
    clip: (a, lo, hi) => tf.clipByValue(a, lo, hi),
    sigmoid: (a) => tf.sigmoid(a),
    logSoftmax: (a, axis) => tf.logSoftmax(a, axis),
    softmax: (a, axis) => {
      // tfjs's softmax only supports the last axis; move `axis` there and back.
      const rank = a.rank;
      const ax = axis < 0 ? axis + rank : axis;
      if (ax === rank - 1) return tf.softmax(a);
      const perm = [...Array(rank).keys()];
      perm[ax] = rank - 1;
      perm[rank - 1] = ax;
      return tf.transpose(tf.softmax(tf.transpose(a, perm)), perm);
    },

    sum: (a, axes, keepDims = false) => tf.sum(a, axes, keepDims),
    mean: (a, axes, keepDims = false) => tf.mean(a, axes, keepDims),
    argMax: (a, axis) => tf.argMax(a, axis),
    oneHot: (labels, depth) => tf.cast(tf.oneHot(tf.cast(tf.reshape(labels, [-1]), 'int32'), depth), 'float32'),
    equal: (a, b) => tf.cast(tf.equal(a, b), 'float32'),
    greater: (a, b) => tf.cast(tf.greater(a, asTensor(a, b)), 'float32'),
    where: (cond, a, b) => tf.where(cond.dtype === 'bool' ? cond : tf.notEqual(cond, 0), a, b),
    randomUniform: (shape) => tf.randomUniform(shape, 0, 1, 'float32', nextSeed()),
    randomNormal: (shape, mean = 0, std = 1) => tf.randomNormal(shape, mean, std, 'float32', nextSeed()),
    reverse: (a, axes) => tf.reverse(a, axes),
    pad: (a, paddings) => tf.pad(a, paddings),
    slice: (a, begin, size) => tf.slice(a, begin, size),
    concat: (tensors, axis) => tf.concat(tensors, axis),
    adamUpdate: (param, grad, expAvg, expAvgSq, h) => {
      const all = [param, grad, expAvg, expAvgSq];
      if (!tf.getKernel(ADAM_UPDATE_KERNEL, tf.getBackend()) || all.some((t) => t.dtype !== 'float32' || !tf.util.arraysEqual(t.shape, param.shape))) return undefined;
      const attrs = { beta1: h.beta1, beta2: h.beta2, eps: h.eps, stepSize: h.stepSize, sqrtBc2: h.sqrtBc2 };
      const [p, m, v] = tf.engine().runKernel(ADAM_UPDATE_KERNEL, { param, grad, expAvg, expAvgSq }, attrs) as unknown as tf.Tensor[];
      return { param: p!, expAvg: m!, expAvgSq: v! };
    },
    read: async (a) => {
      const d = await a.data();
      return d instanceof Int32Array ? d : d instanceof Float32Array ? d : Float32Array.from(d as Uint8Array);
    },
  };
  return math;
}

/** A shared instance (seed 0) for code that needs no reproducible randomness. */
export const tfjsMath: TfjsMath = createTfjsMath(0);

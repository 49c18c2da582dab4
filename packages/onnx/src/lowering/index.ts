/**
 * The lowering table: core op → rule. One visible list, like core's op registration; the docs'
 * op × opset table is generated from it.
 */
import { elu, gelu, identity, leakyRelu, logSoftmax, relu, sigmoid, softmax, tanh } from './activation.js';
import { conv, convTranspose } from './conv.js';
import { add, div, mul, sub } from './elementwise.js';
import { gemm, matMul } from './linear.js';
import { batchNormalization, layerNormalization } from './normalization.js';
import { averagePool, globalAveragePool, maxPool } from './pool.js';
import { gru, lstm, rnn } from './recurrent.js';
import { resize } from './resize.js';
import { concat, flatten, gather, reshape, transpose } from './shape.js';
import { abs, cast, clip, equal, erf, exp, greater, greaterOrEqual, less, lessOrEqual, log, pow, reduceMax, reduceMean, reduceSum, sqrt, where } from './math.js';
import { constantOfShape, expand, range, squeeze, trilu, unsqueeze } from './constants.js';
import { slice, split } from './slice.js';
import type { LoweringRule } from './types.js';

export const LOWERING_RULES: readonly LoweringRule[] = [
  identity,
  relu,
  leakyRelu,
  elu,
  gelu,
  sigmoid,
  tanh,
  softmax,
  logSoftmax,
  add,
  sub,
  mul,
  div,
  matMul,
  gemm,
  conv,
  convTranspose,
  maxPool,
  averagePool,
  globalAveragePool,
  batchNormalization,
  layerNormalization,
  flatten,
  reshape,
  transpose,
  concat,
  gather,
  slice,
  split,
  lstm,
  gru,
  rnn,
  resize,
  ...[sqrt, exp, log, abs, erf, pow, clip, equal, less, greater, lessOrEqual, greaterOrEqual, where, cast],
  ...[reduceMean, reduceSum, reduceMax, unsqueeze, squeeze, expand, constantOfShape, range, trilu],
];

const BY_OP = new Map(LOWERING_RULES.map((r) => [r.op, r]));

export function getLoweringRule(op: string): LoweringRule | undefined {
  return BY_OP.get(op);
}

export type { LoweringContext, LoweringOptions, LoweringRule } from './types.js';

/** The PyTorch lowering table: core op → rule, one entry per core op (Dropout included). */
import { dropout, elu, gelu, identity, leakyRelu, logSoftmax, relu, sigmoid, softmax, tanh } from './activation.js';
import { conv, convTranspose } from './conv.js';
import { add, div, mul, sub } from './elementwise.js';
import { gemm, matMul } from './linear.js';
import { batchNormalization, layerNormalization } from './normalization.js';
import { averagePool, globalAveragePool, maxPool } from './pool.js';
import { gru, lstm, rnn } from './recurrent.js';
import { resize } from './resize.js';
import { abs, cast, clip, equal, erf, exp, greater, greaterOrEqual, less, lessOrEqual, log, pow, reduceMax, reduceMean, reduceSum, sqrt, squeeze, unsqueeze, where } from './math.js';
import { constantOfShape, expand, range, trilu } from './constants.js';
import { concat, flatten, gather, reshape, slice, split, transpose } from './shape.js';
import type { TorchLoweringRule } from './types.js';

export const TORCH_LOWERING_RULES: readonly TorchLoweringRule[] = [
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
  dropout,
  flatten,
  reshape,
  transpose,
  concat,
  gather,
  resize,
  sqrt,
  exp,
  log,
  abs,
  erf,
  pow,
  clip,
  equal,
  less,
  greater,
  lessOrEqual,
  greaterOrEqual,
  where,
  cast,
  reduceMean,
  reduceSum,
  reduceMax,
  unsqueeze,
  squeeze,
  slice,
  split,
  expand,
  constantOfShape,
  range,
  trilu,
  lstm,
  gru,
  rnn,
];

const BY_OP = new Map(TORCH_LOWERING_RULES.map((r) => [r.op, r]));

export function getTorchLoweringRule(op: string): TorchLoweringRule | undefined {
  return BY_OP.get(op);
}

export type { TorchLoweringContext, TorchLoweringRule } from './types.js';

/**
 * The lowering table: one entry per core op (see @dlm/core's ops/). The executor looks ops up
 * here; an op without an entry is reported (DLM5001) when the executor is created.
 */
import type { Lowering } from './types.js';
import { Elu, Gelu, Identity, LeakyRelu, Relu, Sigmoid, Tanh } from './activations.js';
import { Add, Div, Mul, Sub } from './binary.js';
import { Conv } from './conv.js';
import { ConvTranspose } from './conv-transpose.js';
import { Dropout } from './dropout.js';
import { Gemm, MatMul } from './gemm.js';
import { BatchNormalization, LayerNormalization } from './normalization.js';
import { AveragePool, GlobalAveragePool, MaxPool } from './pool.js';
import { GRU, LSTM, RNN } from './recurrent.js';
import { Resize } from './resize.js';
import { Concat, Flatten, Gather, Reshape, Transpose } from './shape.js';
import { LogSoftmax, Softmax } from './softmax.js';
import { Abs, Cast, Clip, Equal, Erf, Exp, Greater, GreaterOrEqual, Less, LessOrEqual, Log, Pow, ReduceMax, ReduceMean, ReduceSum, Sqrt, Where } from './math.js';
import { ConstantOfShape, Expand, Range, Squeeze, Trilu, Unsqueeze } from './constants.js';
import { Slice, Split } from './slice.js';

export const LOWERINGS: readonly Lowering[] = [
  Identity, Relu, LeakyRelu, Elu, Gelu, Sigmoid, Tanh, Softmax, LogSoftmax,
  Add, Sub, Mul, Div, MatMul, Gemm,
  Conv, ConvTranspose, MaxPool, AveragePool, GlobalAveragePool,
  BatchNormalization, LayerNormalization, Dropout,
  Flatten, Reshape, Transpose, Concat, Gather, Slice, Split,
  LSTM, GRU, RNN, Resize,
  Sqrt, Exp, Log, Abs, Erf, Pow, Clip, Equal, Less, Greater, LessOrEqual, GreaterOrEqual, Where, Cast,
  ReduceMean, ReduceSum, ReduceMax, Unsqueeze, Squeeze, Expand, ConstantOfShape, Range, Trilu,
];

const BY_OP = new Map(LOWERINGS.map((l) => [l.op, l]));

export function getLowering(op: string): Lowering | undefined {
  return BY_OP.get(op);
}

export const LOWERED_OPS: readonly string[] = LOWERINGS.map((l) => l.op);

export type { Lowering, LowerContext, LowerResult, Layout } from './types.js';
export { Val } from './types.js';

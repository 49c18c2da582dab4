/**
 * The core op set: one file per op, each exporting one declarative `OpSchema`; this list is the
 * one visible registration. Ops follow ONNX semantics so every backend can be checked against
 * onnxruntime. Everything else (layers) is a decomposition into these. docs/ops.md describes them.
 */
import type { AttrValue } from '../ir.js';
import { attrValueProblem, type OpCategory, type OpSchema } from '../op-schema.js';
// activations
import { Identity } from './identity.js';
import { Relu } from './relu.js';
import { LeakyRelu } from './leaky-relu.js';
import { Elu } from './elu.js';
import { Gelu } from './gelu.js';
import { Sigmoid } from './sigmoid.js';
import { Tanh } from './tanh.js';
import { Softmax } from './softmax.js';
import { LogSoftmax } from './log-softmax.js';
// elementwise arithmetic
import { Add } from './add.js';
import { Sub } from './sub.js';
import { Mul } from './mul.js';
import { Div } from './div.js';
// linear algebra and convolution
import { MatMul } from './matmul.js';
import { Gemm } from './gemm.js';
import { Conv } from './conv.js';
import { ConvTranspose } from './conv-transpose.js';
// pooling
import { MaxPool } from './max-pool.js';
import { AveragePool } from './average-pool.js';
import { GlobalAveragePool } from './global-average-pool.js';
// normalization and regularization
import { BatchNormalization } from './batch-normalization.js';
import { LayerNormalization } from './layer-normalization.js';
import { Dropout } from './dropout.js';
// shape and indexing
import { Flatten } from './flatten.js';
import { Reshape } from './reshape.js';
import { Transpose } from './transpose.js';
import { Concat } from './concat.js';
import { Gather } from './gather.js';
import { Resize } from './resize.js';
import { Slice } from './slice.js';
import { Split } from './split.js';
// elementwise math, comparisons and selection
import { Sqrt } from './sqrt.js';
import { Exp } from './exp.js';
import { Log } from './log.js';
import { Abs } from './abs.js';
import { Erf } from './erf.js';
import { Pow } from './pow.js';
import { Clip } from './clip.js';
import { Equal } from './equal.js';
import { Less } from './less.js';
import { Greater } from './greater.js';
import { LessOrEqual } from './less-or-equal.js';
import { GreaterOrEqual } from './greater-or-equal.js';
import { Where } from './where.js';
import { Cast } from './cast.js';
// reductions
import { ReduceMean } from './reduce-mean.js';
import { ReduceSum } from './reduce-sum.js';
import { ReduceMax } from './reduce-max.js';
// more shape ops and constants whose sizes may be read at run time
import { Unsqueeze } from './unsqueeze.js';
import { Squeeze } from './squeeze.js';
import { Expand } from './expand.js';
import { ConstantOfShape } from './constant-of-shape.js';
import { Range } from './range.js';
import { Trilu } from './trilu.js';
// recurrent
import { LSTM } from './lstm.js';
import { GRU } from './gru.js';
import { RNN } from './rnn.js';

export const CORE_OPS: readonly OpSchema[] = [
  Identity,
  Relu,
  LeakyRelu,
  Elu,
  Gelu,
  Sigmoid,
  Tanh,
  Softmax,
  LogSoftmax,
  Add,
  Sub,
  Mul,
  Div,
  MatMul,
  Gemm,
  Conv,
  ConvTranspose,
  MaxPool,
  AveragePool,
  GlobalAveragePool,
  BatchNormalization,
  LayerNormalization,
  Dropout,
  Flatten,
  Reshape,
  Transpose,
  Concat,
  Gather,
  Resize,
  Slice,
  Split,
  LSTM,
  GRU,
  RNN,
  Sqrt,
  Exp,
  Log,
  Abs,
  Erf,
  Pow,
  Clip,
  Equal,
  Less,
  Greater,
  LessOrEqual,
  GreaterOrEqual,
  Where,
  Cast,
  ReduceMean,
  ReduceSum,
  ReduceMax,
  Unsqueeze,
  Squeeze,
  Expand,
  ConstantOfShape,
  Range,
  Trilu,
];

const BY_NAME = new Map(CORE_OPS.map((s) => [s.name, s]));

export const OP_NAMES: readonly string[] = CORE_OPS.map((s) => s.name);

export function getOpSchema(name: string): OpSchema | undefined {
  return BY_NAME.get(name);
}

/** The category of a core op (undefined for a name that is not a core op). */
export function opCategory(op: string): OpCategory | undefined {
  return BY_NAME.get(op)?.category;
}

/**
 * Why a node's attributes break its op's schema (an enum value it does not list), or undefined.
 * The graph builder already rejects such nodes; backends ask this for IR that came from elsewhere
 * (a JSON file, a hand-built graph) instead of restating the allowed values.
 */
export function nodeAttrProblem(node: { op: string; attrs: Record<string, AttrValue> }): string | undefined {
  const schema = BY_NAME.get(node.op);
  return schema ? attrValueProblem(schema, node.attrs) : undefined;
}

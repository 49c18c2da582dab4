/**
 * The core op set: one file per op, each exporting one declarative `OpSchema`; this list is the
 * one visible registration. Ops follow ONNX semantics so every backend can be checked against
 * onnxruntime. Everything else (layers) is a decomposition into these. docs/ops.md describes them.
 */
import type { OpSchema } from '../op-schema.js';
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
  LSTM,
  GRU,
  RNN,
];

const BY_NAME = new Map(CORE_OPS.map((s) => [s.name, s]));

export const OP_NAMES: readonly string[] = CORE_OPS.map((s) => s.name);

export function getOpSchema(name: string): OpSchema | undefined {
  return BY_NAME.get(name);
}

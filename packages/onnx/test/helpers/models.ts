/** The standard-shaped seed networks (as in examples/ and DESIGN.md), built through GraphBuilder. */
import type { Graph } from '@dlm/core';
import { TestGraph } from './build.js';

export function mlp(): Graph {
  const g = new TestGraph('Mlp', 'mlp.dlm');
  let x = g.input('x', ['batch', 784]);
  x = g.dense(x, 128);
  x = g.op('Relu', [x])[0]!;
  x = g.op('Dropout', [x], { ratio: 0.2 })[0]!;
  x = g.dense(x, 10);
  g.output('logits', g.op('LogSoftmax', [x], { axis: -1 })[0]!);
  return g.finish();
}

export function mnistCnn(): Graph {
  const g = new TestGraph('MnistCnn', 'mnist_cnn.dlm');
  let x = g.input('image', ['batch', 1, 28, 28]);
  x = g.conv2d(x, 10, 5);
  x = g.op('MaxPool', [x], { kernel_shape: [2, 2], strides: [2, 2] })[0]!;
  x = g.op('Relu', [x])[0]!;
  x = g.conv2d(x, 20, 5);
  x = g.op('MaxPool', [x], { kernel_shape: [2, 2], strides: [2, 2] })[0]!;
  x = g.op('Relu', [x])[0]!;
  x = g.op('Flatten', [x], { axis: 1 })[0]!;
  x = g.op('Dropout', [x], { ratio: 0.2 })[0]!;
  x = g.dense(x, 50);
  x = g.op('Relu', [x])[0]!;
  x = g.op('Dropout', [x], { ratio: 0.5 })[0]!;
  x = g.dense(x, 10);
  g.output('logits', g.op('LogSoftmax', [x], { axis: -1 })[0]!);
  return g.finish();
}

/** tokens → embedding → LSTM (last hidden state) → dense → log_softmax. */
export function lstmClassifier(): Graph {
  const g = new TestGraph('LstmClassifier', 'lstm_classifier.dlm');
  const tokens = g.input('tokens', ['batch', 'time'], 'i32');
  const e = g.embedding(tokens, 50, 16);
  const [, hN] = g.recurrent('LSTM', e, 24, { outputs: 2 });
  let x = g.op('Reshape', [hN!], { shape: [0, -1] })[0]!;
  x = g.dense(x, 3);
  g.output('log_probs', g.op('LogSoftmax', [x], { axis: -1 })[0]!);
  return g.finish();
}

export function dcganGenerator(): Graph {
  const g = new TestGraph('Generator', 'dcgan.dlm');
  let x = g.input('z', ['batch', 16, 1, 1]);
  x = g.convTranspose2d(x, 32, 4, { bias: false });
  x = g.batchNorm(x);
  x = g.op('Relu', [x])[0]!;
  x = g.convTranspose2d(x, 16, 4, { stride: 2, pad: 1, bias: false });
  x = g.batchNorm(x);
  x = g.op('Relu', [x])[0]!;
  x = g.convTranspose2d(x, 1, 4, { stride: 2, pad: 1, bias: false });
  g.output('image', g.op('Tanh', [x])[0]!);
  return g.finish();
}

export function dcganDiscriminator(): Graph {
  const g = new TestGraph('Discriminator', 'dcgan.dlm');
  let x = g.input('image', ['batch', 1, 16, 16]);
  x = g.conv2d(x, 16, 4, { stride: 2, pad: 1 });
  x = g.op('LeakyRelu', [x], { alpha: 0.2 })[0]!;
  x = g.conv2d(x, 32, 4, { stride: 2, pad: 1 });
  x = g.batchNorm(x);
  x = g.op('LeakyRelu', [x], { alpha: 0.2 })[0]!;
  x = g.conv2d(x, 1, 4);
  x = g.op('Sigmoid', [x])[0]!;
  g.output('real', g.op('Flatten', [x], { axis: 1 })[0]!);
  return g.finish();
}

export function smallResNet(): Graph {
  const g = new TestGraph('SmallResNet', 'resnet.dlm');
  let x = g.input('image', ['batch', 3, 16, 16]);
  x = g.conv2d(x, 8, 3, { pad: 1 });
  x = g.batchNorm(x);
  x = g.op('Relu', [x])[0]!;
  let y = g.conv2d(x, 8, 3, { pad: 1 });
  y = g.batchNorm(y);
  y = g.op('Relu', [y])[0]!;
  y = g.conv2d(y, 8, 3, { pad: 1 });
  y = g.batchNorm(y);
  x = g.op('Add', [x, y])[0]!;
  x = g.op('Relu', [x])[0]!;
  x = g.op('GlobalAveragePool', [x])[0]!;
  x = g.op('Flatten', [x], { axis: 1 })[0]!;
  g.output('logits', g.dense(x, 10));
  return g.finish();
}

export const STANDARD_MODELS: { name: string; build: () => Graph; histogram: Record<string, number> }[] = [
  { name: 'mlp', build: mlp, histogram: { Gemm: 2, LogSoftmax: 1, Relu: 1 } },
  { name: 'mnist_cnn', build: mnistCnn, histogram: { Conv: 2, Flatten: 1, Gemm: 2, LogSoftmax: 1, MaxPool: 2, Relu: 3 } },
  // Transposes: X into sequence-first, Y_h back to batch-first (Y is unused, so it gets none).
  { name: 'lstm_classifier', build: lstmClassifier, histogram: { Gather: 1, Gemm: 1, LSTM: 1, LogSoftmax: 1, Reshape: 1, Transpose: 2 } },
  { name: 'dcgan_generator', build: dcganGenerator, histogram: { BatchNormalization: 2, ConvTranspose: 3, Relu: 2, Tanh: 1 } },
  { name: 'dcgan_discriminator', build: dcganDiscriminator, histogram: { BatchNormalization: 1, Conv: 3, Flatten: 1, LeakyRelu: 2, Sigmoid: 1 } },
  { name: 'small_resnet', build: smallResNet, histogram: { Add: 1, BatchNormalization: 3, Conv: 3, Flatten: 1, Gemm: 1, GlobalAveragePool: 1, Relu: 3 } },
];

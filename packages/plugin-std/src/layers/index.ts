/** The standard layers: one visible list. docs/layers.md documents each. */
import type { LayerDef } from '@dlm/core';
import { dense } from './dense.js';
import { conv1d, conv2d } from './conv.js';
import { conv2d_transpose } from './conv-transpose.js';
import { avg_pool, global_avg_pool, max_pool } from './pooling.js';
import { batch_norm, layer_norm } from './normalization.js';
import { dropout } from './dropout.js';
import { flatten, reshape, upsample } from './shape.js';
import { embedding } from './embedding.js';
import { multi_head_attention, positional_embedding, sinusoidal_positions } from './attention.js';
import { class_token, transformer_decoder_layer, transformer_encoder_layer } from './transformer.js';
import { gru, lstm, simple_rnn } from './recurrent.js';
import { elu, gelu, leaky_relu, log_softmax, relu, sigmoid, softmax, tanh } from './activations.js';
import { add, concat } from './merge.js';
import { abs, cast, clip, equal, erf, exp, greater, greater_equal, less, less_equal, log, matmul, pow, sqrt, where } from './math.js';
import { max, mean, sum } from './reduce.js';
import { expand, permute, squeeze, transpose, unsqueeze } from './tensor-shape.js';
import { arange, ones, tril, zeros } from './constants.js';
import { slice, split } from './tensor.js';

export const STD_LAYERS: readonly LayerDef[] = [
  dense,
  conv1d,
  conv2d,
  conv2d_transpose,
  max_pool,
  avg_pool,
  global_avg_pool,
  batch_norm,
  layer_norm,
  dropout,
  flatten,
  reshape,
  upsample,
  embedding,
  multi_head_attention,
  positional_embedding,
  sinusoidal_positions,
  class_token,
  transformer_encoder_layer,
  transformer_decoder_layer,
  lstm,
  gru,
  simple_rnn,
  relu,
  leaky_relu,
  elu,
  gelu,
  sigmoid,
  tanh,
  softmax,
  log_softmax,
  add,
  concat,
  ...[sqrt, exp, log, abs, erf, pow, clip, equal, less, greater, less_equal, greater_equal, where, cast, matmul],
  ...[mean, sum, max, permute, transpose, unsqueeze, squeeze, expand, arange, ones, zeros, tril],
  slice,
  split,
];

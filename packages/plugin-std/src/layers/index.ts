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
import { gru, lstm, simple_rnn } from './recurrent.js';
import { elu, gelu, leaky_relu, log_softmax, relu, sigmoid, softmax, tanh } from './activations.js';
import { add, concat } from './merge.js';

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
];

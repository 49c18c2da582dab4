/**
 * Standard losses, written only against @dlm/core's TensorMath so they run on any backend.
 * Each returns the mean over the batch (PyTorch's `reduction='mean'`), and each states what kind
 * of model output it expects, so the compiler can warn when `nll` follows a layer without
 * `log_softmax` (the classic silent mistake).
 *
 * Class axis: the LAST axis of the output ([batch, classes] or [batch, time, classes]); targets are
 * integer class indices ([batch] / [batch, time]) or, for cross_entropy, probabilities of the
 * output's shape.
 */
import type { Args, LossDef, TensorMath } from '@dlm/core';

/** Probabilities are clipped to [EPS, 1-EPS] before the log (PyTorch instead clamps log at -100). */
const EPS = 1e-7;

/** Reshapes `target` to the output's shape when they have the same number of elements ([n] vs [n, 1]). */
function alignTarget<T>(m: TensorMath<T>, output: T, target: T): T {
  const os = m.shape(output);
  const ts = m.shape(target);
  const n = (s: number[]) => s.reduce((a, b) => a * b, 1);
  if (os.join(',') === ts.join(',')) return m.cast(target, 'f32');
  if (n(os) !== n(ts)) {
    throw new Error(`target of shape [${ts.join(', ')}] does not fit output of shape [${os.join(', ')}]`);
  }
  return m.reshape(m.cast(target, 'f32'), os);
}

/**
 * Target distribution over the last axis: one-hot of integer labels, or the given probabilities
 * when the target already has the output's shape; then label smoothing (1-ε)·y + ε/C as in
 * PyTorch's CrossEntropyLoss(label_smoothing=ε).
 */
function targetDistribution<T>(m: TensorMath<T>, output: T, target: T, smoothing: number, allowDense: boolean): { out2d: T; dist: T } {
  const os = m.shape(output);
  const classes = os[os.length - 1]!;
  const out2d = m.reshape(output, [-1, classes]);
  const ts = m.shape(target);
  let dist: T;
  if (allowDense && ts.join(',') === os.join(',')) {
    dist = m.reshape(m.cast(target, 'f32'), [-1, classes]);
  } else {
    const rows = os.slice(0, -1).reduce((a, b) => a * b, 1);
    const count = ts.reduce((a, b) => a * b, 1);
    if (count !== rows) {
      throw new Error(`integer labels of shape [${ts.join(', ')}] do not fit output of shape [${os.join(', ')}] (expected ${rows} labels)`);
    }
    dist = m.oneHot(m.cast(m.reshape(target, [-1]), 'i32'), classes);
  }
  if (smoothing > 0) dist = m.add(m.mul(dist, 1 - smoothing), smoothing / classes);
  return { out2d, dist };
}

const num = (args: Args, k: string): number => args[k] as number;

export const mse: LossDef = {
  name: 'mse',
  doc: 'Mean squared error: mean((output - target)²). Regression.',
  args: [],
  expects: 'values',
  compute: (m, output, target) => m.mean(m.square(m.sub(output, alignTarget(m, output, target)))),
};

export const mae: LossDef = {
  name: 'mae',
  doc: 'Mean absolute error: mean(|output - target|). Regression, robust to outliers.',
  args: [],
  expects: 'values',
  compute: (m, output, target) => m.mean(m.abs(m.sub(output, alignTarget(m, output, target)))),
};

export const bce: LossDef = {
  name: 'bce',
  doc: 'Binary cross-entropy on probabilities (after a sigmoid): -mean(y·log p + (1-y)·log(1-p)), p clipped to [1e-7, 1-1e-7].',
  args: [],
  expects: 'probabilities',
  compute: (m, output, target) => {
    const y = alignTarget(m, output, target);
    const p = m.clip(output, EPS, 1 - EPS);
    const ll = m.add(m.mul(y, m.log(p)), m.mul(m.sub(m.onesLike(y), y), m.log(m.sub(m.onesLike(p), p))));
    return m.neg(m.mean(ll));
  },
};

export const bce_with_logits: LossDef = {
  name: 'bce_with_logits',
  doc: 'Binary cross-entropy on logits (no sigmoid layer), computed stably: mean(max(x,0) - x·y + log(1 + e^-|x|)).',
  args: [],
  expects: 'logits',
  compute: (m, output, target) => {
    const y = alignTarget(m, output, target);
    const x = output;
    const softplusNegAbs = m.log(m.add(m.exp(m.neg(m.abs(x))), 1));
    return m.mean(m.add(m.sub(m.maximum(x, 0), m.mul(x, y)), softplusNegAbs));
  },
};

const smoothingArg = {
  name: 'label_smoothing',
  type: 'float',
  default: 0,
  min: 0,
  max: 1,
  doc: 'ε: the target becomes (1-ε)·one_hot + ε/classes (PyTorch semantics).',
} as const;

export const cross_entropy: LossDef = {
  name: 'cross_entropy',
  doc: 'Softmax cross-entropy on logits (no softmax layer), like PyTorch CrossEntropyLoss. Targets: integer class indices, or class probabilities of the output shape.',
  args: [smoothingArg],
  expects: 'logits',
  compute: (m, output, target, args) => {
    const { out2d, dist } = targetDistribution(m, output, target, num(args, 'label_smoothing'), true);
    return m.neg(m.mean(m.sum(m.mul(dist, m.logSoftmax(out2d, -1)), [1])));
  },
};

export const sparse_cross_entropy: LossDef = {
  name: 'sparse_cross_entropy',
  doc: 'Softmax cross-entropy on logits with integer class labels (always indices, never one-hot).',
  args: [smoothingArg],
  expects: 'logits',
  compute: (m, output, target, args) => {
    const { out2d, dist } = targetDistribution(m, output, target, num(args, 'label_smoothing'), false);
    return m.neg(m.mean(m.sum(m.mul(dist, m.logSoftmax(out2d, -1)), [1])));
  },
};

export const nll: LossDef = {
  name: 'nll',
  doc: 'Negative log-likelihood on log-probabilities (after log_softmax), like PyTorch NLLLoss: -mean(output[label]).',
  args: [],
  expects: 'log_probabilities',
  compute: (m, output, target) => {
    const { out2d, dist } = targetDistribution(m, output, target, 0, false);
    return m.neg(m.mean(m.sum(m.mul(dist, out2d), [1])));
  },
};

export const losses: readonly LossDef[] = [mse, mae, bce, bce_with_logits, cross_entropy, sparse_cross_entropy, nll];

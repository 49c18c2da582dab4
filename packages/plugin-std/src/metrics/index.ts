/**
 * Standard metrics. A metric is split in two so that it is exact over a whole epoch, not an
 * average of per-batch values: `batchStats` computes sufficient statistics of one batch on the
 * backend (correct counts, per-class true positives …), the backend sums them over batches, and
 * `finalize` turns the sums into the number.
 *
 * Predicted class: argmax over the last axis; for a single output unit (a sigmoid), `output >
 * threshold` (default 0.5). True class: integer labels, or argmax of one-hot targets.
 *
 * Averaging (precision, recall, f1) follows scikit-learn: 'binary' scores class 1 only; 'macro'
 * is the unweighted mean over the classes seen in labels or predictions; 'micro' pools counts;
 * 'auto' (default) is 'binary' for two classes and 'macro' otherwise. A class never predicted has
 * precision 0 (sklearn's zero_division=0).
 */
import type { ArgSpec, Args, MetricDef, TensorMath } from '@dlm/core';

const thresholdArg: ArgSpec = { name: 'threshold', type: 'float', default: 0.5, doc: 'Decision threshold for a single (sigmoid) output unit.' };
const averageArg: ArgSpec = {
  name: 'average',
  type: 'enum',
  values: ['auto', 'binary', 'macro', 'micro'],
  default: 'auto',
  doc: "How to combine classes: 'binary' (class 1), 'macro' (mean over classes), 'micro' (pooled counts); 'auto' = binary for 2 classes, else macro.",
};

/** Predicted and true class indices as float vectors [n]. */
function classesOf<T>(m: TensorMath<T>, output: T, target: T, args: Args): { pred: T; truth: T } {
  const os = m.shape(output);
  const last = os[os.length - 1]!;
  const ts = m.shape(target);
  const threshold = (args['threshold'] as number | undefined) ?? 0.5;
  const pred = last === 1 && os.length > 1 ? m.greater(m.reshape(output, [-1]), threshold) : m.cast(m.reshape(m.argMax(output, -1), [-1]), 'f32');
  let truth: T;
  if (ts.join(',') === os.join(',') && last > 1) truth = m.cast(m.reshape(m.argMax(target, -1), [-1]), 'f32');
  else if (last === 1 && os.length > 1) truth = m.greater(m.reshape(m.cast(target, 'f32'), [-1]), 0.5);
  else truth = m.cast(m.reshape(target, [-1]), 'f32');
  return { pred, truth };
}

/** Per-class counts [classes]: true positives, predicted, actual. */
function classCounts<T>(m: TensorMath<T>, output: T, target: T, args: Args, classes: number): Record<string, T> {
  const { pred, truth } = classesOf(m, output, target, args);
  const p = m.oneHot(m.cast(pred, 'i32'), classes);
  const t = m.oneHot(m.cast(truth, 'i32'), classes);
  return { tp: m.sum(m.mul(p, t), [0]), predicted: m.sum(p, [0]), actual: m.sum(t, [0]) };
}

type Counts = { tp: number[]; predicted: number[]; actual: number[] };
const toCounts = (s: Record<string, Float32Array | Int32Array>): Counts => ({
  tp: [...s['tp']!],
  predicted: [...s['predicted']!],
  actual: [...s['actual']!],
});

function resolveAverage(args: Args, classes: number): 'binary' | 'macro' | 'micro' {
  const a = (args['average'] as string | undefined) ?? 'auto';
  if (a === 'auto') return classes === 2 ? 'binary' : 'macro';
  return a as 'binary' | 'macro' | 'micro';
}

const ratio = (a: number, b: number) => (b > 0 ? a / b : 0);

/** Per-class score from counts, averaged as asked. */
function averaged(c: Counts, args: Args, classes: number, score: (tp: number, predicted: number, actual: number) => number): number {
  const avg = resolveAverage(args, classes);
  if (avg === 'binary') return score(c.tp[1] ?? 0, c.predicted[1] ?? 0, c.actual[1] ?? 0);
  if (avg === 'micro') {
    const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
    return score(sum(c.tp), sum(c.predicted), sum(c.actual));
  }
  const seen = c.tp.map((_, k) => k).filter((k) => c.predicted[k]! > 0 || c.actual[k]! > 0);
  if (seen.length === 0) return 0;
  return seen.reduce((acc, k) => acc + score(c.tp[k]!, c.predicted[k]!, c.actual[k]!), 0) / seen.length;
}

export const accuracy: MetricDef = {
  name: 'accuracy',
  doc: 'Fraction of samples whose predicted class (argmax, or output > threshold for one sigmoid unit) equals the label.',
  args: [thresholdArg],
  higherIsBetter: true,
  batchStats: (m, output, target, args) => {
    const { pred, truth } = classesOf(m, output, target, args);
    const hits = m.equal(pred, truth);
    return { correct: m.sum(hits), count: m.sum(m.onesLike(hits)) };
  },
  finalize: (s) => ratio(s['correct']![0]!, s['count']![0]!),
};

export const precision: MetricDef = {
  name: 'precision',
  doc: 'Precision tp / (tp + fp): of the samples predicted as a class, the fraction that are.',
  args: [averageArg, thresholdArg],
  higherIsBetter: true,
  batchStats: classCounts,
  finalize: (s, args, classes) => averaged(toCounts(s), args, classes, (tp, p) => ratio(tp, p)),
};

export const recall: MetricDef = {
  name: 'recall',
  doc: 'Recall tp / (tp + fn): of the samples of a class, the fraction found.',
  args: [averageArg, thresholdArg],
  higherIsBetter: true,
  batchStats: classCounts,
  finalize: (s, args, classes) => averaged(toCounts(s), args, classes, (tp, _p, a) => ratio(tp, a)),
};

export const f1: MetricDef = {
  name: 'f1',
  doc: 'F1 score 2·tp / (2·tp + fp + fn), the harmonic mean of precision and recall.',
  args: [averageArg, thresholdArg],
  higherIsBetter: true,
  batchStats: classCounts,
  finalize: (s, args, classes) => averaged(toCounts(s), args, classes, (tp, p, a) => ratio(2 * tp, p + a)),
};

/**
 * The confusion matrix, rows = true class, columns = predicted class. `finalize` can only return a
 * number, so it returns the accuracy (trace / total); the matrix itself is the summed `matrix`
 * statistic (row-major [classes × classes]), which the trainer reports (see docs/training.md).
 */
export const confusion_matrix: MetricDef = {
  name: 'confusion_matrix',
  doc: 'Confusion matrix (rows: true class, columns: predicted). Its scalar value is the accuracy; the matrix is printed and saved by the trainer.',
  args: [thresholdArg],
  higherIsBetter: true,
  batchStats: (m, output, target, args, classes) => {
    const { pred, truth } = classesOf(m, output, target, args);
    const t = m.reshape(m.oneHot(m.cast(truth, 'i32'), classes), [-1, classes, 1]);
    const p = m.reshape(m.oneHot(m.cast(pred, 'i32'), classes), [-1, 1, classes]);
    return { matrix: m.reshape(m.sum(m.mul(t, p), [0]), [classes * classes]) };
  },
  finalize: (s, _args, classes) => {
    const mat = s['matrix']!;
    let trace = 0;
    let total = 0;
    for (let i = 0; i < classes; i++) for (let j = 0; j < classes; j++) {
      const v = mat[i * classes + j]!;
      total += v;
      if (i === j) trace += v;
    }
    return ratio(trace, total);
  },
};

/** Regression error metrics: sums of per-element errors and element counts. */
function errorMetric(name: 'mae' | 'mse', doc: string, err: <T>(m: TensorMath<T>, d: T) => T): MetricDef {
  return {
    name,
    doc,
    args: [],
    higherIsBetter: false,
    batchStats: (m, output, target) => {
      const t = m.reshape(m.cast(target, 'f32'), m.shape(output));
      const e = err(m, m.sub(output, t));
      return { error: m.sum(e), count: m.sum(m.onesLike(e)) };
    },
    finalize: (s) => ratio(s['error']![0]!, s['count']![0]!),
  };
}

export const maeMetric = errorMetric('mae', 'Mean absolute error over all output elements (regression).', (m, d) => m.abs(d));
export const mseMetric = errorMetric('mse', 'Mean squared error over all output elements (regression).', (m, d) => m.square(d));

export const metrics: readonly MetricDef[] = [accuracy, precision, recall, f1, confusion_matrix, maeMetric, mseMetric];

/**
 * Standard regularizers: weight penalties added to the loss, early stopping (a declaration the
 * trainer acts on), and data augmentations applied to training batches only (NCHW images).
 *
 * Penalty convention (Keras): l2(λ) adds λ·Σp², l1(λ) adds λ·Σ|p|. PyTorch's weight_decay=wd
 * corresponds to l2(wd/2) for plain SGD.
 */
import type { Args, RegularizerDef, TensorMath } from '@dlm/core';

const n = (args: Args, k: string): number => args[k] as number;

export const l1: RegularizerDef = {
  name: 'l1',
  doc: 'L1 penalty weight·Σ|p| (encourages sparse weights).',
  kind: 'penalty',
  args: [{ name: 'weight', type: 'float', min: 0, doc: 'Penalty factor λ.' }],
  penalty: (m, p, args) => m.mul(m.sum(m.abs(p)), n(args, 'weight')),
};

export const l2: RegularizerDef = {
  name: 'l2',
  doc: 'L2 penalty weight·Σp² (weight decay).',
  kind: 'penalty',
  args: [{ name: 'weight', type: 'float', min: 0, doc: 'Penalty factor λ.' }],
  penalty: (m, p, args) => m.mul(m.sum(m.square(p)), n(args, 'weight')),
  // d/dp λ·Σp² = 2λ·p. The same float32 number autodiff of `penalty` gives, bit for bit: that is
  // λ·(2p) (square's gradient times the broadcast λ), and doubling is exact in float32, so
  // fround(λ·2p) = fround(2λ·p) (for |p| < 2^127; above, autodiff's 2p overflows). The trainer adds it outside the tape (no square/sum/mul/add and
  // their gradients for every parameter of every step).
  gradient: (m, p, args) => m.mul(p, 2 * n(args, 'weight')),
};

export const early_stopping: RegularizerDef = {
  name: 'early_stopping',
  doc: 'Stops training when the monitored quantity has not improved by min_delta for `patience` epochs.',
  kind: 'early_stopping',
  earlyStopping: { monitor: 'monitor', patience: 'patience', minDelta: 'min_delta' },
  args: [
    { name: 'patience', type: 'int', default: 5, min: 1, doc: 'Epochs without improvement before stopping.' },
    {
      name: 'monitor',
      type: 'string',
      default: 'val_loss',
      doc: "What to watch: 'loss' (training), 'val_loss' (test/validation loss), or 'val_<metric>' / '<metric>' (e.g. val_accuracy).",
    },
    { name: 'min_delta', type: 'float', default: 0, min: 0, doc: 'Smallest change that counts as an improvement.' },
  ],
};

/**
 * 1.0 for samples whose uniform draw falls in [k/K, (k+1)/K), as a [n,1,1,1] mask. Built from
 * `greater` only, since TensorMath has no floor.
 */
function bucketMask<T>(m: TensorMath<T>, scaled: T, k: number): T {
  return m.mul(m.greater(m.add(scaled, 1e-9), k), m.sub(m.onesLike(scaled), m.greater(m.add(scaled, 1e-9), k + 1)));
}

function requireImages<T>(m: TensorMath<T>, x: T, what: string): number[] {
  const s = m.shape(x);
  if (s.length !== 4) throw new Error(`${what} needs NCHW image batches (rank 4), got shape [${s.join(', ')}]`);
  return s;
}

export const random_flip: RegularizerDef = {
  name: 'random_flip',
  doc: 'Flips each training image left-right (and/or up-down) with probability p.',
  kind: 'augmentation',
  args: [
    { name: 'horizontal', type: 'bool', default: true, doc: 'Flip left-right.' },
    { name: 'vertical', type: 'bool', default: false, doc: 'Flip up-down.' },
    { name: 'p', type: 'float', default: 0.5, min: 0, max: 1, doc: 'Probability of each flip.' },
  ],
  augment: (m, x, args) => {
    const [batch] = requireImages(m, x, 'random_flip');
    const p = n(args, 'p');
    let out = x;
    const flip = (axis: number) => {
      // mask = 1 where u < p; out = out + mask·(flipped - out), per sample.
      const u = m.randomUniform([batch!, 1, 1, 1]);
      const mask = m.sub(m.onesLike(u), m.greater(u, p));
      out = m.add(out, m.mul(mask, m.sub(m.reverse(out, [axis]), out)));
    };
    if (args['horizontal']) flip(3);
    if (args['vertical']) flip(2);
    return out;
  },
};

export const random_shift: RegularizerDef = {
  name: 'random_shift',
  doc: 'Zero-pads each training image by `pad` pixels and crops it back at a random offset (per sample), i.e. shifts it by up to ±pad pixels.',
  kind: 'augmentation',
  args: [{ name: 'pad', type: 'int', default: 4, min: 1, doc: 'Maximum shift in pixels.' }],
  augment: (m, x, args) => {
    const [b, c, h, w] = requireImages(m, x, 'random_shift') as [number, number, number, number];
    const pad = n(args, 'pad');
    const k = 2 * pad + 1;
    const padded = m.pad(x, [[0, 0], [0, 0], [pad, pad], [pad, pad]]);
    // Separable crop: pick a row offset per sample, then a column offset, each a masked sum of
    // 2·pad+1 shifted slices (TensorMath has no gather; this keeps it backend-neutral).
    const sy = m.mul(m.randomUniform([b, 1, 1, 1]), k);
    const sx = m.mul(m.randomUniform([b, 1, 1, 1]), k);
    let rows: typeof x | undefined;
    for (let i = 0; i < k; i++) {
      const part = m.mul(bucketMask(m, sy, i), m.slice(padded, [0, 0, i, 0], [b, c, h, w + 2 * pad]));
      rows = rows === undefined ? part : m.add(rows, part);
    }
    let out: typeof x | undefined;
    for (let j = 0; j < k; j++) {
      const part = m.mul(bucketMask(m, sx, j), m.slice(rows!, [0, 0, 0, j], [b, c, h, w]));
      out = out === undefined ? part : m.add(out, part);
    }
    return out!;
  },
};

export const gaussian_noise: RegularizerDef = {
  name: 'gaussian_noise',
  doc: 'Adds N(0, std²) noise to each training input.',
  kind: 'augmentation',
  args: [{ name: 'std', type: 'float', default: 0.1, min: 0, doc: 'Standard deviation of the noise.' }],
  augment: (m, x, args) => m.add(x, m.randomNormal(m.shape(x), 0, n(args, 'std'))),
};

export const regularizers: readonly RegularizerDef[] = [l1, l2, early_stopping, random_flip, random_shift, gaussian_noise];

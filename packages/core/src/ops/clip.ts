import { ShapeError } from '../op-schema.js';
import { float, unaryFloatOp } from './common.js';

/** The largest finite float32: the bounds' defaults, so that "no bound" serializes as a number. */
export const F32_MAX = 3.4028234663852886e38;

/**
 * Y = min(max(X, min), max) elementwise (ONNX Clip-13, with `min` and `max` as attributes instead
 * of inputs; the ONNX lowering writes them as scalar initializers).
 */
export const Clip = unaryFloatOp(
  'elementwise', 'Clip',
  'Limits every element to [min, max].',
  {
    min: { kind: 'float', default: -F32_MAX, doc: 'Lower bound (default: none).' },
    max: { kind: 'float', default: F32_MAX, doc: 'Upper bound (default: none).' },
  },
  2,
  (a) => {
    const lo = float(a, 'min');
    const hi = float(a, 'max');
    if (lo > hi) throw new ShapeError(`min ${lo} is greater than max ${hi}`);
  },
);

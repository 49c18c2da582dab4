import { unaryFloatOp } from './common.js';

/**
 * Gaussian error linear unit (ONNX Gelu-20): x·Φ(x), or the tanh approximation when
 * approximate='tanh' (PyTorch's `nn.GELU(approximate=...)` has the same two modes).
 */
export const Gelu = unaryFloatOp(
  'activation', 'Gelu',
  "Gaussian error linear unit x·Φ(x); approximate='tanh' uses the tanh approximation.",
  { approximate: { kind: 'string', values: ['none', 'tanh'], default: 'none', doc: "'none' (exact, erf) or 'tanh'." } },
  1,
);

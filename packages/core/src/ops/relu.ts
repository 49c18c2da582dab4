import type { OpSchema } from '../op-schema.js';
import { numelPerSample } from '../dims.js';

/** Y = max(0, X), elementwise (ONNX Relu-14). */
export const Relu: OpSchema = {
  name: 'Relu',
  doc: 'Rectified linear unit: max(0, x) elementwise.',
  inputs: [{ name: 'X' }],
  outputs: [{ name: 'Y' }],
  attrs: {},
  infer: ([x]) => [x!],
  flops: (_in, [y]) => numelPerSample(y!.shape),
};

import { numelPerSample } from '../dims.js';
import type { OpSchema } from '../op-schema.js';
import { broadcast, need, requireFloat } from './common.js';

/** Z = X ^ Y elementwise with NumPy broadcasting (ONNX Pow-15, f32 base and exponent). */
export const Pow: OpSchema = {
  name: 'Pow',
  doc: 'X raised to the power Y elementwise, with NumPy broadcasting.',
  category: 'elementwise',
  inputs: [{ name: 'X' }, { name: 'Y' }],
  outputs: [{ name: 'Z' }],
  attrs: {},
  infer: (inputs) => {
    const x = need(inputs, 0, 'X');
    const y = need(inputs, 1, 'Y');
    requireFloat(x, 'X');
    requireFloat(y, 'Y');
    return [{ dtype: 'f32', shape: broadcast(x.shape, y.shape) }];
  },
  flops: (_in, [z]) => numelPerSample(z!.shape),
};

/** Conv and ConvTranspose: NCHW in the IR and in ONNX, explicit pads, so the attributes copy over. */
import { direct } from './types.js';

export const conv = direct('Conv', 13, { kernel_shape: 'ints', strides: 'ints', pads: 'ints', dilations: 'ints', group: 'int' });
export const convTranspose = direct('ConvTranspose', 13, {
  kernel_shape: 'ints',
  strides: 'ints',
  pads: 'ints',
  dilations: 'ints',
  group: 'int',
  output_padding: 'ints',
});

/** Pooling. AveragePool has no dilations before opset 19, so the IR does not carry them. */
import { direct } from './types.js';

export const maxPool = direct('MaxPool', 13, { kernel_shape: 'ints', strides: 'ints', pads: 'ints', dilations: 'ints', ceil_mode: 'int' });
export const averagePool = direct('AveragePool', 13, {
  kernel_shape: 'ints',
  strides: 'ints',
  pads: 'ints',
  count_include_pad: 'int',
  ceil_mode: 'int',
});
export const globalAveragePool = direct('GlobalAveragePool', 13);

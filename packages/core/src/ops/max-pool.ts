import type { OpSchema } from '../op-schema.js';
import { inferPool, poolFlops } from './pool-common.js';

/**
 * Max pooling (ONNX MaxPool-12, PyTorch MaxPool{1,2}d). Note the ONNX default stride is 1, not
 * the kernel size as in PyTorch; the `max_pool` layer always passes strides explicitly.
 */
export const MaxPool: OpSchema = {
  name: 'MaxPool',
  doc: 'Maximum over sliding windows of every spatial axis: X [N, C, spatial…] → Y [N, C, out…].',
  category: 'pooling',
  inputs: [{ name: 'X' }],
  outputs: [{ name: 'Y' }],
  attrs: {
    kernel_shape: { kind: 'ints', doc: 'Window size per spatial axis.' },
    strides: { kind: 'ints', default: [], doc: 'Stride per spatial axis ([] = all 1, the ONNX default).' },
    pads: { kind: 'ints', default: [], doc: 'Padding [begin…, end…] with −∞ ([] = all 0); at most half the kernel.' },
    dilations: { kind: 'ints', default: [], doc: 'Dilation per spatial axis ([] = all 1).' },
    ceil_mode: { kind: 'int', default: 0, doc: '1 to round the output size up (a window starting in the end padding is dropped).' },
  },
  infer: (inputs, attrs) => inferPool(inputs, attrs, true),
  flops: poolFlops,
};

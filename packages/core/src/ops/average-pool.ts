import type { OpSchema } from '../op-schema.js';
import { inferPool, poolFlops } from './pool-common.js';

/**
 * Average pooling (ONNX AveragePool-11). count_include_pad=0 divides by the number of real
 * (unpadded) elements; PyTorch's AvgPool2d default count_include_pad=True corresponds to 1.
 */
export const AveragePool: OpSchema = {
  name: 'AveragePool',
  doc: 'Mean over sliding windows of every spatial axis: X [N, C, spatial…] → Y [N, C, out…].',
  category: 'pooling',
  inputs: [{ name: 'X' }],
  outputs: [{ name: 'Y' }],
  attrs: {
    kernel_shape: { kind: 'ints', doc: 'Window size per spatial axis.' },
    strides: { kind: 'ints', default: [], doc: 'Stride per spatial axis ([] = all 1, the ONNX default).' },
    pads: { kind: 'ints', default: [], doc: 'Padding [begin…, end…] ([] = all 0); at most half the kernel.' },
    count_include_pad: { kind: 'int', default: 0, doc: '1 to count padded zeros in the divisor.' },
    ceil_mode: { kind: 'int', default: 0, doc: '1 to round the output size up (a window starting in the end padding is dropped).' },
  },
  infer: (inputs, attrs) => inferPool(inputs, attrs, false),
  flops: poolFlops,
};

import { numelPerSample } from '../dims.js';
import type { OpSchema } from '../op-schema.js';
import { need, requireFloat, requireRank } from './common.js';

/** Mean over all spatial axes, keeping them as size 1 (ONNX GlobalAveragePool-1): [N, C, H, W] → [N, C, 1, 1]. */
export const GlobalAveragePool: OpSchema = {
  name: 'GlobalAveragePool',
  doc: 'Mean over every spatial axis: X [N, C, spatial…] → Y [N, C, 1, …].',
  category: 'pooling',
  inputs: [{ name: 'X' }],
  outputs: [{ name: 'Y' }],
  attrs: {},
  infer: (inputs) => {
    const x = need(inputs, 0, 'X');
    requireFloat(x, 'X');
    requireRank(x, 3, Infinity, 'X', 'batch, channels and spatial dims');
    return [{ dtype: 'f32', shape: [x.shape[0]!, x.shape[1]!, ...x.shape.slice(2).map(() => 1)] }];
  },
  flops: ([x]) => numelPerSample(x!.shape),
};

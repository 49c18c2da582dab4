import type { OpSchema } from '../op-schema.js';
import { ShapeError } from '../op-schema.js';
import { dimProduct, int, need } from './common.js';
import { formatType } from '../dims.js';

/**
 * Flatten (ONNX Flatten-13): [d0, …, dn] → [d0·…·d(axis−1), d(axis)·…·dn]. With axis 1 this is
 * PyTorch's `x.flatten(1)` / `nn.Flatten()`. Symbolic dims multiply into an expression symbol.
 */
export const Flatten: OpSchema = {
  name: 'Flatten',
  doc: 'Reshapes to 2-D: the dims before `axis` form the first dim, the rest the second.',
  category: 'shape',
  inputs: [{ name: 'input' }],
  outputs: [{ name: 'output' }],
  attrs: { axis: { kind: 'int', default: 1, doc: 'Split point; negative counts from the end.' } },
  infer: (inputs, attrs) => {
    const x = need(inputs, 0, 'input');
    const r = x.shape.length;
    let axis = int(attrs, 'axis');
    if (axis < -r || axis > r) throw new ShapeError(`axis ${axis} is out of range for ${formatType(x)} (allowed ${-r}..${r})`);
    if (axis < 0) axis += r;
    return [{ dtype: x.dtype, shape: [dimProduct(x.shape.slice(0, axis)), dimProduct(x.shape.slice(axis))] }];
  },
  flops: () => 0,
};

import { formatShape, numelPerSample } from '../dims.js';
import type { Dim } from '../ir.js';
import { ShapeError, type OpSchema } from '../op-schema.js';
import { convOperands, dimAdd, dimMul, int, ints, padsOf, perAxis, requireFloat } from './common.js';

/**
 * Transposed convolution (ONNX ConvTranspose-11, PyTorch ConvTranspose{1,2}d). W is
 * [C, M/group, k…]. Output size per axis:
 *   stride·(in − 1) + output_padding + dilation·(k − 1) + 1 − pad_begin − pad_end
 * FLOPs per sample: every input element scatters into (M/group)·prod(kernel) outputs, 2 each,
 * plus one per output element for the bias.
 */
export const ConvTranspose: OpSchema = {
  name: 'ConvTranspose',
  doc: 'Transposed convolution: X [N, C, spatial…] with W [C, M/group, k…] and optional B [M] → Y [N, M, out…].',
  category: 'convolution',
  inputs: [
    { name: 'X', doc: '[N, C, spatial…]' },
    { name: 'W', doc: '[C, M/group, kernel…]' },
    { name: 'B', optional: true, doc: '[M]' },
  ],
  outputs: [{ name: 'Y' }],
  attrs: {
    kernel_shape: { kind: 'ints', doc: 'Kernel size per spatial axis; must equal W.shape[2:].' },
    strides: { kind: 'ints', default: [], doc: 'Stride per spatial axis ([] = all 1).' },
    pads: { kind: 'ints', default: [], doc: 'Padding removed from the output [begin…, end…] ([] = all 0).' },
    dilations: { kind: 'ints', default: [], doc: 'Dilation per spatial axis ([] = all 1).' },
    group: { kind: 'int', default: 1, doc: 'Number of groups.' },
    output_padding: { kind: 'ints', default: [], doc: 'Extra size added to one side of the output ([] = all 0); must be < stride or < dilation.' },
  },
  infer: (inputs, attrs, ctx) => {
    const { x, w, b, n, k, s, d } = convOperands(inputs, attrs);
    const op = perAxis(ints(attrs, 'output_padding'), n, 0, 'output_padding', 0);
    const p = padsOf(ints(attrs, 'pads'), n);
    const g = int(attrs, 'group');
    if (g < 1) throw new ShapeError(`group must be ≥ 1, got ${g}`);
    for (let i = 0; i < n; i++) {
      if (op[i]! >= s[i]! && op[i]! >= d[i]!) {
        throw new ShapeError(`output_padding ${op[i]} on spatial dim ${i} must be smaller than the stride ${s[i]} or the dilation ${d[i]}`);
      }
    }
    const c = x.shape[1]!;
    if (typeof c !== 'number') throw new ShapeError(`the channel dim of X ${formatShape(x.shape)} must be a fixed size, got ${c}`);
    if (c % g !== 0) throw new ShapeError(`input channels ${c} of X ${formatShape(x.shape)} are not divisible by group ${g}`);
    ctx.unify(w.shape[0]!, c, () => `W ${formatShape(w.shape)} expects ${w.shape[0]} input channels but X ${formatShape(x.shape)} has ${c}; channels`);
    const m = typeof w.shape[1] === 'number' ? w.shape[1] * g : w.shape[1]!;
    if (b) {
      requireFloat(b, 'B');
      if (b.shape.length !== 1 || b.shape[0] !== m) throw new ShapeError(`bias B ${formatShape(b.shape)} must be [${m}] (one per output channel)`);
    }
    const out: Dim[] = [x.shape[0]!, m];
    for (let i = 0; i < n; i++) {
      const inp = x.shape[2 + i]!;
      const extra = op[i]! + d[i]! * (k[i]! - 1) + 1 - p.begin[i]! - p.end[i]!;
      const size = dimAdd(dimMul(dimAdd(inp, -1), s[i]!), extra);
      if (typeof size === 'number' && size < 1) {
        throw new ShapeError(`spatial dim ${i} of X ${formatShape(x.shape)} would give output size ${size}: the padding removes more than the kernel adds`);
      }
      out.push(size);
    }
    return [{ dtype: 'f32', shape: out }];
  },
  flops: ([x, w, b], [y], attrs) => {
    const mPerGroup = w!.shape[1] as number;
    const kernel = (attrs['kernel_shape'] as number[]).reduce((a, v) => a * v, 1);
    return 2 * numelPerSample(x!.shape) * mPerGroup * kernel + (b ? numelPerSample(y!.shape) : 0);
  },
};

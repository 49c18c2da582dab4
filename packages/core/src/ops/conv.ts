import { formatShape, numelPerSample } from '../dims.js';
import type { Dim } from '../ir.js';
import { ShapeError, type OpSchema } from '../op-schema.js';
import { convOperands, int, ints, padsOf, requireFloat, slidingOut } from './common.js';

/**
 * N-d convolution (ONNX Conv-11), used 1-D (N, C, L) and 2-D (N, C, H, W). Pads are always
 * explicit: layers compute 'same' padding statically (possibly asymmetric), so there is no
 * auto_pad. Empty `strides`/`dilations`/`pads` mean the ONNX defaults (1 and 0 on every axis).
 *
 * FLOPs per sample: 2·(C/group)·prod(kernel)·prod(out spatial)·M, plus M·prod(out spatial) for the bias.
 */
export const Conv: OpSchema = {
  name: 'Conv',
  doc: 'Convolution: X [N, C, spatial…] with W [M, C/group, k…] and optional bias B [M] → Y [N, M, out…].',
  category: 'convolution',
  inputs: [
    { name: 'X', doc: '[N, C, spatial…]' },
    { name: 'W', doc: '[M, C/group, kernel…]' },
    { name: 'B', optional: true, doc: '[M]' },
  ],
  outputs: [{ name: 'Y' }],
  attrs: {
    kernel_shape: { kind: 'ints', doc: 'Kernel size per spatial axis; must equal W.shape[2:].' },
    strides: { kind: 'ints', default: [], doc: 'Stride per spatial axis ([] = all 1).' },
    pads: { kind: 'ints', default: [], doc: 'Padding [begin…, end…] ([] = all 0).' },
    dilations: { kind: 'ints', default: [], doc: 'Dilation per spatial axis ([] = all 1).' },
    group: { kind: 'int', default: 1, doc: 'Number of groups; C and M must be divisible by it.' },
  },
  infer: (inputs, attrs, ctx) => {
    const { x, w, b, n, k, s, d } = convOperands(inputs, attrs);
    const p = padsOf(ints(attrs, 'pads'), n);
    const g = int(attrs, 'group');
    if (g < 1) throw new ShapeError(`group must be ≥ 1, got ${g}`);
    const c = x.shape[1]!;
    const m = w.shape[0]!;
    if (typeof c !== 'number') throw new ShapeError(`the channel dim of X ${formatShape(x.shape)} must be a fixed size, got ${c}`);
    if (c % g !== 0) throw new ShapeError(`input channels ${c} of X ${formatShape(x.shape)} are not divisible by group ${g}`);
    if (typeof m === 'number' && m % g !== 0) throw new ShapeError(`output channels ${m} of W ${formatShape(w.shape)} are not divisible by group ${g}`);
    ctx.unify(w.shape[1]!, c / g, () => `W ${formatShape(w.shape)} expects ${w.shape[1]} input channels per group but X ${formatShape(x.shape)} has ${c}${g > 1 ? ` / group ${g}` : ''}; channels`);
    if (b) {
      requireFloat(b, 'B');
      if (b.shape.length !== 1 || b.shape[0] !== m) throw new ShapeError(`bias B ${formatShape(b.shape)} must be [${m}] (one per output channel of W ${formatShape(w.shape)})`);
    }
    const out: Dim[] = [x.shape[0]!, m];
    for (let i = 0; i < n; i++) out.push(slidingOut(x.shape[2 + i]!, k[i]!, s[i]!, p.begin[i]!, p.end[i]!, d[i]!, false, `spatial dim ${i} of X ${formatShape(x.shape)}`));
    return [{ dtype: 'f32', shape: out }];
  },
  flops: ([, w, b], [y], attrs) => {
    const cinPerGroup = w!.shape[1] as number;
    const kernel = (attrs['kernel_shape'] as number[]).reduce((a, v) => a * v, 1);
    const outElems = numelPerSample(y!.shape);
    return 2 * cinPerGroup * kernel * outElems + (b ? outElems : 0);
  },
};

import { formatType, type LayerDef } from '@dlm/core';

/** [batch, d1, d2, …] → [batch, d1·d2·…] (PyTorch nn.Flatten()). */
export const flatten: LayerDef = {
  name: 'flatten',
  family: 'shape',
  doc: 'Flattens every axis after the first: [batch, d1, d2, …] → [batch, d1·d2·…] (PyTorch nn.Flatten()).',
  args: [],
  expand: (ctx, [x]) => ctx.op('Flatten', [x!], { axis: 1 }),
  label: () => 'flatten',
};

/**
 * Reshape to a full target shape, ONNX semantics: −1 is inferred, 0 copies the input dim. A
 * symbol equal to the input's dim at the same position (typically `batch` first) means "keep it"
 * and becomes 0, so `reshape([batch, 20, 4, 4])` works for any batch size.
 */
export const reshape: LayerDef = {
  name: 'reshape',
  family: 'shape',
  doc: 'Reshapes to `shape` (batch included): −1 is inferred, 0 copies the input dim, and a symbol such as `batch` keeps the input dim at that position.',
  args: [{ name: 'shape', type: 'dims', doc: 'Target shape, e.g. [batch, 20, 4, 4] or [batch, -1].' }],
  expand(ctx, [x], args) {
    const t = ctx.typeOf(x!);
    const target = (args['shape'] as (number | string)[]).map((d, i) => {
      if (typeof d === 'number') {
        if (d < -1 || !Number.isInteger(d)) ctx.fail(`shape entries must be positive, 0 (copy) or -1 (infer), got ${d}`);
        return d;
      }
      if (t.shape[i] === d) return 0;
      return ctx.fail(`the symbol '${d}' at position ${i} of the target shape must match the input's dim there, but the input is ${formatType(t)}`);
    });
    return ctx.op('Reshape', [x!], { shape: target });
  },
  label: (a) => `reshape [${(a['shape'] as unknown[]).join(', ')}]`,
};

/**
 * Nearest-neighbour upsampling of the spatial axes by an integer-or-float factor, PyTorch
 * nn.Upsample(scale_factor, mode='nearest'). Lowered to Resize with the PyTorch-compatible
 * coordinate mode ('asymmetric', floor), so exported models match.
 */
export const upsample: LayerDef = {
  name: 'upsample',
  family: 'shape',
  doc: 'Upsamples the spatial axes of [batch, C, …] by `scale` with nearest-neighbour interpolation (PyTorch nn.Upsample(mode="nearest")).',
  args: [
    { name: 'scale', type: 'float', default: 2, min: 1, doc: 'Scale factor for every spatial axis.' },
    { name: 'mode', type: 'enum', values: ['nearest'], default: 'nearest', doc: "Interpolation; only 'nearest' for now." },
  ],
  expand(ctx, [x], args) {
    const t = ctx.typeOf(x!);
    if (t.shape.length < 3) ctx.fail(`expects [batch, channels, spatial…], got ${formatType(t)}`);
    const s = args['scale'] as number;
    return ctx.op('Resize', [x!], { mode: 'nearest', scales: t.shape.map((_, i) => (i < 2 ? 1 : s)) });
  },
  label: (a) => `upsample ×${a['scale']}`,
};

import { formatType, type LayerDef } from '@dlm/core';

/**
 * ONNX-style slice; `x[…]` in .dlm compiles to it. Integer indices slice one element and then
 * drop the axis (`squeeze`), as NumPy and PyTorch do.
 */
export const slice: LayerDef = {
  name: 'slice',
  family: 'shape',
  doc: 'Takes `starts[i]:ends[i]:steps[i]` on each of `axes` (ONNX Slice; negative bounds count from the end), then removes the `squeeze` axes (each must have length 1). `x[:, -1]` and `x[..., 0:64]` compile to it.',
  args: [
    { name: 'starts', type: 'ints', doc: 'First index on each axis.' },
    { name: 'ends', type: 'ints', doc: 'End (exclusive) on each axis; 2147483647 means "to the end".' },
    { name: 'axes', type: 'ints', default: [], doc: 'Axes the bounds apply to (default 0, 1, …).' },
    { name: 'steps', type: 'ints', default: [], doc: 'Step on each axis (default 1; negative walks backwards).' },
    { name: 'squeeze', type: 'ints', default: [], doc: 'Axes to remove after slicing (integer indices).' },
  ],
  expand(ctx, [x], args) {
    const list = (k: string) => args[k] as number[];
    const [y] = ctx.op('Slice', [x!], { starts: list('starts'), ends: list('ends'), axes: list('axes'), steps: list('steps') });
    if (list('squeeze').length === 0) return y!;
    return ctx.op('Squeeze', [y!], { axes: list('squeeze') });
  },
  label: () => 'slice',
};

/** Splits one tensor into several along an axis; `q, k, v = x |> split(3)` names the parts. */
export const split: LayerDef = {
  name: 'split',
  family: 'shape',
  doc: 'Splits the input along `axis` into `parts` equal parts, or into parts of the lengths in `sizes` (torch.split / chunk). Gives several outputs: `q, k, v = x |> split(3, axis: -1)`.',
  args: [
    { name: 'parts', type: 'int', optional: true, min: 1, doc: 'Number of equal parts.' },
    { name: 'axis', type: 'int', default: -1, doc: 'Axis to split; negative counts from the end.' },
    { name: 'sizes', type: 'ints', optional: true, positional: false, doc: 'Length of each part (instead of `parts`).' },
  ],
  expand(ctx, [x], args) {
    const t = ctx.typeOf(x!);
    const r = t.shape.length;
    const axis = args['axis'] as number;
    if (axis < -r || axis >= r) ctx.fail(`axis ${axis} is out of range for ${formatType(t)}`);
    const d = t.shape[axis < 0 ? axis + r : axis];
    let sizes = args['sizes'] as number[] | undefined;
    const parts = args['parts'] as number | undefined;
    if ((sizes === undefined) === (parts === undefined)) ctx.fail('give either the number of equal parts or their sizes (sizes: [...])');
    if (sizes === undefined) {
      if (typeof d !== 'number') return ctx.fail(`axis ${axis} of ${formatType(t)} is symbolic, so it cannot be split into equal parts`);
      if (d % parts! !== 0) ctx.fail(`axis ${axis} of ${formatType(t)} has length ${d}, which does not split into ${parts} equal parts`);
      sizes = new Array<number>(parts!).fill(d / parts!);
    }
    return ctx.op('Split', [x!], { axis, split: sizes }, { outputs: sizes.length });
  },
  label: (a) => (a['parts'] !== undefined ? `split ${a['parts']}` : `split [${(a['sizes'] as number[]).join(', ')}]`),
};

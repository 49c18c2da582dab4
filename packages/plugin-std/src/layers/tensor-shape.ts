/**
 * Axis shuffles and broadcasting: permute, transpose (swap two axes, as torch.transpose),
 * unsqueeze, squeeze, expand. Axes may be negative; bad axes are reported by the ops' shape rules
 * with the input's shape.
 */
import { broadcastShapes, formatShape, formatType, type Dim, type LayerDef } from '@dlm/core';

export const permute: LayerDef = {
  name: 'permute',
  family: 'shape',
  doc: 'Reorders the axes (torch.permute): output axis i is input axis dims[i]; negative axes count from the end.',
  args: [{ name: 'dims', type: 'ints', doc: 'A permutation of the axes, e.g. [0, 2, 1, 3].' }],
  expand(ctx, [x], args) {
    const r = ctx.typeOf(x!).shape.length;
    return ctx.op('Transpose', [x!], { perm: (args['dims'] as number[]).map((d) => (d < 0 ? d + r : d)) });
  },
  label: (a) => `permute [${(a['dims'] as number[]).join(', ')}]`,
};

export const transpose: LayerDef = {
  name: 'transpose',
  family: 'shape',
  doc: 'Swaps two axes (torch.transpose(x, dim0, dim1)); negative axes count from the end.',
  args: [
    { name: 'dim0', type: 'int', default: -2, doc: 'First axis (default the second to last).' },
    { name: 'dim1', type: 'int', default: -1, doc: 'Second axis (default the last).' },
  ],
  expand(ctx, [x], args) {
    const t = ctx.typeOf(x!);
    const r = t.shape.length;
    const [a, b] = [args['dim0'] as number, args['dim1'] as number];
    for (const d of [a, b]) if (d < -r || d >= r) ctx.fail(`axis ${d} is out of range for ${formatType(t)} (rank ${r}: allowed ${-r}..${r - 1})`);
    const perm = Array.from({ length: r }, (_, i) => i);
    const [i, j] = [a < 0 ? a + r : a, b < 0 ? b + r : b];
    [perm[i], perm[j]] = [perm[j]!, perm[i]!];
    return ctx.op('Transpose', [x!], { perm });
  },
  label: (a) => `transpose ${a['dim0']}, ${a['dim1']}`,
};

export const unsqueeze: LayerDef = {
  name: 'unsqueeze',
  family: 'shape',
  doc: 'Inserts a size-1 axis at `axis` of the output (torch.unsqueeze); a list inserts several.',
  args: [{ name: 'axis', type: 'ints', doc: 'Position(s) in the output; negative counts from the end.' }],
  expand: (ctx, [x], args) => ctx.op('Unsqueeze', [x!], { axes: args['axis'] as number[] }),
  label: (a) => `unsqueeze ${(a['axis'] as number[]).join(', ')}`,
};

export const squeeze: LayerDef = {
  name: 'squeeze',
  family: 'shape',
  doc: 'Removes size-1 axes (torch.squeeze): the given `axis` (one or a list), or every axis of size 1.',
  args: [{ name: 'axis', type: 'ints', optional: true, doc: 'Axis or axes to remove; each must have size 1. Default: every size-1 axis.' }],
  // Without `axis`, the axes known to be 1 now, named explicitly: a symbolic dim that happens to be
  // 1 at run time must stay (the shape rule and the backends would disagree otherwise).
  // Nothing of size 1: nothing to do, as torch.squeeze.
  expand(ctx, [x], args) {
    const axes = (args['axis'] as number[] | undefined) ?? ctx.typeOf(x!).shape.flatMap((d, i) => (d === 1 ? [i] : []));
    return axes.length === 0 ? x! : ctx.op('Squeeze', [x!], { axes });
  },
  label: (a) => (a['axis'] === undefined ? 'squeeze' : `squeeze ${(a['axis'] as number[]).join(', ')}`),
};

/**
 * The `shape`/`shape_from` attributes for a target that may name symbolic dims: a number is a
 * fixed size; a symbol is read at run time from the first tensor among `sources` that has it.
 * Returns the source to pass as the op's `like` input (undefined when every size is fixed).
 */
export function symbolicShape(
  fail: (m: string) => never,
  target: readonly Dim[],
  sources: readonly { name: string; shape: readonly Dim[]; what: string }[],
): { shape: number[]; shape_from: number[]; like?: string } {
  let like: string | undefined;
  const shape: number[] = [];
  const from: number[] = [];
  for (const d of target) {
    if (typeof d === 'number') {
      if (!Number.isInteger(d) || d < 0) fail(`sizes must be whole numbers ≥ 0, got ${d}`);
      shape.push(d);
      from.push(-1);
      continue;
    }
    const src = sources.find((s) => s.shape.includes(d) && (like === undefined || s.name === like));
    if (!src) {
      const have = sources.map((s) => `${s.what} ${formatShape(s.shape)}`).join(' or ');
      fail(`the size '${d}' is not a dim of ${have || 'any input (give a tensor that has it as the first input)'}, so it cannot be read at run time`);
    }
    like = src.name;
    shape.push(0);
    from.push(src.shape.indexOf(d));
  }
  return { shape, shape_from: like === undefined ? [] : from, ...(like === undefined ? {} : { like }) };
}

export const expand: LayerDef = {
  name: 'expand',
  family: 'shape',
  doc: 'Broadcasts to `shape` (torch.expand): 1 or −1 keeps the input dim; a symbol such as `batch` is read at run time from the input or from an optional second tensor.',
  args: [{ name: 'shape', type: 'dims', doc: 'Target shape, e.g. [batch, 4, time, time].' }],
  inputs: { min: 1, max: 2 },
  expand(ctx, [x, other], args) {
    const t = ctx.typeOf(x!);
    const target = args['shape'] as Dim[];
    const off = target.length - t.shape.length;
    if (off < 0) ctx.fail(`cannot expand ${formatType(t)} to ${target.length} dims; the target needs at least the input's rank ${t.shape.length}`);
    const wanted = target.map((d, i) => (d === -1 && i >= off ? t.shape[i - off]! : d));
    try {
      broadcastShapes(t.shape, wanted);
    } catch (e) {
      ctx.fail(`cannot expand ${formatType(t)} to ${formatShape(target)}: ${e instanceof Error ? e.message : String(e)}`);
    }
    // A symbol equal to the input's own dim at that position, and −1, keep the input dim (ONNX: 1).
    const kept = target.map((d, i) => (d === -1 || (i >= off && typeof d === 'string' && t.shape[i - off] === d) ? 1 : d));
    const sources = [{ name: x!, shape: t.shape, what: 'the input' }, ...(other ? [{ name: other, shape: ctx.typeOf(other).shape, what: 'the second input' }] : [])];
    const s = symbolicShape((m) => ctx.fail(m), kept, sources);
    return ctx.op('Expand', [x!, s.like ?? null], { shape: s.shape, shape_from: s.shape_from });
  },
  label: (a) => `expand [${(a['shape'] as Dim[]).join(', ')}]`,
};

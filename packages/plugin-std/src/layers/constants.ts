/**
 * Constant tensors whose sizes may be symbolic dims of an input (`time`), read from its shape at
 * run time: `arange(x, size: time)` (positions), `ones(x, shape: [time, time])`, `zeros(…)`, and
 * `tril` (lower triangle; with `shape:` the causal mask tril(ones)). The input only lends its
 * shape; its values are not used. All sizes fixed: no input is needed.
 */
import type { Dim, LayerContext, LayerDef } from '@dlm/core';
import { symbolicShape } from './tensor-shape.js';

function sourcesOf(ctx: LayerContext, x: string | undefined) {
  return x === undefined ? [] : [{ name: x, shape: ctx.typeOf(x).shape, what: 'the input' }];
}

function filled(name: string, value: number): LayerDef {
  return {
    name,
    family: 'shape',
    doc: `A tensor of ${value}s of \`shape\` (torch.${name}); a symbolic size such as \`time\` is read at run time from the input: \`${name}(x, shape: [time, time])\`.`,
    args: [
      { name: 'shape', type: 'dims', doc: 'Sizes: numbers or dims of the input.' },
      { name: 'dtype', type: 'enum', values: ['f32', 'i32', 'i64', 'bool'], default: 'f32', doc: 'Element type.' },
    ],
    inputs: { min: 0, max: 1 },
    expand(ctx, [x], args) {
      const s = symbolicShape((m) => ctx.fail(m), args['shape'] as Dim[], sourcesOf(ctx, x));
      return ctx.op('ConstantOfShape', [s.like ?? null], { shape: s.shape, shape_from: s.shape_from, value, dtype: args['dtype'] as string });
    },
    label: (a) => `${name} [${(a['shape'] as Dim[]).join(', ')}]`,
  };
}

export const ones = filled('ones', 1);
export const zeros = filled('zeros', 0);

export const arange: LayerDef = {
  name: 'arange',
  family: 'shape',
  doc: '`size` values start, start+step, … (torch.arange), i64 by default so it can index an embedding; `arange(x, size: time)` reads the size from the input at run time.',
  args: [
    { name: 'size', type: ['int', 'string'], doc: 'How many values: a number or a dim of the input (`time`).' },
    { name: 'start', type: 'float', default: 0, doc: 'First value.' },
    { name: 'step', type: 'float', default: 1, doc: 'Step between values.' },
    { name: 'dtype', type: 'enum', values: ['i64', 'i32', 'f32'], default: 'i64', doc: 'Element type (integer types need integral start and step).' },
  ],
  inputs: { min: 0, max: 1 },
  expand(ctx, [x], args) {
    const size = args['size'] as number | string;
    // In the layer's own words (step, not the Range op's delta).
    const [start, step, dtype] = [args['start'] as number, args['step'] as number, args['dtype'] as string];
    if (step === 0) ctx.fail('step must not be 0');
    if (dtype !== 'f32' && !(Number.isInteger(start) && Number.isInteger(step))) ctx.fail(`start ${start} and step ${step} must be whole numbers for dtype ${dtype} (or give dtype: "f32")`);
    const s = symbolicShape((m) => ctx.fail(m), [size], sourcesOf(ctx, x));
    const attrs = { start: args['start'] as number, delta: args['step'] as number, dtype: args['dtype'] as string };
    if (s.like === undefined) return ctx.op('Range', [], { ...attrs, size: s.shape[0]! });
    return ctx.op('Range', [s.like], { ...attrs, size_from: s.shape_from[0]! });
  },
  label: (a) => `arange ${a['size']}`,
};

export const tril: LayerDef = {
  name: 'tril',
  family: 'shape',
  doc: 'Keeps the lower triangle of the last two axes, zeroing the rest (torch.tril); `k` shifts the diagonal. With `shape:`, the lower-triangular mask of ones of that shape instead, sizes read from the input: `tril(x, shape: [time, time])` is a causal mask. ONNX export needs opset ≥ 14.',
  args: [
    { name: 'k', type: 'int', default: 0, doc: 'Diagonal offset: 1 also keeps the first superdiagonal, −1 drops the main diagonal.' },
    { name: 'shape', type: 'dims', optional: true, doc: 'Make a mask of ones of this shape instead of masking the input.' },
  ],
  inputs: { min: 0, max: 1 },
  expand(ctx, [x], args) {
    const shape = args['shape'] as Dim[] | undefined;
    let src = x;
    if (shape !== undefined) {
      const s = symbolicShape((m) => ctx.fail(m), shape, sourcesOf(ctx, x));
      src = ctx.op('ConstantOfShape', [s.like ?? null], { shape: s.shape, shape_from: s.shape_from, value: 1 })[0]!;
    } else if (x === undefined) ctx.fail('give a tensor to mask (x |> tril) or a mask shape (tril(x, shape: [time, time]))');
    return ctx.op('Trilu', [src!], { k: args['k'] as number });
  },
  label: (a) => (a['shape'] === undefined ? `tril${a['k'] ? ` k ${a['k']}` : ''}` : `tril [${(a['shape'] as Dim[]).join(', ')}]`),
};

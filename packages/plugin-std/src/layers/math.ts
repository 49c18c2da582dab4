/**
 * Elementwise math (sqrt, exp, log, abs, erf, pow, clip), comparisons, where and cast. A scalar
 * operand given as a number (`pow(2)`, `equal(value: 0)`, `where(mask, x, other: -1e9)`) becomes
 * a scalar ConstantOfShape of the tensor's dtype, which broadcasts.
 */
import { type Args, type ArgSpec, type DType, type LayerContext, type LayerDef } from '@dlm/core';

/** A number for a label: -1e9 rather than -1000000000. */
export function num(v: unknown): string {
  return typeof v === 'number' && v !== 0 && (Math.abs(v) >= 1e5 || Math.abs(v) < 1e-3) ? v.toExponential().replace('e+', 'e') : String(v);
}

/** A scalar constant of `dtype`; integer dtypes need an integral value. */
export function scalar(ctx: LayerContext, value: number, dtype: DType, what: string): string {
  if (dtype !== 'f32' && dtype !== 'bool' && !Number.isInteger(value)) ctx.fail(`${what} ${value} must be an integer to compare with ${dtype} values`);
  return ctx.op('ConstantOfShape', [], { shape: [], value, dtype })[0]!;
}

function unary(name: string, op: string, doc: string): LayerDef {
  return { name, family: 'activation', doc, args: [], expand: (ctx, [x]) => ctx.op(op, [x!]), label: () => name };
}

export const sqrt = unary('sqrt', 'Sqrt', 'Square root, elementwise (torch.sqrt).');
export const exp = unary('exp', 'Exp', 'Natural exponential, elementwise (torch.exp).');
export const log = unary('log', 'Log', 'Natural logarithm, elementwise (torch.log).');
export const abs = unary('abs', 'Abs', 'Absolute value, elementwise (torch.abs).');
export const erf = unary('erf', 'Erf', 'Gauss error function, elementwise (torch.erf).');

export const pow: LayerDef = {
  name: 'pow',
  family: 'merge',
  doc: 'x raised to a power, elementwise (torch.pow): a number `pow(2)` or a second tensor `pow(x, y)` (NumPy broadcasting).',
  args: [{ name: 'exponent', type: 'float', optional: true, doc: 'A constant exponent; leave out when a second tensor is given.' }],
  inputs: { min: 1, max: 2 },
  expand(ctx, [x, y], args) {
    const e = args['exponent'] as number | undefined;
    if ((y === undefined) === (e === undefined)) ctx.fail('give either an exponent (pow(2)) or a second tensor (pow(x, y)), not both or neither');
    return ctx.op('Pow', [x!, y ?? scalar(ctx, e!, 'f32', 'exponent')]);
  },
  label: (a) => (a['exponent'] === undefined ? 'pow' : `pow ${num(a['exponent'])}`),
};

export const clip: LayerDef = {
  name: 'clip',
  family: 'activation',
  doc: 'Limits every element to [min, max] (torch.clamp); either bound may be left out.',
  args: [
    { name: 'min', type: 'float', optional: true, doc: 'Lower bound.' },
    { name: 'max', type: 'float', optional: true, doc: 'Upper bound.' },
  ],
  expand(ctx, [x], args) {
    const lo = args['min'] as number | undefined;
    const hi = args['max'] as number | undefined;
    if (lo === undefined && hi === undefined) ctx.fail('give min:, max: or both');
    return ctx.op('Clip', [x!], { ...(lo === undefined ? {} : { min: lo }), ...(hi === undefined ? {} : { max: hi }) });
  },
  label: (a) => `clip [${a['min'] === undefined ? '−∞' : num(a['min'])}, ${a['max'] === undefined ? '∞' : num(a['max'])}]`,
};

const VALUE: ArgSpec = { name: 'value', type: 'float', optional: true, doc: 'Compare with this number instead of a second tensor.' };

function comparison(name: string, op: string, sign: string): LayerDef {
  return {
    name,
    family: 'merge',
    doc: `a ${sign} b elementwise, a bool tensor (NumPy broadcasting); \`${name}(a, b)\` or \`${name}(a, value: 0)\`. Both operands have the same dtype.`,
    args: [VALUE],
    inputs: { min: 1, max: 2 },
    expand(ctx, [a, b], args) {
      const v = args['value'] as number | undefined;
      if ((b === undefined) === (v === undefined)) ctx.fail(`give either a second tensor (${name}(a, b)) or a number (${name}(a, value: 0)), not both or neither`);
      return ctx.op(op, [a!, b ?? scalar(ctx, v!, ctx.typeOf(a!).dtype, 'value')]);
    },
    label: (a: Args) => (a['value'] === undefined ? name : `${name} ${num(a['value'])}`),
  };
}

export const equal = comparison('equal', 'Equal', '==');
export const less = comparison('less', 'Less', '<');
export const greater = comparison('greater', 'Greater', '>');
export const less_equal = comparison('less_equal', 'LessOrEqual', '<=');
export const greater_equal = comparison('greater_equal', 'GreaterOrEqual', '>=');

export const where: LayerDef = {
  name: 'where',
  family: 'merge',
  doc: 'x where the bool condition holds, y elsewhere (torch.where); the three broadcast together. `where(mask, x, y)` or `where(mask, x, other: -1e9)`.',
  args: [{ name: 'other', type: 'float', optional: true, doc: 'The value where the condition is false, instead of a third tensor.' }],
  inputs: { min: 2, max: 3 },
  expand(ctx, [c, x, y], args) {
    const o = args['other'] as number | undefined;
    if ((y === undefined) === (o === undefined)) ctx.fail('give either a third tensor (where(mask, x, y)) or a number (where(mask, x, other: 0)), not both or neither');
    return ctx.op('Where', [c!, x!, y ?? scalar(ctx, o!, ctx.typeOf(x!).dtype, 'other')]);
  },
  label: (a) => (a['other'] === undefined ? 'where' : `where, else ${num(a['other'])}`),
};

export const cast: LayerDef = {
  name: 'cast',
  family: 'shape',
  doc: 'Converts the element type (tensor.to(dtype)): float → integer truncates toward zero, → bool is ≠ 0, bool → number is 0 or 1.',
  args: [{ name: 'to', type: 'enum', values: ['f32', 'i32', 'i64', 'bool'], doc: 'Target dtype.' }],
  expand: (ctx, [x], args) => {
    const to = args['to'] as DType;
    if (ctx.typeOf(x!).dtype === to) return x!;
    return ctx.op('Cast', [x!], { to });
  },
  label: (a) => `cast ${a['to']}`,
};

export const matmul: LayerDef = {
  name: 'matmul',
  family: 'merge',
  doc: 'Matrix product with NumPy rules (torch.matmul): batch dims broadcast, 1-D operands are promoted; a[-1] must equal b[-2].',
  args: [],
  inputs: { min: 2, max: 2 },
  expand: (ctx, [a, b]) => ctx.op('MatMul', [a!, b!]),
  label: () => 'matmul',
};


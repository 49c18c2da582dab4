import { formatShape } from '../dims.js';
import type { Dim } from '../ir.js';
import { ShapeError, type OpSchema } from '../op-schema.js';
import { dimProduct, ints, need } from './common.js';

/**
 * Reshape (ONNX Reshape-14 with allowzero=0) with the target shape as an attribute: 0 copies the
 * input dim at that index, −1 is inferred from the element count. Works with symbolic dims as
 * long as the symbols cancel: [batch, 4, 5] → [0, −1] gives [batch, 20], [batch*time, 8] →
 * [batch, time, 8] is accepted because both sides are batch·time·8.
 */
export const Reshape: OpSchema = {
  name: 'Reshape',
  doc: 'Changes the shape keeping the elements: 0 copies the input dim, −1 is inferred.',
  category: 'shape',
  inputs: [{ name: 'data' }],
  outputs: [{ name: 'reshaped' }],
  attrs: { shape: { kind: 'ints', doc: 'Target shape; 0 = copy the input dim, −1 = infer (at most one).' } },
  infer: (inputs, attrs) => {
    const x = need(inputs, 0, 'data');
    const target = ints(attrs, 'shape');
    const out: (Dim | undefined)[] = [];
    let inferAt = -1;
    target.forEach((t, i) => {
      if (t === 0) {
        if (i >= x.shape.length) throw new ShapeError(`shape [${target.join(', ')}] copies dim ${i} (0) but the input ${formatShape(x.shape)} has only ${x.shape.length} dims`);
        out.push(x.shape[i]!);
      } else if (t === -1) {
        if (inferAt >= 0) throw new ShapeError(`shape [${target.join(', ')}] has more than one -1`);
        inferAt = i;
        out.push(undefined);
      } else if (t < -1) {
        throw new ShapeError(`shape [${target.join(', ')}] has the invalid dim ${t}`);
      } else out.push(t);
    });
    const have = factor(x.shape);
    const known = factor(out.filter((d): d is Dim => d !== undefined));
    if (inferAt >= 0) {
      const rest = divide(have, known);
      if (!rest) {
        throw new ShapeError(`cannot reshape ${formatShape(x.shape)} to [${target.join(', ')}]: ${describe(have)} elements are not divisible by ${describe(known)}`);
      }
      out[inferAt] = dimProduct([...rest.syms, rest.num]);
    } else {
      const rest = divide(have, known);
      if (!rest || rest.num !== 1 || rest.syms.length !== 0) {
        throw new ShapeError(`cannot reshape ${formatShape(x.shape)} (${describe(have)} elements) to ${formatShape(out as Dim[])} (${describe(known)} elements)`);
      }
    }
    return [{ dtype: x.dtype, shape: out as Dim[] }];
  },
  flops: () => 0,
};

interface Factored {
  num: number;
  syms: string[];
}

const PRODUCT_SYMBOL = /^[A-Za-z_]\w*(\*([A-Za-z_]\w*|\d+))+$/;

/** A product of dims as number × multiset of symbols; "batch*time" symbols are split again. */
function factor(dims: readonly Dim[]): Factored {
  let num = 1;
  const syms: string[] = [];
  for (const d of dims) {
    if (typeof d === 'number') num *= d;
    else if (PRODUCT_SYMBOL.test(d)) {
      for (const part of d.split('*')) {
        if (/^\d+$/.test(part)) num *= Number(part);
        else syms.push(part);
      }
    } else syms.push(d);
  }
  return { num, syms: syms.sort() };
}

function divide(a: Factored, b: Factored): Factored | undefined {
  if (b.num === 0 || a.num % b.num !== 0) return undefined;
  const syms = [...a.syms];
  for (const s of b.syms) {
    const i = syms.indexOf(s);
    if (i < 0) return undefined;
    syms.splice(i, 1);
  }
  return { num: a.num / b.num, syms };
}

function describe(f: Factored): string {
  return String(dimProduct([...f.syms, f.num]));
}

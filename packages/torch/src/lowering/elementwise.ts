/** Add, Sub, Mul, Div with NumPy broadcasting: Python's operators on tensors. */
import { py } from '../emitter.js';
import type { TorchLoweringRule } from './types.js';

function binary(op: string, sym: '+' | '-' | '*' | '/'): TorchLoweringRule {
  return {
    op,
    emits: `${sym} (tensor operator)`,
    unsupported(node, typeOf) {
      // ONNX Div on integers truncates; Python's / on integer tensors gives floats.
      const t = typeOf(node.inputs[0]!);
      if (op === 'Div' && t && t.dtype !== 'f32') return `integer division (${t.dtype}) is not supported`;
      return undefined;
    },
    lower: (ctx) => ctx.assign(py.bin(sym, ctx.input(0), ctx.input(1))),
  };
}

export const add = binary('Add', '+');
export const sub = binary('Sub', '-');
export const mul = binary('Mul', '*');
export const div = binary('Div', '/');

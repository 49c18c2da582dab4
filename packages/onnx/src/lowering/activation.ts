/** Activations and Identity. Gelu has no ONNX op before opset 20, so it is written in Erf (or Tanh) math. */
import { attr } from '../proto.js';
import { direct, type LoweringRule } from './types.js';

/** Identity nodes exist in the IR only to name graph outputs; bypass them unless they do exactly that. */
export const identity: LoweringRule = {
  op: 'Identity',
  minOpset: 13,
  emits: '(removed; Identity only for an output that is another output or an input)',
  lower(ctx) {
    ctx.alias(0, ctx.input(0));
  },
};

export const relu = direct('Relu', 13);
export const leakyRelu = direct('LeakyRelu', 13, { alpha: 'float' });
export const elu = direct('Elu', 13, { alpha: 'float' });
export const sigmoid = direct('Sigmoid', 13);
export const tanh = direct('Tanh', 13);
/** Opset 13 is the first where Softmax/LogSoftmax normalise along one axis (not a 2-D coercion). */
export const softmax = direct('Softmax', 13, { axis: 'int' });
export const logSoftmax = direct('LogSoftmax', 13, { axis: 'int' });

/** Gelu is native from opset 20; below that, the same decomposition torch.onnx.export writes. */
export const GELU_NATIVE_OPSET = 20;

export const gelu: LoweringRule = {
  op: 'Gelu',
  minOpset: 13,
  emits: 'Div, Erf, Add, Mul, Mul (tanh: Mul×6, Add×2, Tanh); Gelu at opset ≥ 20',
  lower(ctx) {
    const x = ctx.input(0);
    const y = ctx.output(0);
    const approximate = String(ctx.node.attrs['approximate'] ?? 'none');
    if (ctx.opset >= GELU_NATIVE_OPSET) {
      ctx.emit('Gelu', [x], [y], { approximate: attr.string(approximate) });
      return;
    }
    const one = ctx.floats('one', [1]);
    const half = ctx.floats('half', [0.5]);
    let inner: string;
    if (approximate === 'none') {
      // 0.5·x·(1 + erf(x/√2))
      const scaled = ctx.temp('div');
      ctx.emit('Div', [x, ctx.floats('sqrt2', [Math.SQRT2])], [scaled]);
      inner = ctx.temp('erf');
      ctx.emit('Erf', [scaled], [inner]);
    } else {
      // 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³)))
      const x2 = ctx.temp('x2');
      ctx.emit('Mul', [x, x], [x2]);
      const x3 = ctx.temp('x3');
      ctx.emit('Mul', [x2, x], [x3]);
      const cx3 = ctx.temp('cx3');
      ctx.emit('Mul', [x3, ctx.floats('gelu_c', [0.044715])], [cx3]);
      const sum = ctx.temp('sum');
      ctx.emit('Add', [x, cx3], [sum]);
      const arg = ctx.temp('arg');
      ctx.emit('Mul', [sum, ctx.floats('sqrt_2_over_pi', [Math.sqrt(2 / Math.PI)])], [arg]);
      inner = ctx.temp('tanh');
      ctx.emit('Tanh', [arg], [inner]);
    }
    const plus1 = ctx.temp('add');
    ctx.emit('Add', [inner, one], [plus1]);
    const prod = ctx.temp('mul');
    ctx.emit('Mul', [x, plus1], [prod]);
    ctx.emit('Mul', [prod, half], [y]);
  },
};

/** Activations, softmax and Identity: one torch call each. */
import { py } from '../emitter.js';
import { num, str, type TorchLoweringRule } from './types.js';

function unary(op: string, fn: string, kwargs?: (attrs: Record<string, unknown>) => Record<string, ReturnType<typeof py.float> | number | string | undefined>): TorchLoweringRule {
  return {
    op,
    emits: fn,
    lower: (ctx) => ctx.assign(py.call(fn, [ctx.input(0)], kwargs?.(ctx.node.attrs) ?? {})),
  };
}

export const identity: TorchLoweringRule = { op: 'Identity', emits: '(an alias)', lower: (ctx) => ctx.assign(ctx.input(0)) };
export const relu = unary('Relu', 'F.relu');
export const leakyRelu: TorchLoweringRule = {
  op: 'LeakyRelu',
  emits: 'F.leaky_relu',
  lower: (ctx) => ctx.assign(py.call('F.leaky_relu', [ctx.input(0)], { negative_slope: py.float(num(ctx.node.attrs, 'alpha', 0.01)) })),
};
export const elu: TorchLoweringRule = {
  op: 'Elu',
  emits: 'F.elu',
  lower: (ctx) => ctx.assign(py.call('F.elu', [ctx.input(0)], { alpha: py.float(num(ctx.node.attrs, 'alpha', 1)) })),
};
export const gelu: TorchLoweringRule = {
  op: 'Gelu',
  emits: "F.gelu (approximate='tanh' when asked)",
  lower: (ctx) => {
    const a = str(ctx.node.attrs, 'approximate', 'none');
    ctx.assign(py.call('F.gelu', [ctx.input(0)], a === 'none' ? {} : { approximate: a }));
  },
};
export const sigmoid = unary('Sigmoid', 'torch.sigmoid');
export const tanh = unary('Tanh', 'torch.tanh');
export const softmax: TorchLoweringRule = {
  op: 'Softmax',
  emits: 'F.softmax',
  lower: (ctx) => ctx.assign(py.call('F.softmax', [ctx.input(0)], { dim: num(ctx.node.attrs, 'axis', -1) })),
};
export const logSoftmax: TorchLoweringRule = {
  op: 'LogSoftmax',
  emits: 'F.log_softmax',
  lower: (ctx) => ctx.assign(py.call('F.log_softmax', [ctx.input(0)], { dim: num(ctx.node.attrs, 'axis', -1) })),
};
export const dropout: TorchLoweringRule = {
  op: 'Dropout',
  emits: 'F.dropout (training=self.training)',
  lower: (ctx) => ctx.assign(py.call('F.dropout', [ctx.input(0)], { p: py.float(num(ctx.node.attrs, 'ratio', 0.5)), training: py.path('self.training') })),
};

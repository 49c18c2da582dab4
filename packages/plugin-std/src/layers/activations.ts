import { getOpSchema, type AttrValue, type LayerDef } from '@dlm/core';

/** The Gelu op's own list of modes: the layer offers exactly what the op accepts. */
const GELU_MODES = getOpSchema('Gelu')!.attrs['approximate']!.values!;

function activation(name: string, op: string, doc: string, args: LayerDef['args'] = [], attrs: (a: Record<string, unknown>) => Record<string, AttrValue> = () => ({})): LayerDef {
  return {
    name,
    family: 'activation',
    doc,
    args,
    expand: (ctx, [x], a) => ctx.op(op, [x!], attrs(a)),
    label: () => name,
  };
}

export const relu = activation('relu', 'Relu', 'max(0, x), elementwise.');
export const leaky_relu = activation(
  'leaky_relu',
  'LeakyRelu',
  'x for x ≥ 0, alpha·x otherwise (PyTorch nn.LeakyReLU, negative_slope).',
  [{ name: 'alpha', type: 'float', default: 0.01, doc: 'Slope for negative inputs.' }],
  (a) => ({ alpha: a['alpha'] as number }),
);
export const elu = activation(
  'elu',
  'Elu',
  'x for x > 0, alpha·(exp(x) − 1) otherwise (PyTorch nn.ELU).',
  [{ name: 'alpha', type: 'float', default: 1.0, doc: 'Scale of the negative part.' }],
  (a) => ({ alpha: a['alpha'] as number }),
);
export const gelu = activation(
  'gelu',
  'Gelu',
  "Gaussian error linear unit x·Φ(x) (PyTorch nn.GELU); approximate: 'tanh' for the tanh approximation.",
  [{ name: 'approximate', type: 'enum', values: [...GELU_MODES], default: 'none', doc: "'none' (exact) or 'tanh'." }],
  (a) => ({ approximate: a['approximate'] as string }),
);
export const sigmoid = activation('sigmoid', 'Sigmoid', '1/(1 + exp(−x)), elementwise.');
export const tanh = activation('tanh', 'Tanh', 'Hyperbolic tangent, elementwise.');
export const softmax = activation(
  'softmax',
  'Softmax',
  'exp(x)/sum(exp(x)) along `axis` (default the last).',
  [{ name: 'axis', type: 'int', default: -1, doc: 'Axis to normalize; negative counts from the end.' }],
  (a) => ({ axis: a['axis'] as number }),
);
export const log_softmax = activation(
  'log_softmax',
  'LogSoftmax',
  'log(softmax(x)) along `axis` (default the last); pair it with the nll loss.',
  [{ name: 'axis', type: 'int', default: -1, doc: 'Axis to normalize; negative counts from the end.' }],
  (a) => ({ axis: a['axis'] as number }),
);

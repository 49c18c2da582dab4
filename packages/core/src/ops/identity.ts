import type { OpSchema } from '../op-schema.js';

/** Y = X. Used to give a graph output its declared name when the value is already named. */
export const Identity: OpSchema = {
  name: 'Identity',
  doc: 'Returns its input unchanged.',
  category: 'shape',
  inputs: [{ name: 'X' }],
  outputs: [{ name: 'Y' }],
  attrs: {},
  infer: ([x]) => [x!],
  flops: () => 0,
};

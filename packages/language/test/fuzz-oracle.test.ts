/**
 * The fuzz harness on CI (see ./fuzz-harness.ts): a fixed seed, truncations of every example at
 * a stride, 2,000 mutations, and the pathological inputs. The long run is tools/bench/fuzz.ts.
 */
import { describe, expect, it } from 'vitest';
import { EXAMPLES, mutate, oracle, pathological, rng } from './fuzz-harness.js';

describe('fuzz oracle', () => {
  it('truncations of every example (every 13th character)', () => {
    for (const ex of EXAMPLES) {
      for (let at = 0; at <= ex.text.length; at += 13) {
        const text = ex.text.slice(0, at);
        expect(oracle(text, ex.file), `${ex.file} cut at ${at}:\n${text}`).toEqual([]);
      }
    }
  }, 120_000);

  it('2,000 seeded mutations: token edits, byte flips, unicode, huge and negative dims', () => {
    const rand = rng(13_2026);
    for (let i = 0; i < 2000; i++) {
      const ex = EXAMPLES[i % EXAMPLES.length]!;
      let text = ex.text;
      for (let k = 0, n = 1 + Math.floor(rand() * 3); k < n; k++) text = mutate(text, rand);
      expect(oracle(text, ex.file), `mutation ${i} of ${ex.file}:\n${text}`).toEqual([]);
    }
  }, 240_000);

  for (const { name, text } of pathological()) {
    it(`pathological: ${name}`, () => {
      expect(oracle(text)).toEqual([]);
    }, 60_000);
  }
});

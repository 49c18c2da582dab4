/**
 * The one small seeded generator every package shares: dataset splits and orders (@dlm/datasets
 * re-exports it), plugins' own datasets (plugins import only @dlm/core), sampling, and the test
 * helpers that need the same pseudo-random inputs on every machine and every run.
 */

/** mulberry32: a 32-bit PRNG returning floats in [0, 1); good enough for shuffling, far from cryptographic. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Deterministic pseudo-random helpers for dataset splits. Kept tiny and seeded so a split
 * (the embedded MNIST sample, a CSV hold-out) is the same on every machine and every run.
 */
import { mulberry32 } from '@dlm/core';

// The generator lives in @dlm/core (plugins, which import only @dlm/core, use it too).
export { mulberry32 };

/** A Fisher–Yates permutation of 0..n-1 determined by `seed`. */
export function shuffledIndices(n: number, seed: number): Int32Array {
  const idx = new Int32Array(n);
  for (let i = 0; i < n; i++) idx[i] = i;
  const rand = mulberry32(seed);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    const t = idx[i];
    idx[i] = idx[j];
    idx[j] = t;
  }
  return idx;
}

/**
 * Fixture images: two classes of tiny RGB pictures that a small conv net can tell apart —
 * "horizontal" (bright horizontal stripes) and "vertical" (bright vertical stripes), each with
 * seeded noise and a random stripe phase. `writeStripes` also regenerates the fixture folder
 * shipped in the package (fixtures/stripes), see scripts/make-fixtures.ts.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { encodePng } from './png-encode.js';
import { mulberry32 } from '@dlm/core';

/** The shared seeded generator (mulberry32 of @dlm/core), under the name these tests use. */
export const rng = mulberry32;

/** One stripes picture, HWC RGB bytes. */
export function stripes(kind: 'horizontal' | 'vertical', size: number, r: () => number): Uint8Array {
  const px = new Uint8Array(size * size * 3);
  const phase = Math.floor(r() * 2);
  const tint = [0.6 + 0.4 * r(), 0.6 + 0.4 * r(), 0.6 + 0.4 * r()];
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const on = ((kind === 'horizontal' ? y : x) + phase) % 2 === 0;
      for (let c = 0; c < 3; c++) {
        const v = (on ? 220 : 40) * tint[c]! + (r() - 0.5) * 40;
        px[(y * size + x) * 3 + c] = Math.max(0, Math.min(255, Math.round(v)));
      }
    }
  }
  return px;
}

/** Writes dir/horizontal/NN.png and dir/vertical/NN.png (`perClass` each, `size`×`size`). */
export function writeStripes(dir: string, perClass = 8, size = 8, seed = 1): void {
  const r = rng(seed);
  for (const kind of ['horizontal', 'vertical'] as const) {
    mkdirSync(join(dir, kind), { recursive: true });
    for (let i = 0; i < perClass; i++) {
      writeFileSync(join(dir, kind, `${String(i).padStart(2, '0')}.png`), encodePng(size, size, 3, stripes(kind, size, r), [i % 5]));
    }
  }
}

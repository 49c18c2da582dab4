/**
 * Regenerates fixtures/stripes (2 classes × 8 RGB PNGs of 8×8), the offline data set of the
 * example model. Run from this package: `node --import tsx scripts/make-fixtures.ts`.
 */
import { rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeStripes } from '../test/helpers/fixtures.js';

const dir = join(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'stripes');
rmSync(dir, { recursive: true, force: true });
writeStripes(dir, 8, 8, 1);
console.log(`wrote ${dir}`);

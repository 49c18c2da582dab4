/**
 * A seeded generator of random, well-typed .dlm models for the differential fuzzer: chains and
 * DAGs of the standard layers with small shapes, each step checked against the shape it promises
 * (its own shape rules, written from docs/layers.md and docs/language.md). A program it writes
 * must compile without errors: an error is either a generator bug or a compiler finding.
 *
 * Every value keeps its batch axis first and symbolic (`batch`), so the steps only touch the other
 * axes; `Val.shape` holds those. A program is the first `steps` steps of the seed's sequence: the
 * random draws of step k do not depend on the steps after it, so a failing program can be cut to
 * its shortest failing prefix (see minimise in oracle.ts).
 */
import { mulberry32 } from '@dlm/core';
import { dims, Gen, num, type Dim, type GeneratedProgram, type Step } from './gen.js';
import { LAYER_STEPS } from './layer-steps.js';
import { SHAPE_STEPS } from './shape-steps.js';

export { TIME, type Dim, type GeneratedInput, type GeneratedProgram, type Val } from './gen.js';

/** Every step kind, in the order the seeded draws index (changing it changes every program). */
const ORDER = 'activation math dense conv pool globalPool norm flatten reshape permute squeeze residual concat split index reduce where cast matmul attention embedding recurrent positions extra upsample loop branch block'.split(' ');
const ALL: Record<string, Step> = { ...LAYER_STEPS, ...SHAPE_STEPS };
const STEPS: Record<string, Step> = Object.fromEntries(ORDER.map((k) => [k, ALL[k]!]));

const STEP_NAMES = Object.keys(STEPS);

/** The program of `seed` cut to its first `steps` steps (default: the seed's own length). */
export function generateProgram(seed: number, steps?: number): GeneratedProgram {
  const g = new Gen(mulberry32(seed));
  const rank = g.int(1, 4);
  g.big = g.chance(0.15);
  const batch = g.pick([1, 2, 2, 3]);
  const k = g.big ? 4 : 1;
  const first: Dim[] = rank === 1 ? [k * g.int(2, 8)] : rank === 2 ? [k * g.int(2, 5), k * g.pick([2, 4, 6])] : rank === 3 ? [k * g.int(1, 3), k * g.int(2, 6), k * g.int(2, 6)] : ['time', k * g.pick([2, 4, 6])];
  g.input(first);
  if (g.chance(0.3)) g.input(first.map((d) => (num(d) && g.chance(0.3) ? 1 : d)));
  const length = g.int(3, 12);
  const want = Math.min(steps ?? length, length);
  let done = 0;
  for (let attempt = 0; done < want && attempt < 200; attempt++) {
    const kind = g.pick(STEP_NAMES);
    const made = STEPS[kind]!(g);
    if (made) {
      g.kinds.push(made);
      done++;
    }
  }
  // Outputs: the last value, and sometimes an earlier one too (intermediates compared directly).
  const outs = [g.vals[g.vals.length - 1]!];
  if (g.vals.length > 2 && g.chance(0.4)) outs.push(g.vals[Math.floor(g.r() * (g.vals.length - 1))]!);
  const body = [
    ...g.inputs.map((i) => `  input ${i.name}: ${i.dtype}[${dims(i.shape)}]`),
    ...outs.map((o, i) => `  output y${i}: f32[${dims(o.shape)}]`),
    '',
    ...g.lines,
    ...outs.map((o, i) => `  y${i} = ${o.name}`),
  ];
  const source = [...g.tops, '', `model Fuzz${seed} {`, ...body, '}', ''].join('\n');
  return { seed, batch, steps: done, source, inputs: g.inputs, kinds: g.kinds };
}

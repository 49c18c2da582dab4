/**
 * The long fuzz run (issue 13): every truncation of every example, N seeded mutations (token
 * deletions, duplications and swaps, byte flips, unicode, huge and negative dims) and the
 * pathological inputs at full size (1 MB lines, 10,000-deep nesting, floods of errors), each
 * through the oracle of packages/language/test/fuzz-harness.ts. CI runs a smaller, fixed slice
 * (packages/language/test/fuzz-oracle.test.ts).
 *
 *   node --conditions=@dlm/source --import tsx tools/bench/fuzz.ts [--mutations 20000] [--seed 1] [--scale 20] [--stride 1]
 *
 * Prints each failing input (cut to 2 KB) with its problems, and a summary; exits 1 on a failure.
 */
import { parseArgs } from 'node:util';
import { EXAMPLES, mutate, oracle, pathological, rng } from '../../packages/language/test/fuzz-harness.js';

const { values } = parseArgs({ options: { mutations: { type: 'string', default: '20000' }, seed: { type: 'string', default: '1' }, scale: { type: 'string', default: '20' }, stride: { type: 'string', default: '1' } } });
let inputs = 0;
let failures = 0;
const t0 = performance.now();
const check = (what: string, text: string, file?: string) => {
  inputs++;
  const problems = oracle(text, file);
  if (problems.length === 0) return;
  failures++;
  console.log(`FAIL ${what}: ${problems.join('; ')}\n${text.length > 2048 ? text.slice(0, 2048) + '…' : text}\n`);
};

for (const ex of EXAMPLES) for (let at = 0; at <= ex.text.length; at += Number(values.stride)) check(`${ex.file} cut at ${at}`, ex.text.slice(0, at), ex.file);
console.log(`truncations: ${inputs} inputs, ${failures} failures, ${Math.round((performance.now() - t0) / 1000)} s`);

const rand = rng(Number(values.seed));
for (let i = 0; i < Number(values.mutations); i++) {
  const ex = EXAMPLES[i % EXAMPLES.length]!;
  let text = ex.text;
  for (let k = 0, n = 1 + Math.floor(rand() * 3); k < n; k++) text = mutate(text, rand);
  check(`mutation ${i} of ${ex.file} (seed ${values.seed})`, text, ex.file);
}
console.log(`+ mutations: ${inputs} inputs, ${failures} failures, ${Math.round((performance.now() - t0) / 1000)} s`);

for (const { name, text } of pathological(Number(values.scale))) {
  const t = performance.now();
  check(name, text);
  console.log(`  ${name}: ${Math.round(performance.now() - t)} ms`);
}
console.log(`total: ${inputs} inputs, ${failures} failures, ${Math.round((performance.now() - t0) / 1000)} s`);
process.exitCode = failures ? 1 : 0;

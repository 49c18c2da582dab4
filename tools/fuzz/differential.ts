/**
 * The long differential fuzz run: random well-typed .dlm models (packages/onnx/test/differential/
 * generate.ts) through tfjs cpu and wasm, onnxruntime-node and PyTorch, every output compared
 * with PyTorch's within 1e-4 (absolute up to 1, relative above), every ONNX export through the
 * checker. CI runs a fixed slice (packages/onnx/test/differential-fuzz.test.ts).
 *
 *   node --conditions=@dlm/source --import tsx tools/fuzz/differential.ts [--seed 1] [--count 500] [--batch 100] [--no-minimise]
 *
 * Seeds seed … seed+count−1, in batches (one Python process per batch). Prints each failing
 * program, cut to its shortest failing prefix, with its problems; a summary; exits 1 on a failure.
 * Needs /usr/bin/python3 with torch and onnx (DLM_PYTHON picks another interpreter).
 */
import { parseArgs } from 'node:util';
import { formatDiagnostics } from '@dlm/core';
import { findTorchPython } from '@dlm/torch/node';
import { generateProgram } from '../../packages/onnx/test/differential/generate.js';
import { minimise, runOracle, type CaseResult } from '../../packages/onnx/test/differential/oracle.js';

const { values } = parseArgs({
  options: { seed: { type: 'string', default: '1' }, count: { type: 'string', default: '500' }, batch: { type: 'string', default: '100' }, 'no-minimise': { type: 'boolean', default: false } },
});
const found = findTorchPython();
if (!found.result) {
  console.error(`differential fuzzing needs a Python with torch: ${formatDiagnostics(found.diagnostics)}`);
  process.exit(2);
}
const opts = { python: found.result.python };
const first = Number(values.seed);
const count = Number(values.count);
const batch = Math.max(1, Number(values.batch));
const t0 = performance.now();
const failures: CaseResult[] = [];
let refused = 0;
const kinds = new Map<string, number>();
const worst = new Map<string, number>();

for (let at = first; at < first + count; at += batch) {
  const programs = Array.from({ length: Math.min(batch, first + count - at) }, (_, i) => generateProgram(at + i));
  for (const p of programs) for (const k of p.kinds) kinds.set(k, (kinds.get(k) ?? 0) + 1);
  for (const r of await runOracle(programs, opts)) {
    for (const [engine, w] of Object.entries(r.worst)) worst.set(engine, Math.max(worst.get(engine) ?? 0, w));
    if (r.refused.length > 0) refused++;
    if (r.problems.length === 0) continue;
    const shown = values['no-minimise'] ? r : await minimise(r, opts);
    failures.push(shown);
    const cut = shown.program.steps < r.program.steps ? ` (cut from ${r.program.steps} to ${shown.program.steps} steps)` : '';
    console.log(`FAIL seed ${r.program.seed}${cut}:\n  ${shown.problems.join('\n  ')}\n${shown.program.source}`);
  }
  console.log(`seeds ${first}…${at + programs.length - 1}: ${failures.length} failing, ${Math.round((performance.now() - t0) / 1000)} s`);
}
console.log(`layers and constructs used: ${[...kinds].sort((a, b) => b[1] - a[1]).map(([k, n]) => `${k} ${n}`).join(', ')}`);
console.log(`largest error against PyTorch: ${[...worst].map(([e, w]) => `${e} ${w.toExponential(2)}`).join(', ')}`);
console.log(`total: ${count} programs (seeds ${first}…${first + count - 1}), ${failures.length} failing, ${refused} with a documented export refusal (DLM6003), ${Math.round((performance.now() - t0) / 1000)} s`);
process.exitCode = failures.length ? 1 : 0;

import { generateProgram } from '../../packages/onnx/test/differential/generate.js';
import { runOracle } from '../../packages/onnx/test/differential/oracle.js';
const n = Number(process.argv[2] ?? 5);
const progs = Array.from({ length: n }, (_, i) => generateProgram(i + 1));

const t0 = performance.now();
const res = await runOracle(progs, { python: '/usr/bin/python3' });
for (const r of res) if (r.problems.length) console.log(`seed ${r.program.seed}: ${r.problems.join('\n  ')}\n${r.program.source}`);
console.log(res.map((r) => `${r.program.seed}:${r.problems.length}`).join(' '), Math.round(performance.now() - t0), 'ms');
console.log(res.slice(0, 8).map((r) => JSON.stringify(r.worst) + ' ' + r.program.kinds.join(',')).join('\n'));
const counts: Record<string, number> = {};
for (const r of res) for (const k of r.program.kinds) counts[k] = (counts[k] ?? 0) + 1;
console.log(JSON.stringify(counts));

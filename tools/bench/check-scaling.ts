/**
 * Benchmark: `dlm check` time and memory for generated models of 1k, 10k and 100k layers.
 * Target (issue 15): linear growth, under 1 s for 100k layers, heap growth under 300 MiB, and at
 * most 0.6× the time of ONNX's checker on the equivalent graph (tools/bench/onnx_check_anchor.py,
 * run with /usr/bin/python3 and python3-onnx in the same run; skipped with a note without it).
 *
 *   npx nx run-many -t build   # the figures are for the built packages, as `dlm check` runs them
 *   node --import tsx tools/bench/check-scaling.ts [sizes...] [--source]
 *
 * Each model is a pipeline of `dense(16) |> relu` pairs spread over named values (one value per
 * 100 layers) so the file looks like real code, not one 100k-stage expression. Each size runs in
 * a fresh child process so heap figures are not polluted by the previous size. The children load
 * the packages' `dist/` builds (what the CLI runs); `--source` loads `src/` through tsx instead,
 * whose transpiled output is slower. CPU time (user + system, all threads) is given next to wall
 * time: on a shared machine it is the steadier figure, and the ONNX ratio uses it.
 */
import { spawnSync } from 'node:child_process';
import * as os from 'node:os';
import { writeHeapSnapshot } from 'node:v8';
import { fileURLToPath } from 'node:url';
import { PluginRegistry } from '@dlm/core';
import { compileSource } from '@dlm/language';
import { stdPlugin } from '@dlm/plugin-std';

export function generateModel(layers: number): string {
  const lines = ['model Big {', '  input x: f32[batch, 16]', '  output y: f32[batch, 16]', ''];
  let prev = 'x';
  let made = 0;
  let v = 0;
  while (made < layers) {
    const stages: string[] = [];
    for (let i = 0; i < 100 && made < layers; i++, made++) stages.push(made % 2 === 0 ? 'dense(16)' : 'relu');
    const name = made >= layers ? 'y' : `h${v++}`;
    lines.push(`  ${name} = ${prev} |> ${stages.join(' |> ')}`);
    prev = name;
  }
  lines.push('}', '');
  return lines.join('\n');
}

interface Result {
  layers: number;
  seconds: number;
  cpuSeconds: number;
  heapMiB: number;
  errors: number;
}

function measure(layers: number): Result {
  const text = generateModel(layers);
  const registry = new PluginRegistry();
  registry.register(stdPlugin);
  // Warm-up on a small model so JIT compilation is not billed to the first size.
  compileSource(generateModel(1000), 'warmup.dlm', { registry });
  global.gc?.();
  const heap0 = process.memoryUsage().heapUsed;
  const cpu0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  const out = compileSource(text, 'big.dlm', { registry });
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  const cpu = process.cpuUsage(cpu0);
  const heapMiB = (process.memoryUsage().heapUsed - heap0) / (1 << 20);
  return { layers, seconds, cpuSeconds: (cpu.user + cpu.system) / 1e6, heapMiB, errors: out.diagnostics.filter((d) => d.severity === 'error').length };
}

const self = fileURLToPath(import.meta.url);
if (process.argv[1] !== self) {
  // Imported (by a profiler script): do nothing.
} else if (process.argv[2] === '--one') {
  console.log(JSON.stringify(measure(Number(process.argv[3]))));
} else if (process.argv[2] === '--retained') {
  retained(Number(process.argv[3] ?? 20000), process.argv[4]);
} else {
  const args = process.argv.slice(2);
  const sizes = args.filter((a) => !a.startsWith('--')).map(Number);
  const conditions = args.includes('--source') ? ['--conditions=@dlm/source'] : [];
  const results: Result[] = [];
  for (const n of sizes.length ? sizes : [1000, 10000, 100000]) {
    const r = spawnSync(process.execPath, ['--expose-gc', ...conditions, '--import', 'tsx', self, '--one', String(n)], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(r.stderr);
    results.push(JSON.parse(r.stdout.trim().split('\n').pop()!) as Result);
  }
  const base = results[0]!;
  console.log(`packages: ${conditions.length ? 'src/ through tsx' : 'dist/'}; Node ${process.version}; load average ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}`);
  console.log('| layers | check time | CPU time | time / 1k layers | heap growth | errors |');
  console.log('| ---: | ---: | ---: | ---: | ---: | ---: |');
  for (const r of results) {
    console.log(`| ${r.layers.toLocaleString('en-US')} | ${(r.seconds * 1000).toFixed(0)} ms | ${(r.cpuSeconds * 1000).toFixed(0)} ms | ${((r.seconds / r.layers) * 1e6).toFixed(2)} ms | ${r.heapMiB.toFixed(1)} MiB | ${r.errors} |`);
  }
  const last = results[results.length - 1]!;
  console.log(`\nscaling: ${(last.seconds / base.seconds).toFixed(1)}× the time for ${(last.layers / base.layers).toFixed(0)}× the layers`);
  onnxAnchor(last);
}

/**
 * Bytes the check's result keeps per layer (program, diagnostics, AST: what survives a full
 * collection), and a heap snapshot to `snapshotFile` if given (tools/bench/heap-shapes.mjs sums it
 * up by object shape). Needs --expose-gc:
 *   node --expose-gc --import tsx tools/bench/check-scaling.ts --retained 20000 [file.heapsnapshot]
 */
function retained(layers: number, snapshotFile?: string): void {
  const registry = new PluginRegistry();
  registry.register(stdPlugin);
  const text = generateModel(layers);
  if (!global.gc) throw new Error('run with --expose-gc');
  global.gc();
  const heap0 = process.memoryUsage().heapUsed;
  const out = compileSource(text, 'big.dlm', { registry });
  global.gc();
  const bytes = process.memoryUsage().heapUsed - heap0;
  console.log(`${layers} layers: ${(bytes / (1 << 20)).toFixed(1)} MiB retained, ${(bytes / layers).toFixed(0)} bytes per layer (${out.diagnostics.length} diagnostics)`);
  if (snapshotFile) console.log(`heap snapshot: ${writeHeapSnapshot(snapshotFile)}`);
}

/** ONNX's checker on the equivalent graph, right after the largest size, and the ratio. */
function onnxAnchor(dlm: Result): void {
  const script = fileURLToPath(new URL('./onnx_check_anchor.py', import.meta.url));
  const r = spawnSync('/usr/bin/python3', [script, String(dlm.layers)], { encoding: 'utf8' });
  const line = r.stdout?.trim().split('\n').pop() ?? '';
  if (r.status !== 0 || !line.startsWith('{')) {
    console.log(`\nONNX anchor skipped: /usr/bin/python3 with python3-onnx did not run (${(r.stderr || String(r.error)).trim().split('\n').pop()})`);
    return;
  }
  const o = JSON.parse(line) as { seconds: number; cpuSeconds: number; bytes: number; onnx: string };
  console.log(`\nONNX ${o.onnx} load + check_model(full_check=True) of the equivalent ${dlm.layers.toLocaleString('en-US')}-node graph (${(o.bytes / (1 << 20)).toFixed(1)} MiB): ${(o.seconds * 1000).toFixed(0)} ms, CPU ${(o.cpuSeconds * 1000).toFixed(0)} ms`);
  console.log(`dlm / ONNX: ${(dlm.seconds / o.seconds).toFixed(2)}× wall time, ${(dlm.cpuSeconds / o.cpuSeconds).toFixed(2)}× CPU time (target ≤ 0.6×)`);
}

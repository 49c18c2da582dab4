/**
 * Benchmark: `dlm check` time and memory for generated models of 1k, 10k and 100k layers.
 * Target (issue 2): linear growth, under 1 s for 100k layers.
 *
 *   node --conditions=@dlm/source --import tsx tools/bench/check-scaling.ts [sizes...]
 *
 * Each model is a pipeline of `dense(16) |> relu` pairs spread over named values (one value per
 * 100 layers) so the file looks like real code, not one 100k-stage expression. Each size runs in
 * a fresh child process so heap figures are not polluted by the previous size.
 */
import { spawnSync } from 'node:child_process';
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

function measure(layers: number): { layers: number; seconds: number; heapMiB: number; errors: number } {
  const text = generateModel(layers);
  const registry = new PluginRegistry();
  registry.register(stdPlugin);
  // Warm-up on a small model so JIT compilation is not billed to the first size.
  compileSource(generateModel(1000), 'warmup.dlm', { registry });
  global.gc?.();
  const heap0 = process.memoryUsage().heapUsed;
  const t0 = process.hrtime.bigint();
  const out = compileSource(text, 'big.dlm', { registry });
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  const heapMiB = (process.memoryUsage().heapUsed - heap0) / (1 << 20);
  return { layers, seconds, heapMiB, errors: out.diagnostics.filter((d) => d.severity === 'error').length };
}

const self = fileURLToPath(import.meta.url);
if (process.argv[1] !== self) {
  // Imported (by a profiler script): do nothing.
} else if (process.argv[2] === '--one') {
  console.log(JSON.stringify(measure(Number(process.argv[3]))));
} else {
  const sizes = process.argv.slice(2).map(Number);
  const results = [];
  for (const n of sizes.length ? sizes : [1000, 10000, 100000]) {
    const r = spawnSync(process.execPath, ['--expose-gc', '--conditions=@dlm/source', '--import', 'tsx', self, '--one', String(n)], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(r.stderr);
    results.push(JSON.parse(r.stdout.trim().split('\n').pop()!));
  }
  const base = results[0];
  console.log('| layers | check time | time / 1k layers | heap growth | errors |');
  console.log('| ---: | ---: | ---: | ---: | ---: |');
  for (const r of results) {
    console.log(`| ${r.layers.toLocaleString('en-US')} | ${(r.seconds * 1000).toFixed(0)} ms | ${((r.seconds / r.layers) * 1e6).toFixed(2)} ms | ${r.heapMiB.toFixed(1)} MiB | ${r.errors} |`);
  }
  const last = results[results.length - 1];
  console.log(`\nscaling: ${(last.seconds / base.seconds).toFixed(1)}× the time for ${(last.layers / base.layers).toFixed(0)}× the layers`);
}

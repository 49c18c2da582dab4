/**
 * Diagram generation time for a generated model of 10,000 layers (2,000 residual blocks of five
 * layers each), with folding (the 2,000 identical blocks become one box) and without (every
 * block a subgraph), at full depth and at depth 1. Compilation is timed separately for context.
 *
 *   npx tsx --conditions=@dlm/source tools/bench/diagram.ts [--blocks 2000] [--runs 7]
 *
 * Prints a Markdown table (median and min of the runs) for docs/benchmarks.md.
 */
import { cpus } from 'node:os';
import { performance } from 'node:perf_hooks';
import { formatDiagnostics, hasErrors, PluginRegistry } from '@dlm/core';
import { compileSource } from '@dlm/language';
import { toMermaid, type DiagramOptions } from '@dlm/mermaid';
import { stdPlugin } from '@dlm/plugin-std';

function arg(name: string, dflt: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : dflt;
}

const blocks = arg('blocks', 2000);
const runs = arg('runs', 7);

/** `repeat` allows at most 1000 per expression, so the chain is split into several. */
function source(n: number): string {
  const parts: string[] = [];
  for (let left = n; left > 0; left -= 1000) parts.push(`repeat ${Math.min(1000, left)} { Res(16) }`);
  return `block Res(units: int) {
  input x
  output y
  h = x |> dense(units) |> relu |> dense(units)
  y = relu(x + h)
}

model Big {
  input x: f32[batch, 16]
  output y: f32[batch, 16]
  y = x |> ${parts.join(' |> ')}
}
`;
}

function time(fn: () => unknown): { median: number; min: number; out: unknown } {
  const ts: number[] = [];
  let out: unknown;
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    out = fn();
    ts.push(performance.now() - t0);
  }
  ts.sort((a, b) => a - b);
  return { median: ts[Math.floor(ts.length / 2)]!, min: ts[0]!, out };
}

const registry = new PluginRegistry();
registry.register(stdPlugin);
const text = source(blocks);
const compiled = time(() => compileSource(text, 'big.dlm', { registry }));
const { program, diagnostics, sources } = compiled.out as ReturnType<typeof compileSource>;
if (hasErrors(diagnostics)) {
  process.stderr.write(formatDiagnostics(diagnostics, { sources }));
  process.exit(1);
}
const g = program.models[0]!;
const leaves = g.layers.filter((l) => !l.isBlock).length;

const cases: [string, DiagramOptions][] = [
  ['folded (default)', {}],
  ['unfolded (`fold: false`)', { fold: false }],
  ['unfolded, depth 1', { fold: false, depth: 1 }],
];
const fmt = (ms: number) => ms.toFixed(1);
const lines = [
  `Model: ${blocks} residual blocks, ${leaves} layers (${g.layers.length} layer and block records), ${g.nodes.length} ops.`,
  `Machine: ${cpus()[0]?.model ?? 'unknown CPU'}, Node ${process.version}; ${runs} runs each.`,
  '',
  '| case | text size | median ms | min ms |',
  '|---|---:|---:|---:|',
  `| compile .dlm → IR (for context) | – | ${fmt(compiled.median)} | ${fmt(compiled.min)} |`,
];
for (const [name, opts] of cases) {
  const r = time(() => toMermaid(program, opts));
  const size = (r.out as string).length;
  const shown = size < 10240 ? `${size} B` : `${(size / 1024).toFixed(0)} KiB`;
  lines.push(`| toMermaid, ${name} | ${shown} | ${fmt(r.median)} | ${fmt(r.min)} |`);
}

// Rendering (Mermaid in headless Chromium) is for diagrams a person reads: time the example
// models, one browser for all, after one warm-up render.
if (process.argv.includes('--render')) {
  const { readFileSync, readdirSync, statSync } = await import('node:fs');
  const { basename, join } = await import('node:path');
  const { withRenderer } = await import('@dlm/mermaid');
  const root = join(import.meta.dirname, '..', '..');
  const files: string[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d).sort()) {
      const p = join(d, e);
      if (e === 'plugins' || e === 'node_modules') continue;
      if (statSync(p).isDirectory()) walk(p);
      else if (e.endsWith('.dlm')) files.push(p);
    }
  };
  walk(join(root, 'examples'));
  lines.push('', '| example | boxes | render SVG ms | render PNG ms |', '|---|---:|---:|---:|');
  const t0 = performance.now();
  await withRenderer(async (r) => {
    lines.splice(lines.length - 2, 0, `Browser start + Mermaid load: ${fmt(performance.now() - t0)} ms.`, '');
    await r.svg('flowchart TB\n  a --> b');
    for (const f of files) {
      const out = compileSource(readFileSync(f, 'utf8'), f, { registry });
      if (hasErrors(out.diagnostics)) continue;
      const mmd = toMermaid(out.program);
      const boxes = (mmd.match(/^ *n_\w+[[(]/gm) ?? []).length;
      let t = performance.now();
      await r.svg(mmd);
      const svgMs = performance.now() - t;
      t = performance.now();
      await r.png(mmd);
      lines.push(`| ${basename(f, '.dlm')} | ${boxes} | ${fmt(svgMs)} | ${fmt(performance.now() - t)} |`);
    }
  });
}
process.stdout.write(lines.join('\n') + '\n');

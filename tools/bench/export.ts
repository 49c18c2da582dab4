/**
 * ONNX export time for a generated MLP of 10,000 layers (5,000 × dense(32) + relu, built through
 * core's GraphBuilder with @dlm/plugin-std's layers, random weights). Times, separately:
 * the feasibility + weight checks alone, buildModel (checks + lowering), encoding, and writing the
 * file atomically (temp + fsync + rename). Graph construction is timed once for context.
 *
 *   npx tsx --conditions=@dlm/source tools/bench/export.ts [--layers 10000] [--units 32] [--runs 7]
 *
 * Prints a Markdown table (median and min of the runs) for docs/benchmarks.md.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { DiagnosticBag, formatDiagnostics, GraphBuilder, hasErrors, numelStatic, PluginRegistry, type Graph } from '@dlm/core';
import { buildModel, checkExportable, checkWeights, exportOnnx, onnx, writeOnnxFile } from '@dlm/onnx';
import { stdPlugin } from '@dlm/plugin-std';

function arg(name: string, dflt: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : dflt;
}

const layers = arg('layers', 10_000);
const units = arg('units', 32);
const runs = arg('runs', 7);

function buildGraph(): Graph {
  const registry = new PluginRegistry();
  registry.register(stdPlugin);
  const bag = new DiagnosticBag();
  const b = new GraphBuilder('Deep', registry, bag, undefined, 'deep.dlm');
  let x = b.addInput('x', { dtype: 'f32', shape: ['batch', units] });
  for (let i = 0; i < layers / 2; i++) {
    x = b.callLayer('dense', [x], [{ value: units }], undefined)[0]!;
    x = b.callLayer('relu', [x], [], undefined)[0]!;
  }
  b.addOutput('y', x, { dtype: 'f32', shape: ['batch', units] });
  if (bag.hasErrors) throw new Error(formatDiagnostics(bag.items));
  return b.finish();
}

function stats(xs: number[]): { median: number; min: number } {
  const s = [...xs].sort((a, b) => a - b);
  return { median: s[Math.floor(s.length / 2)]!, min: s[0]! };
}

const t0 = performance.now();
const graph = buildGraph();
const buildMs = performance.now() - t0;
const weights = new Map<string, Float32Array>();
let seed = 1;
for (const p of graph.params) {
  weights.set(p.name, Float32Array.from({ length: numelStatic(p.type.shape)! }, () => ((seed = (seed * 16807) % 2147483647) / 2147483647 - 0.5) * 0.1));
}

const dir = mkdtempSync(join(tmpdir(), 'dlm-bench-export-'));
const times: Record<'check' | 'build' | 'encode' | 'write' | 'total', number[]> = { check: [], build: [], encode: [], write: [], total: [] };
let bytes: Uint8Array = new Uint8Array();
for (let r = 0; r < runs + 1; r++) {
  const a = performance.now();
  const ds = [...checkExportable(graph, { opset: 17, recurrentLayout: 'transpose' }), ...checkWeights(graph, weights)];
  const b = performance.now();
  const m = buildModel(graph, weights);
  const c = performance.now();
  bytes = onnx.ModelProto.encode(m.result!).finish();
  const d = performance.now();
  const wd = writeOnnxFile(join(dir, 'deep.onnx'), bytes);
  const e = performance.now();
  if (hasErrors([...ds, ...m.diagnostics, ...wd])) throw new Error(formatDiagnostics([...ds, ...m.diagnostics, ...wd]));
  if (r === 0) continue; // warm-up
  times.check.push(b - a);
  times.build.push(c - b); // buildModel runs the checks itself, then lowers every node
  times.encode.push(d - c);
  times.write.push(e - d);
  times.total.push(e - b);
}
// exportOnnx end to end (checks + build + encode), as the CLI calls it, for one more figure.
const f = performance.now();
exportOnnx(graph, weights);
const endToEnd = performance.now() - f;
rmSync(dir, { recursive: true, force: true });

const m = onnx.ModelProto.decode(bytes);
const fmt = (ms: number) => `${ms.toFixed(1)} ms`;
console.log(`ONNX export of a ${layers.toLocaleString('en-US')}-layer MLP (dense(${units}) + relu) × ${layers / 2}: ` +
  `${graph.nodes.length.toLocaleString('en-US')} IR nodes → ${m.graph!.node!.length.toLocaleString('en-US')} ONNX nodes, ` +
  `${graph.params.length.toLocaleString('en-US')} initializers, ${(bytes.length / 2 ** 20).toFixed(1)} MiB`);
console.log(`Node ${process.version}, ${cpus()[0]?.model ?? '?'} × ${cpus().length}; graph construction (GraphBuilder + plugin-std) ${fmt(buildMs)}; ${runs} runs after one warm-up\n`);
console.log('| phase | median | min |');
console.log('|---|---:|---:|');
for (const [k, label] of [['check', 'feasibility + weight checks'], ['build', 'buildModel: checks + lowering to a ModelProto'], ['encode', 'protobuf encoding'], ['write', 'atomic write (temp + fsync + rename)'], ['total', 'total (buildModel + encode + write)']] as const) {
  const s = stats(times[k]);
  console.log(`| ${label} | ${fmt(s.median)} | ${fmt(s.min)} |`);
}
console.log(`\nexportOnnx() end to end (checks + build + encode), one run: ${fmt(endToEnd)}`);

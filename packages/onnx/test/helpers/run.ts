/** Shared test plumbing: deterministic weights and inputs, onnxruntime sessions, the ONNX checker. */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import { numelStatic, type Dim, type Graph } from '@dlm/core';
import { mulberry32 } from '@dlm/datasets';
import { onnx } from '../../src/index.js';
import { PYTHON3 } from '../../../../tools/test-support/system-tools.js';

const require = createRequire(import.meta.url);
/** onnxruntime-node is CommonJS with a native binding; loaded once. */
export const ort = require('onnxruntime-node') as typeof import('onnxruntime-node');

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../../..');
export const CHECKER = join(REPO_ROOT, 'tools/onnx-check.py');

/** Uniform weights in [-0.5, 0.5); running variances in [0.5, 1.5) so they stay positive. */
export function randomWeights(graph: Graph, seed = 1): Map<string, Float32Array> {
  const r = mulberry32(seed);
  const out = new Map<string, Float32Array>();
  for (const p of graph.params) {
    const n = numelStatic(p.type.shape)!;
    const isVar = /var$/.test(p.name);
    out.set(p.name, Float32Array.from({ length: n }, () => (isVar ? 0.5 + r() : r() - 0.5)));
  }
  return out;
}

export interface HostTensor {
  data: Float32Array | Int32Array | BigInt64Array;
  dims: number[];
}

/** Random inputs for every graph input, with symbolic dims bound from `bind` (default 2). */
export function randomInputs(graph: Graph, bind: Record<string, number> = {}, seed = 7, intHigh = 10): Record<string, HostTensor> {
  const r = mulberry32(seed);
  const out: Record<string, HostTensor> = {};
  for (const v of graph.inputs) {
    const dims = v.type.shape.map((d: Dim) => (typeof d === 'number' ? d : (bind[d] ?? 2)));
    const n = dims.reduce((a, b) => a * b, 1);
    if (v.type.dtype === 'f32') out[v.name] = { dims, data: Float32Array.from({ length: n }, () => r() * 2 - 1) };
    else if (v.type.dtype === 'i32') out[v.name] = { dims, data: Int32Array.from({ length: n }, () => Math.floor(r() * intHigh)) };
    else out[v.name] = { dims, data: BigInt64Array.from({ length: n }, () => BigInt(Math.floor(r() * intHigh))) };
  }
  return out;
}

/** Runs a model in onnxruntime-node (CPU) and returns every graph output. */
export async function runOrt(bytes: Uint8Array, inputs: Record<string, HostTensor>): Promise<Record<string, HostTensor>> {
  // Default optimizations (fusions included), as users run the file.
  const session = await ort.InferenceSession.create(bytes, { logSeverityLevel: 3 });
  const feeds: Record<string, InstanceType<typeof ort.Tensor>> = {};
  for (const [k, v] of Object.entries(inputs)) {
    const type = v.data instanceof Float32Array ? 'float32' : v.data instanceof Int32Array ? 'int32' : 'int64';
    feeds[k] = new ort.Tensor(type, v.data, v.dims);
  }
  const res = await session.run(feeds);
  const out: Record<string, HostTensor> = {};
  for (const [k, t] of Object.entries(res)) out[k] = { data: t.data as Float32Array, dims: [...t.dims] };
  await session.release();
  return out;
}

export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`length ${a.length} vs ${b.length}`);
  let m = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i]! - b[i]!);
    if (!(d <= m)) m = Number.isNaN(d) ? Infinity : d;
  }
  return m;
}

/** Op type → count, for the histogram tests. */
export function opHistogram(bytes: Uint8Array): Record<string, number> {
  const m = onnx.ModelProto.decode(bytes);
  const h: Record<string, number> = {};
  for (const n of m.graph!.node!) h[n.opType!] = (h[n.opType!] ?? 0) + 1;
  return Object.fromEntries(Object.entries(h).sort(([a], [b]) => (a < b ? -1 : 1)));
}

let checkerDir: string | undefined;

/**
 * Runs tools/onnx-check.py (onnx.checker.check_model with full_check) on the given models.
 * Returns the checker's exit status and combined output.
 */
export function runChecker(models: Record<string, Uint8Array>): { status: number | null; output: string } {
  checkerDir ??= mkdtempSync(join(tmpdir(), 'dlm-onnx-check-'));
  const files = Object.entries(models).map(([name, bytes]) => {
    const f = join(checkerDir!, `${name.replace(/[^\w.-]/g, '_')}.onnx`);
    writeFileSync(f, bytes);
    return f;
  });
  const r = spawnSync(PYTHON3, [CHECKER, ...files], { encoding: 'utf8' });
  return { status: r.status, output: `${r.stdout ?? ''}${r.stderr ?? ''}${r.error ? String(r.error) : ''}` };
}

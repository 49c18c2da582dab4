/**
 * The differential oracle: each generated program is compiled, given seeded weights and inputs,
 * and run on tfjs (cpu and wasm), on onnxruntime-node from its ONNX export (opset 17), and on
 * PyTorch from its `dlm export --format pytorch` module; the export also goes through the ONNX
 * checker. Every engine's outputs are compared with PyTorch's, element by element:
 * |a − e| ≤ 1e-4 · max(1, |e|), i.e. absolute for values up to 1, relative above.
 * All PyTorch runs and checker runs of a batch happen in one Python process (oracle.py).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { formatDiagnostics, hasErrors, mulberry32, numelStatic, PluginRegistry, writeSafetensors, type Graph, type SafetensorsTensor } from '@dlm/core';
import { compileSource } from '@dlm/language';
import { stdPlugin } from '@dlm/plugin-std';
import { runInference } from '@dlm/tfjs';
import { exportPytorch } from '@dlm/torch';
import { exportOnnx } from '../../src/index.js';
import { ort } from '../helpers/run.js';
import { generateProgram, TIME, type GeneratedProgram } from './generate.js';

const HERE = dirname(fileURLToPath(import.meta.url));
export const TOLERANCE = 1e-4;
export const ENGINES = ['tfjs-cpu', 'tfjs-wasm', 'onnxruntime', 'torch'] as const;
export type Engine = (typeof ENGINES)[number];

export interface Tensor {
  data: Float32Array;
  shape: number[];
}
export type Outputs = Record<string, Tensor>;

export interface CaseResult {
  program: GeneratedProgram;
  /** Empty when every engine agrees with PyTorch and the checker accepts the export. */
  problems: string[];
  /** Largest error against PyTorch per engine (absent where it did not run). */
  worst: Partial<Record<Engine, number>>;
  /**
   * Documented refusals, not failures: an ONNX export that says, located, that the model needs a
   * newer opset (DLM6003, e.g. AveragePool with ceil_mode and count_include_pad before opset 19).
   */
  refused: string[];
}

const registry = new PluginRegistry();
registry.register(stdPlugin);

/**
 * Uniform weights in ±min(0.5, √(3/fan_in)), fan_in the product of all but the first axis, so
 * activations stay near 1 however wide a layer is (with ±0.5, three dense(2880) layers reached
 * values in the thousands, whose float32 sums differ between engines in the third digit: seed
 * 30946); vectors ±0.5; running variances in [0.5, 1.5) so they stay positive.
 */
function seededWeights(graph: Graph, seed: number): Map<string, Float32Array> {
  const r = mulberry32(seed);
  return new Map(
    graph.params.map((p) => {
      const shape = p.type.shape as number[];
      const fanIn = shape.slice(1).reduce((a, b) => a * b, 1);
      const bound = shape.length >= 2 ? Math.min(0.5, Math.sqrt(3 / fanIn)) : 0.5;
      return [p.name, Float32Array.from({ length: numelStatic(p.type.shape)! }, () => (/var$/.test(p.name) ? 0.5 + r() : (r() * 2 - 1) * bound))];
    }),
  );
}

function seededInputs(program: GeneratedProgram, seed: number): Record<string, { data: Float32Array | Int32Array; shape: number[] }> {
  const r = mulberry32(seed);
  const out: Record<string, { data: Float32Array | Int32Array; shape: number[] }> = {};
  for (const i of program.inputs) {
    const shape = [program.batch, ...i.shape.map((d) => (typeof d === 'number' ? d : TIME))];
    const n = shape.reduce((a, b) => a * b, 1);
    out[i.name] = i.dtype === 'f32' ? { shape, data: Float32Array.from({ length: n }, () => r() * 2 - 1) } : { shape, data: Int32Array.from({ length: n }, () => i.low! + Math.floor(r() * (i.high! - i.low! + 1))) };
  }
  return out;
}

/** Largest |a − e| / max(1, |e|); NaN in both counts as agreement, in one as Infinity. */
export function worstError(actual: Tensor, expected: Tensor): number {
  if (actual.shape.join() !== expected.shape.join()) return Infinity;
  let worst = 0;
  for (let i = 0; i < expected.data.length; i++) {
    const a = actual.data[i]!;
    const e = expected.data[i]!;
    if (Number.isNaN(a) && Number.isNaN(e)) continue;
    const d = a === e ? 0 : Math.abs(a - e) / Math.max(1, Math.abs(e));
    if (!(d <= worst)) worst = Number.isNaN(d) ? Infinity : d;
  }
  return worst;
}

const message = (e: unknown) => (e instanceof Error ? e.message : String(e)).split('\n').slice(0, 6).join(' | ');

interface Prepared {
  program: GeneratedProgram;
  problems: string[];
  refused: string[];
  graph?: Graph;
  weights?: Map<string, Float32Array>;
  inputs?: ReturnType<typeof seededInputs>;
  onnx?: Uint8Array;
  torch?: string;
  results: Partial<Record<Engine, Outputs>>;
}

function prepare(program: GeneratedProgram): Prepared {
  const p: Prepared = { program, problems: [], refused: [], results: {} };
  const compiled = compileSource(program.source, `fuzz_${program.seed}.dlm`, { registry });
  if (hasErrors(compiled.diagnostics)) {
    p.problems.push(`compile: ${formatDiagnostics(compiled.diagnostics.filter((d) => d.severity === 'error'))}`);
    return p;
  }
  const graph = compiled.program.models[0]!;
  p.graph = graph;
  p.weights = seededWeights(graph, program.seed);
  p.inputs = seededInputs(program, program.seed + 1);
  const exported = exportOnnx(graph, p.weights, { opset: 17 });
  const errors = exported.diagnostics.filter((d) => d.severity === 'error');
  if (exported.result) p.onnx = exported.result;
  else if (errors.length > 0 && errors.every((d) => d.code === 'DLM6003')) p.refused.push(`onnx export: ${formatDiagnostics(errors)}`);
  else p.problems.push(`onnx export: ${formatDiagnostics(exported.diagnostics)}`);
  const torch = exportPytorch(graph);
  if (torch.result) p.torch = torch.result;
  else p.problems.push(`pytorch export: ${formatDiagnostics(torch.diagnostics)}`);
  return p;
}

async function runTfjs(cases: Prepared[], backend: 'cpu' | 'wasm'): Promise<void> {
  let first = true;
  for (const c of cases) {
    if (!c.graph) continue;
    try {
      c.results[`tfjs-${backend}`] = await runInference(c.graph, c.weights!, c.inputs!, first ? { backend } : {});
      first = false;
    } catch (e) {
      c.problems.push(`tfjs-${backend} failed: ${message(e)}`);
    }
  }
}

async function runOnnxruntime(cases: Prepared[]): Promise<void> {
  for (const c of cases) {
    if (!c.onnx) continue;
    try {
      const session = await ort.InferenceSession.create(c.onnx, { logSeverityLevel: 3 });
      const feeds: Record<string, InstanceType<typeof ort.Tensor>> = {};
      for (const [k, v] of Object.entries(c.inputs!)) feeds[k] = new ort.Tensor(v.data instanceof Float32Array ? 'float32' : 'int32', v.data, v.shape);
      const res = await session.run(feeds);
      const out: Outputs = {};
      for (const [k, t] of Object.entries(res)) out[k] = { data: Float32Array.from(t.data as Float32Array), shape: [...t.dims] };
      await session.release();
      c.results.onnxruntime = out;
    } catch (e) {
      c.problems.push(`onnxruntime failed: ${message(e)}`);
    }
  }
}

function safetensors(tensors: Record<string, { data: Float32Array | Int32Array; shape: number[] }>): Uint8Array {
  const m = new Map<string, SafetensorsTensor>();
  for (const [k, v] of Object.entries(tensors)) m.set(k, { dtype: v.data instanceof Int32Array ? 'I32' : 'F32', shape: v.shape, data: v.data } as SafetensorsTensor);
  return writeSafetensors(m);
}

/** PyTorch forward passes and ONNX checker runs of every case, in one Python process. */
function runPython(cases: Prepared[], python: string): void {
  const dir = mkdtempSync(join(tmpdir(), 'dlm-difffuzz-'));
  try {
    const jobs = cases.map((c, i) => {
      const job: Record<string, string> = {};
      if (c.onnx) writeFileSync((job['onnx'] = join(dir, `${i}.onnx`)), c.onnx);
      if (c.torch && c.graph) {
        writeFileSync((job['module'] = join(dir, `${i}_model.py`)), c.torch);
        job['class'] = /^class (\w+)\(nn\.Module\)/m.exec(c.torch)![1]!;
        const w: Record<string, { data: Float32Array | Int32Array; shape: number[] }> = {};
        for (const p of c.graph.params) w[p.name] = { shape: p.type.shape as number[], data: p.type.dtype === 'f32' ? c.weights!.get(p.name)! : Int32Array.from(c.weights!.get(p.name)!) };
        writeFileSync((job['weights'] = join(dir, `${i}_w.safetensors`)), safetensors(w));
        writeFileSync((job['inputs'] = join(dir, `${i}_x.safetensors`)), safetensors(c.inputs!));
      }
      return job;
    });
    writeFileSync(join(dir, 'jobs.json'), JSON.stringify(jobs));
    const r = spawnSync(python, [join(HERE, 'oracle.py'), join(dir, 'jobs.json')], { encoding: 'utf8', maxBuffer: 1 << 30 });
    if (r.status !== 0) throw new Error(`oracle.py failed (${r.status}):\n${r.stderr}`);
    const results = JSON.parse(r.stdout) as { checker?: string; error?: string; outputs?: Record<string, { data: number[]; shape: number[] }> }[];
    results.forEach((res, i) => {
      const c = cases[i]!;
      if (res.checker && res.checker !== 'ok') c.problems.push(`onnx checker: ${res.checker}`);
      if (res.error) c.problems.push(`torch failed: ${res.error.trim().split('\n').slice(-3).join(' | ')}`);
      if (res.outputs) c.results.torch = Object.fromEntries(Object.entries(res.outputs).map(([k, v]) => [k, { data: Float32Array.from(v.data, (x) => (x === null ? NaN : x)), shape: v.shape }]));
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Compares every engine's outputs with PyTorch's (or, when PyTorch has none, with tfjs-cpu's);
 * returns the problems and the largest error per engine.
 */
export function compareEngines(outputs: readonly string[], results: Partial<Record<Engine, Outputs>>): { problems: string[]; worst: Partial<Record<Engine, number>> } {
  const problems: string[] = [];
  const worst: Partial<Record<Engine, number>> = {};
  const refName: Engine = results.torch ? 'torch' : 'tfjs-cpu';
  const ref = results[refName];
  if (!ref) return { problems, worst };
  for (const engine of ENGINES) {
    const got = results[engine];
    if (!got || engine === refName) continue;
    let w = 0;
    for (const name of outputs) {
      const a = got[name];
      const e = ref[name];
      if (!a || !e) {
        problems.push(`${engine}: output ${name} missing`);
        continue;
      }
      const err = worstError(a, e);
      w = Math.max(w, err);
      if (!(err <= TOLERANCE)) {
        const shapes = a.shape.join() === e.shape.join() ? '' : ` (shape [${a.shape}] vs [${e.shape}])`;
        problems.push(`${engine} vs ${refName}: output ${name} differs by ${err.toExponential(2)}${shapes}`);
      }
    }
    worst[engine] = w;
  }
  return { problems, worst };
}

function compare(c: Prepared): CaseResult {
  const { problems, worst } = c.graph ? compareEngines(c.graph.outputs.map((o) => o.name), c.results) : { problems: [], worst: {} };
  return { program: c.program, problems: [...c.problems, ...problems], worst, refused: c.refused };
}

export interface OracleOptions {
  /** A Python with torch (and onnx for the checker); without it PyTorch and the checker are left out. */
  python?: string;
}

/** Runs a batch of programs through every engine; one result per program, in order. */
export async function runOracle(programs: readonly GeneratedProgram[], opts: OracleOptions = {}): Promise<CaseResult[]> {
  const cases = programs.map(prepare);
  await runTfjs(cases, 'cpu');
  await runTfjs(cases, 'wasm');
  await runOnnxruntime(cases);
  if (opts.python) runPython(cases, opts.python);
  return cases.map(compare);
}

/**
 * The shortest prefix of a failing program that still fails (binary search over the step count;
 * each probe is one oracle run). Cheap enough for a long run's few failures, not for a test.
 */
export async function minimise(result: CaseResult, opts: OracleOptions = {}): Promise<CaseResult> {
  let best = result;
  let lo = 0;
  let hi = result.program.steps;
  while (lo + 1 < hi) {
    const mid = (lo + hi) >> 1;
    const [r] = await runOracle([generateProgram(result.program.seed, mid)], opts);
    if (r!.problems.length > 0) {
      best = r!;
      hi = mid;
    } else lo = mid;
  }
  return best;
}

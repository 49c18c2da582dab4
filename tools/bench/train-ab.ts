/**
 * A/B of dlm's wasm kernels inside the real trainer (`train()` from @dlm/train/node: data, forward,
 * loss, l2, gradients, Adam, metrics, progress) on the MNIST CNN, batch 64, in ONE process, so
 * that the machine's load (it moves by 2–3× from minute to minute here) hits both sides alike.
 * Side A runs the named kernels as tfjs registered them (the originals dlm replaced), or with
 * `--base REV` as git revision REV's packages/tfjs/src/kernels/ made them; side B as this tree
 * registers them. `--hide K` (with or without `--kernels`): side A runs with kernel K unregistered,
 * so that dlm's code that uses K where the backend has it falls back (FusedConv2D). The sides switch after every step (the trainer's progress callback),
 * so both see the same load; `--rounds` epochs of `--samples` embedded digits on $DLM_WASM_THREADS XNNPACK threads (default 1), after
 * one warm-up epoch. Prints each side's step time (min, p25, median: the low quantiles are what a
 * calm machine sees) and their ratios. A step's time runs from one batch event to the next, so it
 * includes batch assembly, metrics and progress.
 *
 *   node --conditions=@dlm/source --import tsx tools/bench/train-ab.ts --kernels Identity,Cast [--rounds 4] [--samples 4096]
 *   node --conditions=@dlm/source --import tsx tools/bench/train-ab.ts --kernels Conv2DBackpropInput --base HEAD~1
 *   … --density   also prints the share of nonzero entries of the swapped kernels' dy (counted outside their timing)
 */
import * as tf from '@tensorflow/tfjs-core';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { PluginRegistry } from '@dlm/core';
import { compileSource } from '@dlm/language';
import { stdPlugin } from '@dlm/plugin-std';
import { createTfjsRuntime, replacedKernel } from '@dlm/tfjs';
import type { TrainEvent } from '@dlm/train';
import { train } from '@dlm/train/node';

const arg = (name: string, fallback: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1]! : fallback;
};
const kernels = arg('kernels', '').split(',').filter(Boolean);
const rounds = Number(arg('rounds', '4'));
const samples = Number(arg('samples', '4096'));
const root = join(fileURLToPath(import.meta.url), '../../..');

const runtime = await createTfjsRuntime('wasm');
const base = arg('base', '');
const sideB = kernels.map((k) => tf.getKernel(k, 'wasm')!);
const sideA = base ? await baseKernels(base) : kernels.map((k) => {
  const original = replacedKernel(k, 'wasm');
  if (!original) throw new Error(`dlm does not replace ${k} on wasm`);
  return original;
});

/** The kernels of git revision `rev` (its packages/tfjs/src/kernels/, written to out/train-ab/ and imported). */
async function baseKernels(rev: string): Promise<tf.KernelConfig[]> {
  const dir = join(root, 'out/train-ab', rev.replace(/[^\w.-]/g, '_'));
  mkdirSync(dir, { recursive: true });
  const files = execFileSync('git', ['ls-tree', '--name-only', `${rev}:packages/tfjs/src/kernels/`], { cwd: root, encoding: 'utf8' }).split('\n').filter((f) => f.endsWith('.ts'));
  for (const f of files) writeFileSync(join(dir, f), execFileSync('git', ['show', `${rev}:packages/tfjs/src/kernels/${f}`], { cwd: root }));
  // The base revision's sources, by path (a benchmark, not a package: check-deps does not apply).
  const conv = (await import(pathToFileURL(join(dir, 'conv-grad.ts')).href)) as Record<string, (b: string) => tf.KernelFunc>;
  const pool = (await import(pathToFileURL(join(dir, 'pool-grad.ts')).href)) as Record<string, tf.KernelFunc>;
  const columnSum = files.includes('column-sum-simd.ts') ? ((await import(pathToFileURL(join(dir, 'column-sum-simd.ts')).href)) as Record<string, (k: tf.KernelFunc) => tf.KernelFunc>) : undefined;
  const make: Record<string, () => tf.KernelFunc> = {
    Conv2DBackpropInput: () => conv['makeConv2DBackpropInput']!('wasm'),
    Conv2DBackpropFilter: () => conv['makeConv2DBackpropFilter']!('wasm'),
    // From 2026-12-04's sixth round on, wasm's MaxPoolGrad is makeMaxPoolGrad(true) (SIMD for max_pool(2)).
    MaxPoolGrad: () => (pool['makeMaxPoolGrad'] ? (pool['makeMaxPoolGrad'] as unknown as (simd: boolean) => tf.KernelFunc)(true) : pool['maxPoolGrad']!),
    ...(columnSum ? { Sum: () => columnSum['makeWasmSum']!(replacedKernel('Sum', 'wasm')!.kernelFunc) } : {}),
  };
  // A kernel the base revision did not replace (no factory above) ran as tfjs registered it there.
  return kernels.map((k) => {
    if (make[k]) return { ...tf.getKernel(k, 'wasm')!, kernelFunc: make[k]!() };
    const original = replacedKernel(k, 'wasm');
    if (!original) throw new Error(`--base: ${k} is neither one of the base revision's kernels nor one dlm replaces`);
    return original;
  });
}
/** Time inside the swapped kernels during the current step (outermost calls only). */
let kernelMs = 0;
let depth = 0;
/** `--density`: the share of nonzero entries in each swapped kernel's dy, by kernel and dy shape (counted outside the timing, on both sides). */
const density = process.argv.includes('--density');
const nonzeroShares = new Map<string, number[]>();
const timed = (f: tf.KernelFunc, name: string): tf.KernelFunc => (a) => {
  const dy = (a.inputs as { dy?: tf.TensorInfo }).dy;
  if (density && depth === 0 && dy) {
    const v = (a.backend as tf.KernelBackend).readSync(dy.dataId) as Float32Array;
    const key = `${name} dy [${dy.shape.join(',')}]`;
    nonzeroShares.set(key, [...(nonzeroShares.get(key) ?? []), v.reduce((n, x) => n + (x !== 0 ? 1 : 0), 0) / v.length]);
  }
  depth++;
  const t0 = performance.now();
  try {
    return f(a);
  } finally {
    depth--;
    if (depth === 0) kernelMs += performance.now() - t0;
  }
};
/** `--hide K`: side A runs with kernel K unregistered, so dlm's code that uses it when present falls back. */
const hidden = arg('hide', '').split(',').filter(Boolean).map((k) => tf.getKernel(k, 'wasm')!);
const use = (set: tf.KernelConfig[]) => {
  for (const h of hidden) {
    if (tf.getKernel(h.kernelName, 'wasm')) tf.unregisterKernel(h.kernelName, 'wasm');
    if (set === sideB) tf.registerKernel({ ...h, setupFunc: undefined });
  }
  for (const c of set) {
    tf.unregisterKernel(c.kernelName, 'wasm');
    tf.registerKernel({ ...c, setupFunc: undefined, kernelFunc: timed(c.kernelFunc, c.kernelName) }); // setupFunc already ran when the backend started
  }
};

const registry = new PluginRegistry();
registry.register(stdPlugin);
const program = compileSource(readFileSync(join(root, 'examples/mnist/mnist_cnn.dlm'), 'utf8'), 'mnist_cnn.dlm', { registry }).program;
const training = program.trainings[0]!;
const data = { name: 'mnist', args: { ...training.data.args, sample: true } };

/** One epoch; the kernels switch side after every step, and each step's time goes to its side. */
const stepMs: Record<'A' | 'B', number[]> = { A: [], B: [] };
const swappedMs: Record<'A' | 'B', number[]> = { A: [], B: [] };
async function epoch(count: boolean): Promise<void> {
  const runDir = mkdtempSync(join(tmpdir(), 'dlm-bench-'));
  let side: 'A' | 'B' = 'A';
  use(sideA);
  let t0 = performance.now();
  const res = await train({
    runtime, program, training, registry, runDir, epochs: 1, data, workers: 1,
    limit: { trainSamples: samples, testSamples: 64 },
    progress: (e: TrainEvent) => {
      if (e.kind !== 'batch') return;
      const t = performance.now();
      if (count && e.batch > 1) {
        stepMs[side].push(t - t0);
        swappedMs[side].push(kernelMs);
      }
      kernelMs = 0;
      side = side === 'A' ? 'B' : 'A';
      use(side === 'A' ? sideA : sideB);
      t0 = performance.now();
    },
  });
  rmSync(runDir, { recursive: true, force: true });
  if (!res.result) throw new Error(res.diagnostics.map((d) => d.message).join('\n'));
}

await epoch(false); // warm-up
for (let r = 0; r < rounds; r++) await epoch(true);
const q = (a: number[], f: number) => [...a].sort((p, r) => p - r)[Math.floor(a.length * f)]!;
// XNNPACK's thread count ($DLM_WASM_THREADS, default 1), as the backend reports it.
const threads = (tf.backend() as unknown as { wasm?: { tfjs?: { getThreadsCount?(): number } } }).wasm?.tfjs?.getThreadsCount?.() ?? 1;
console.log(`MNIST CNN, real trainer, batch 64, wasm ${threads} thread(s), ${rounds} epochs of ${samples} digits, kernels switched after every step; A = ${base ? `${base}'s` : "tfjs'"} ${kernels.join(', ')}${hidden.length ? ` without ${hidden.map((h) => h.kernelName).join(', ')}` : ''}, B = this tree's; Node ${process.version}`);
for (const side of ['A', 'B'] as const) console.log(`${side}: ${stepMs[side].length} steps, ms/step min ${q(stepMs[side], 0).toFixed(2)} p25 ${q(stepMs[side], 0.25).toFixed(2)} median ${q(stepMs[side], 0.5).toFixed(2)}`);
for (const side of ['A', 'B'] as const) console.log(`${side}: the swapped kernels, ms/step min ${q(swappedMs[side], 0).toFixed(2)} p25 ${q(swappedMs[side], 0.25).toFixed(2)} median ${q(swappedMs[side], 0.5).toFixed(2)}`);
for (const [key, v] of nonzeroShares) console.log(`${key}: nonzero share min ${Math.min(...v).toFixed(3)} mean ${(v.reduce((p, r) => p + r, 0) / v.length).toFixed(3)} max ${Math.max(...v).toFixed(3)} over ${v.length} calls`);
console.log(`A/B step time (speed-up of B): min ${(q(stepMs.A, 0) / q(stepMs.B, 0)).toFixed(3)}×, p25 ${(q(stepMs.A, 0.25) / q(stepMs.B, 0.25)).toFixed(3)}×, median ${(q(stepMs.A, 0.5) / q(stepMs.B, 0.5)).toFixed(3)}×`);

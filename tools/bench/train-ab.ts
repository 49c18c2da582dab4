/**
 * A/B of dlm's wasm kernels inside the real trainer (`train()` from @dlm/train/node: data, forward,
 * loss, l2, gradients, Adam, metrics, progress) on the MNIST CNN, batch 64, in ONE process, so
 * that the machine's load (it moves by 2–3× from minute to minute here) hits both sides alike.
 * Side A runs the named kernels as tfjs registered them (the originals dlm replaced), side B as
 * this tree registers them. The sides switch after every step (the trainer's progress callback),
 * so both see the same load; `--rounds` epochs of `--samples` embedded digits on one thread, after
 * one warm-up epoch. Prints each side's step time (min, p25, median: the low quantiles are what a
 * calm machine sees) and their ratios. A step's time runs from one batch event to the next, so it
 * includes batch assembly, metrics and progress.
 *
 *   node --conditions=@dlm/source --import tsx tools/bench/train-ab.ts --kernels Identity,Cast [--rounds 4] [--samples 4096]
 */
import * as tf from '@tensorflow/tfjs-core';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
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
const sideB = kernels.map((k) => tf.getKernel(k, 'wasm')!);
const sideA = kernels.map((k) => {
  const original = replacedKernel(k, 'wasm');
  if (!original) throw new Error(`dlm does not replace ${k} on wasm`);
  return original;
});
const use = (set: tf.KernelConfig[]) => {
  for (const c of set) {
    tf.unregisterKernel(c.kernelName, 'wasm');
    tf.registerKernel({ ...c, setupFunc: undefined }); // setupFunc already ran when the backend started
  }
};

const registry = new PluginRegistry();
registry.register(stdPlugin);
const program = compileSource(readFileSync(join(root, 'examples/mnist/mnist_cnn.dlm'), 'utf8'), 'mnist_cnn.dlm', { registry }).program;
const training = program.trainings[0]!;
const data = { name: 'mnist', args: { ...training.data.args, sample: true } };

/** One epoch; the kernels switch side after every step, and each step's time goes to its side. */
const stepMs: Record<'A' | 'B', number[]> = { A: [], B: [] };
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
      if (count && e.batch > 1) stepMs[side].push(t - t0);
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
console.log(`MNIST CNN, real trainer, batch 64, wasm 1 thread, ${rounds} epochs of ${samples} digits, kernels switched after every step; A = tfjs' ${kernels.join(', ')}, B = dlm's; Node ${process.version}`);
for (const side of ['A', 'B'] as const) console.log(`${side}: ${stepMs[side].length} steps, ms/step min ${q(stepMs[side], 0).toFixed(2)} p25 ${q(stepMs[side], 0.25).toFixed(2)} median ${q(stepMs[side], 0.5).toFixed(2)}`);
console.log(`A/B step time (speed-up of B): min ${(q(stepMs.A, 0) / q(stepMs.B, 0)).toFixed(3)}×, p25 ${(q(stepMs.A, 0.25) / q(stepMs.B, 0.25)).toFixed(3)}×, median ${(q(stepMs.A, 0.5) / q(stepMs.B, 0.5)).toFixed(3)}×`);

/**
 * Where the REAL trainer's step goes (`train()` from @dlm/train/node: data, forward, loss, l2,
 * gradients, Adam, metrics, progress) on the MNIST CNN, batch 64, wasm, one thread: every wasm
 * kernel is wrapped with a timer (outermost calls only, so a kernel's inner calls count in it),
 * over one epoch of `--samples` embedded digits after a warm-up epoch. Prints the trainer's
 * samples/s, the wall time per step, the kernels' share of it and the top kernels. For the bare
 * executor with tf.train.adam, see train-profile.ts; for a JS profile, run this under --cpu-prof.
 *
 *   node --conditions=@dlm/source --import tsx tools/bench/trainer-profile.ts [--samples 8000] [--top 20]
 */
import * as tf from '@tensorflow/tfjs-core';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PluginRegistry } from '@dlm/core';
import { compileSource } from '@dlm/language';
import { stdPlugin } from '@dlm/plugin-std';
import { createTfjsRuntime, setupBackend } from '@dlm/tfjs';
import type { TrainEvent } from '@dlm/train';
import { train } from '@dlm/train/node';

const arg = (name: string, fallback: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1]! : fallback;
};
const samples = Number(arg('samples', '8000'));
const top = Number(arg('top', '20'));
const root = join(fileURLToPath(import.meta.url), '../../..');
// $DLM_WASM_THREADS applies (XNNPACK's own threads); the header says how many the backend got.
const { threads = 1 } = await setupBackend('wasm');
const runtime = await createTfjsRuntime('wasm');

const times = new Map<string, { ms: number; calls: number }>();
let depth = 0;
for (const k of tf.getKernelsForBackend('wasm')) {
  const f = k.kernelFunc;
  tf.unregisterKernel(k.kernelName, 'wasm');
  // setupFunc already ran when the backend started.
  tf.registerKernel({
    ...k,
    setupFunc: undefined,
    kernelFunc: (args) => {
      depth++;
      const t0 = performance.now();
      try {
        return f(args);
      } finally {
        depth--;
        if (depth === 0) {
          const e = times.get(k.kernelName) ?? { ms: 0, calls: 0 };
          e.ms += performance.now() - t0;
          e.calls++;
          times.set(k.kernelName, e);
        }
      }
    },
  });
}

const registry = new PluginRegistry();
registry.register(stdPlugin);
const program = compileSource(readFileSync(join(root, 'examples/mnist/mnist_cnn.dlm'), 'utf8'), 'mnist_cnn.dlm', { registry }).program;
const training = program.trainings[0]!;
const data = { name: 'mnist', args: { ...training.data.args, sample: true } };

async function epoch(): Promise<{ rate: number; steps: number; ms: number }> {
  const runDir = mkdtempSync(join(tmpdir(), 'dlm-bench-'));
  let rate = 0;
  let steps = 0;
  let first = 0;
  let last = 0;
  const res = await train({
    runtime, program, training, registry, runDir, epochs: 1, data, workers: 1,
    limit: { trainSamples: samples, testSamples: 64 },
    progress: (e: TrainEvent) => {
      if (e.kind !== 'batch') return;
      last = performance.now();
      if (e.batch === 1) {
        first = last;
        times.clear(); // from the end of the first step on
      } else steps++;
      rate = e.samplesPerSecond;
    },
  });
  rmSync(runDir, { recursive: true, force: true });
  if (!res.result) throw new Error(res.diagnostics.map((d) => d.message).join('\n'));
  return { rate, steps, ms: last - first };
}

await epoch(); // warm-up
const { rate, steps, ms } = await epoch();
let kernelMs = 0;
let calls = 0;
for (const e of times.values()) {
  kernelMs += e.ms;
  calls += e.calls;
}
console.log(`MNIST CNN, real trainer, batch 64, wasm ${threads} thread${threads === 1 ? '' : 's'}, ${samples} digits; Node ${process.version}`);
console.log(`${rate.toFixed(0)} samples/s; ${(ms / steps).toFixed(2)} ms per step; kernels ${(kernelMs / steps).toFixed(2)} ms per step in ${(calls / steps).toFixed(0)} outermost calls`);
for (const [k, e] of [...times].sort((a, b) => b[1].ms - a[1].ms).slice(0, top)) {
  console.log(`${k.padEnd(28)} ${(e.ms / steps).toFixed(3).padStart(7)} ms/step ${(e.calls / steps).toFixed(1).padStart(6)} calls`);
}

/**
 * Benchmark: training throughput of the real trainer (`train()` from @dlm/train/node on the tfjs runtime: data, forward,
 * loss, gradients, Adam, metrics, progress) on the MNIST CNN, batch 64, embedded MNIST digits,
 * WASM, with the batch split over 1, 2, … threads (data parallelism). Each configuration trains
 * one epoch of 8,000 digits; the figure is the trainer's own samples/s at the epoch's last batch.
 * Configurations alternate for `--rounds` rounds and the best of each is kept.
 *
 *   node --conditions=@dlm/source --import tsx tools/bench/train-parallel.ts [--workers 1,2] [--rounds 2]
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PluginRegistry } from '@dlm/core';
import { compileSource } from '@dlm/language';
import { stdPlugin } from '@dlm/plugin-std';
import { createTfjsRuntime } from '@dlm/tfjs';
import type { TrainEvent } from '@dlm/train';
import { train } from '@dlm/train/node';

const arg = (name: string, fallback: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1]! : fallback;
};
const workerCounts = arg('workers', '1,2').split(',').map(Number);
const rounds = Number(arg('rounds', '2'));
const root = join(fileURLToPath(import.meta.url), '../../..');

const runtime = await createTfjsRuntime('wasm');
const registry = new PluginRegistry();
registry.register(stdPlugin);
const pluginModules = [new URL('../../packages/plugin-std/src/index.ts', import.meta.url).href];
const program = compileSource(readFileSync(join(root, 'examples/mnist/mnist_cnn.dlm'), 'utf8'), 'mnist_cnn.dlm', { registry }).program;
const training = program.trainings[0]!;
const data = { name: 'mnist', args: { ...training.data.args, sample: true } };

/** PyTorch on the same cores, same network and batch (tools/bench/torch_mnist_cnn.py), if installed. */
function torchRate(): number | undefined {
  const r = spawnSync('/usr/bin/python3', [join(root, 'tools/bench/torch_mnist_cnn.py'), '--steps', '40'], { encoding: 'utf8', env: { ...process.env, OMP_NUM_THREADS: '2' } });
  const m = /samples_per_s=([\d.]+)/.exec(r.stdout ?? '');
  return m ? Number(m[1]) : undefined;
}
const torchBefore = torchRate();
const best = new Map<number, number>();
for (let r = 0; r < rounds; r++) {
  for (const workers of workerCounts) {
    const runDir = mkdtempSync(join(tmpdir(), 'dlm-bench-'));
    let rate = 0;
    const res = await train({
      runtime, program, training, registry, runDir, epochs: 1, data, workers, pluginModules,
      limit: { testSamples: 64 },
      progress: (e: TrainEvent) => { if (e.kind === 'batch') rate = e.samplesPerSecond; },
    });
    rmSync(runDir, { recursive: true, force: true });
    if (!res.result) throw new Error(res.diagnostics.map((d) => d.message).join('\n'));
    best.set(workers, Math.max(best.get(workers) ?? 0, rate));
  }
}
console.log(`MNIST CNN, batch 64, Adam, embedded MNIST (8,000 digits, 1 epoch), wasm, best of ${rounds} alternating rounds; Node ${process.version}`);
console.log('| threads | samples/s | vs 1 thread |');
console.log('| ---: | ---: | ---: |');
const base = best.get(workerCounts[0]!)!;
for (const w of workerCounts) console.log(`| ${w} | ${best.get(w)!.toFixed(0)} | ${(best.get(w)! / base).toFixed(2)} |`);
const torch = Math.max(torchBefore ?? 0, torchRate() ?? 0);
if (torch > 0) {
  const top = Math.max(...best.values());
  console.log(`\nPyTorch CPU (torch_mnist_cnn.py, 2 threads, random data, best of a run before and after): ${torch.toFixed(0)} samples/s; dlm's best is ${(top / torch).toFixed(2)}× that.`);
}

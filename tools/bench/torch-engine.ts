/**
 * Speed of `dlm train --engine torch` (benchmark, not a test): the MNIST CNN of
 * examples/mnist/mnist_cnn.dlm on the embedded MNIST sample, batch 64, Adam — against the
 * handwritten PyTorch script tools/bench/torch_mnist_cnn.py (same network, batch and optimizer,
 * random data already in memory, same threads), run before and after in the same process; plus
 * 1 → 2 DDP processes (gloo) and the time to write the shards.
 *
 * Engine samples/s are timed by rank 0's own step lines (`t`) over the last epoch (first to last
 * step), so they include everything per step (data from the memory-mapped shards, the loss sync,
 * progress lines, training outputs for the metrics) but not Python's start or dlm's epoch-end
 * evaluation, which overlaps the next epoch's steps. Run:
 *   npx tsx --conditions=@dlm/source tools/bench/torch-engine.ts [--epochs 2] [--limit 4096]
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir, loadavg } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { PluginRegistry } from '@dlm/core';
import { compileFile } from '@dlm/language';
import { stdPlugin } from '@dlm/plugin-std';
import { createTfjsRuntime } from '@dlm/tfjs';
import { chooseLauncher, findTorchPython, torchEngine } from '@dlm/torch/node';
import { train } from '@dlm/train/node';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../..');
const arg = (name: string, fallback: string): string => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1]! : fallback;
};
const EPOCHS = Number(arg('epochs', '2'));
const LIMIT = Number(arg('limit', '4096'));

const python = findTorchPython().result;
if (!python) {
  console.log('no Python with torch; benchmark skipped');
  process.exit(0);
}

function handwritten(): number {
  const r = spawnSync(python!.python, [path.join(here, 'torch_mnist_cnn.py'), '--steps', '40'], { encoding: 'utf8' });
  const m = /samples_per_s=([\d.]+)/.exec(r.stdout);
  if (!m) throw new Error(r.stdout + r.stderr);
  return Number(m[1]);
}

const registry = new PluginRegistry();
registry.register(stdPlugin);
const file = path.join(root, 'examples/mnist/mnist_cnn.dlm');
const compiled = compileFile(file, { registry });
const runtime = await createTfjsRuntime('wasm');

async function engineRun(nproc: number): Promise<{ samplesPerSecond: number; shardSeconds: number }> {
  const runDir = mkdtempSync(path.join(tmpdir(), 'dlm-bench-torch-'));
  const launch = { nprocPerNode: nproc, masterPort: 29400 + Math.floor(Math.random() * 500) };
  let shardSeconds = Number.NaN;
  const steps: { epoch: number; step: number; t: number }[] = [];
  const engine = torchEngine({
    python: python!,
    launcher: chooseLauncher(python!, launch),
    launch,
    device: 'cpu',
    workDir: path.join(runDir, '.torch'),
    onEvent: (e) => {
      if (e['event'] === 'step') steps.push({ epoch: e['epoch'] as number, step: e['step'] as number, t: e['t'] as number });
    },
    log: (m) => {
      const s = /in ([\d.]+) s$/.exec(m);
      if (s) shardSeconds = Number(s[1]);
    },
  });
  const r = await train({
    runtime,
    program: compiled.program,
    training: compiled.program.trainings[0]!,
    registry,
    runDir,
    epochs: EPOCHS,
    limit: { trainSamples: LIMIT, testSamples: 256 },
    engine,
  });
  rmSync(runDir, { recursive: true, force: true });
  if (!r.result) throw new Error(JSON.stringify(r.diagnostics));
  const last = steps.filter((s) => s.epoch === EPOCHS);
  const first = last[0]!;
  const end = last[last.length - 1]!;
  // Full batches between the first and the last step of the epoch, timed by rank 0 itself.
  return { samplesPerSecond: ((end.step - first.step) * 64) / (end.t - first.t), shardSeconds };
}

console.log(`torch ${python.torchVersion} at ${python.python}; ${EPOCHS} epochs of ${LIMIT} samples, batch 64; load average ${loadavg().map((l) => l.toFixed(1)).join(' ')}`);
const before = handwritten();
const one = await engineRun(1);
const two = await engineRun(2);
const after = handwritten();
const reference = Math.max(before, after);
console.log(`handwritten torch_mnist_cnn.py: ${before.toFixed(0)} / ${after.toFixed(0)} samples/s (before / after; best ${reference.toFixed(0)})`);
console.log(`--engine torch, 1 process:   ${one.samplesPerSecond.toFixed(0)} samples/s = ${(one.samplesPerSecond / reference).toFixed(2)}× the handwritten script`);
console.log(`--engine torch, 2 processes: ${two.samplesPerSecond.toFixed(0)} samples/s = ${(two.samplesPerSecond / one.samplesPerSecond).toFixed(2)}× one process`);
console.log(`shards: ${LIMIT} samples written in ${one.shardSeconds.toFixed(2)} s`);
console.log(`load average after: ${loadavg().map((l) => l.toFixed(1)).join(' ')}`);

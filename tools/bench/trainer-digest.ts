/**
 * A digest of a whole training run, to show that a change to the trainer's speed left its numbers
 * alone: the real trainer (`train()` from @dlm/train/node) on the MNIST CNN (dropout, l2, Adam,
 * accuracy and recall), 2 epochs of 640 embedded digits, on `--backend` (wasm or cpu; cpu is slow
 * here, ~20 s a step); prints the history (loss and metrics, training and validation, to the last
 * digit) and the sha256 of the final weights and Adam slots. Run it in two checkouts (for example a
 * `git archive` of the base commit next to this tree) and compare the output.
 *
 *   node --conditions=@dlm/source --import tsx tools/bench/trainer-digest.ts [--backend wasm]
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PluginRegistry } from '@dlm/core';
import { compileSource } from '@dlm/language';
import { stdPlugin } from '@dlm/plugin-std';
import { createTfjsRuntime } from '@dlm/tfjs';
import { train } from '@dlm/train/node';

const arg = (name: string, fallback: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1]! : fallback;
};
const root = join(fileURLToPath(import.meta.url), '../../..');
const runtime = await createTfjsRuntime(arg('backend', 'wasm') as 'wasm' | 'cpu');
const registry = new PluginRegistry();
registry.register(stdPlugin);
const program = compileSource(readFileSync(join(root, 'examples/mnist/mnist_cnn.dlm'), 'utf8'), 'mnist_cnn.dlm', { registry }).program;
const training = program.trainings[0]!;
const runDir = mkdtempSync(join(tmpdir(), 'dlm-digest-'));
try {
  const res = await train({
    runtime, program, training, registry, runDir, epochs: 2, workers: 1,
    data: { name: 'mnist', args: { ...training.data.args, sample: true } },
    limit: { trainSamples: 640, testSamples: 128 },
  });
  if (!res.result) throw new Error(res.diagnostics.map((d) => d.message).join('\n'));
  const hash = createHash('sha256');
  for (const f of ['weights.safetensors', 'optimizer.safetensors']) hash.update(readFileSync(join(res.result.checkpoint!, f)));
  console.log(JSON.stringify(res.result.history.map((e) => ({ loss: e.loss, metrics: e.metrics, val: e.val }))));
  console.log(`weights + Adam slots sha256 ${hash.digest('hex')}`);
} finally {
  rmSync(runDir, { recursive: true, force: true });
}

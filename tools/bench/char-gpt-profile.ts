/**
 * Where dlm's char GPT training step spends its time, per tfjs kernel (every kernel of the backend
 * wrapped with a timer; nested kernels are counted in their callers too), and how many times each
 * runs. For finding what makes dlm slower than the hand-written model of char-gpt-step.ts.
 *
 * Run: npx tsx --conditions=@dlm/source tools/bench/char-gpt-profile.ts [--backend wasm] [--batch 16] [--steps 3]
 */
import * as tf from '@tensorflow/tfjs-core';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { initializeParams, PluginRegistry } from '@dlm/core';
import { compileSource } from '@dlm/language';
import { stdPlugin } from '@dlm/plugin-std';
import { GraphExecutor, setupBackend, type BackendName } from '@dlm/tfjs';

const arg = (name: string, fallback: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1]! : fallback;
};
const BACKEND = arg('backend', 'wasm') as BackendName;
const BATCH = Number(arg('batch', '16'));
const STEPS = Number(arg('steps', '3'));
/** Break each kernel's time down by its input shapes and attributes. */
const BY_SHAPE = process.argv.includes('--shapes');
const [V, T] = [58, 64];

await setupBackend(BACKEND, {});
const times = new Map<string, [number, number]>();
for (const k of tf.getKernelsForBackend(tf.getBackend())) {
  const f = k.kernelFunc;
  tf.unregisterKernel(k.kernelName, k.backendName);
  tf.registerKernel({
    ...k,
    kernelFunc: (a) => {
      const t0 = performance.now();
      const r = f(a);
      const key = BY_SHAPE ? `${k.kernelName} ${Object.values(a.inputs).map((t) => `[${t!.shape.join(',')}]`).join(' ')} ${JSON.stringify(a.attrs ?? {})}` : k.kernelName;
      const e = times.get(key) ?? [0, 0];
      e[0] += performance.now() - t0;
      e[1]++;
      times.set(key, e);
      return r;
    },
  });
}
const registry = new PluginRegistry();
registry.register(stdPlugin);
const file = fileURLToPath(new URL('../../examples/transformer/char_gpt.dlm', import.meta.url));
const g = compileSource(fs.readFileSync(file, 'utf8'), path.basename(file), { registry }).program.models[0]!;
const exec = GraphExecutor.create(g).result!;
const init = initializeParams(g, 1);
const params = new Map(g.params.map((p) => [p.name, tf.variable(tf.tensor(init.get(p.name)!, p.type.shape as number[]), p.trainable)]));
const opt = tf.train.adam(1e-3);
const x = tf.randomUniform([BATCH, T], 0, V, 'int32', 1);
const y = tf.randomUniform([BATCH, T], 0, V, 'int32', 2);
const loss = (i: number) => {
  const logits = exec.run(params, { chars: x }, { training: true, seed: i }).outputs['logits']!;
  const flat = tf.reshape(logits, [-1, V]);
  return tf.neg(tf.mean(tf.sum(tf.mul(tf.logSoftmax(flat), tf.oneHot(tf.reshape(y, [-1]) as tf.Tensor1D, V)), 1))) as tf.Scalar;
};
const step = (i: number) => opt.minimize(() => loss(i), true)!;
await step(0).data();
times.clear();
const t0 = performance.now();
for (let i = 1; i <= STEPS; i++) {
  const l = step(i);
  await l.data();
  l.dispose();
}
const total = (performance.now() - t0) / STEPS;
console.log(`${tf.getBackend()}: ${total.toFixed(0)} ms/step, batch ${BATCH}; ${g.nodes.length} IR nodes`);
const ops = new Map<string, number>();
for (const n of g.nodes) ops.set(n.op, (ops.get(n.op) ?? 0) + 1);
console.log('IR ops:', [...ops].sort((a, b) => b[1] - a[1]).map(([o, n]) => `${o} ${n}`).join(', '));
for (const [k, [t, n]] of [...times].sort((a, b) => b[1][0] - a[1][0]).slice(0, BY_SHAPE ? 45 : 30)) {
  console.log(k.padEnd(BY_SHAPE ? 90 : 28), (t / STEPS).toFixed(1).padStart(8), 'ms/step', String(Math.round(n / STEPS)).padStart(6), 'calls');
}

/**
 * Where a char GPT training step spends its time (dlm's, or with --model hand the hand-written one
 * of char-gpt-models.ts), per tfjs kernel (every kernel of the backend wrapped with a timer; nested
 * kernels are counted in their callers too), and how many times each runs.
 *
 * Run: npx tsx --conditions=@dlm/source tools/bench/char-gpt-profile.ts [--model dlm|hand] [--backend wasm] [--batch 16] [--steps 3] [--shapes]
 */
import * as tf from '@tensorflow/tfjs-core';
import { setupBackend, type BackendName } from '@dlm/tfjs';
import { byHandStep, dlmStep, gptGraph } from './char-gpt-models.js';

const arg = (name: string, fallback: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1]! : fallback;
};
const BACKEND = arg('backend', 'wasm') as BackendName;
const BATCH = Number(arg('batch', '16'));
const STEPS = Number(arg('steps', '3'));
const MODEL = arg('model', 'dlm') as 'dlm' | 'hand';
/** Break each kernel's time down by its input shapes and attributes. */
const BY_SHAPE = process.argv.includes('--shapes');

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
const g = gptGraph();
const model = MODEL === 'hand' ? byHandStep(BATCH) : dlmStep(g, BATCH);
const step = (i: number) => model.step(i);
await step(0).data();
times.clear();
const t0 = performance.now();
for (let i = 1; i <= STEPS; i++) {
  const l = step(i);
  await l.data();
  l.dispose();
}
const total = (performance.now() - t0) / STEPS;
console.log(`${MODEL} on ${tf.getBackend()}: ${total.toFixed(0)} ms/step, batch ${BATCH}`);
if (MODEL === 'dlm') {
  const ops = new Map<string, number>();
  for (const n of g.nodes) ops.set(n.op, (ops.get(n.op) ?? 0) + 1);
  console.log(`IR ops (${g.nodes.length}):`, [...ops].sort((a, b) => b[1] - a[1]).map(([o, n]) => `${o} ${n}`).join(', '));
}
for (const [k, [t, n]] of [...times].sort((a, b) => b[1][0] - a[1][0]).slice(0, BY_SHAPE ? 45 : 30)) {
  console.log(k.padEnd(BY_SHAPE ? 90 : 28), (t / STEPS).toFixed(1).padStart(8), 'ms/step', String(Math.round(n / STEPS)).padStart(6), 'calls');
}

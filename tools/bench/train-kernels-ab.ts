/**
 * Before/after for wasm kernel changes, in ONE process (so that the machine's load, which moves
 * by 2–3× from minute to minute here, hits both sides alike): a training step of the MNIST CNN
 * (batch 64: forward, loss, gradients, Adam; as train-profile.ts) with the kernels of `--base`
 * (a git revision: its packages/tfjs/src/kernels/{conv-grad,pool-grad}.ts, written to
 * out/kernels-ab/ and imported) against this tree's, alternating every 5 steps. Prints the min and
 * median step time of each and the per-step time of each swapped kernel (outermost calls: the
 * GEMM inside Conv2DBackpropInput counts there, not under BatchMatMul).
 * The kernels swapped: BatchMatMul (base: tfjs-wasm's own), Conv2DBackpropInput, MaxPoolGrad.
 *
 *   node --conditions=@dlm/source --import tsx tools/bench/train-kernels-ab.ts --base 75bf6c5 [--steps 100]
 */
import * as tf from '@tensorflow/tfjs-core';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { PluginRegistry } from '@dlm/core';
import { compileSource } from '@dlm/language';
import { stdPlugin } from '@dlm/plugin-std';
import { GraphExecutor, replacedKernel, setupBackend } from '@dlm/tfjs';

const arg = (name: string, fallback: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1]! : fallback;
};
const base = arg('base', 'main');
const steps = Number(arg('steps', '100'));
const root = join(fileURLToPath(import.meta.url), '../../..');
const dir = join(root, 'out/kernels-ab', base.replace(/[^\w.-]/g, '_'));
fs.mkdirSync(dir, { recursive: true });
for (const f of ['conv-grad', 'pool-grad', 'util']) {
  fs.writeFileSync(join(dir, `${f}.ts`), execFileSync('git', ['show', `${base}:packages/tfjs/src/kernels/${f}.ts`], { cwd: root }));
}
// The base revision's sources, by path (a benchmark, not a package: check-deps does not apply).
const oldConv = (await import(pathToFileURL(join(dir, 'conv-grad.ts')).href)) as { makeConv2DBackpropInput(b: string): tf.KernelFunc };
const oldPool = (await import(pathToFileURL(join(dir, 'pool-grad.ts')).href)) as { maxPoolGrad: tf.KernelFunc };

await setupBackend('wasm');
const names = ['BatchMatMul', 'Conv2DBackpropInput', 'MaxPoolGrad'];
const after = Object.fromEntries(names.map((k) => [k, tf.getKernel(k, 'wasm')!]));
const before: Record<string, tf.KernelConfig> = {
  BatchMatMul: replacedKernel('BatchMatMul', 'wasm') ?? after['BatchMatMul']!,
  Conv2DBackpropInput: { ...after['Conv2DBackpropInput']!, kernelFunc: oldConv.makeConv2DBackpropInput('wasm') },
  MaxPoolGrad: { ...after['MaxPoolGrad']!, kernelFunc: oldPool.maxPoolGrad },
};
let side = 'before';
let depth = 0;
const kernelMs: Record<string, number> = {};
const use = (set: Record<string, tf.KernelConfig>) => {
  side = set === after ? 'after' : 'before';
  for (const [k, c] of Object.entries(set)) {
    tf.unregisterKernel(k, 'wasm');
    const f = c.kernelFunc;
    // setupFunc already ran when the backend started.
    tf.registerKernel({ ...c, setupFunc: undefined, kernelFunc: (a) => { depth++; const t0 = performance.now(); const r = f(a); const dt = performance.now() - t0; depth--; if (depth === 0) kernelMs[`${side} ${k}`] = (kernelMs[`${side} ${k}`] ?? 0) + dt; return r; } });
  }
};

const registry = new PluginRegistry();
registry.register(stdPlugin);
const g = compileSource(fs.readFileSync(join(root, 'examples/mnist/mnist_cnn.dlm'), 'utf8'), 'mnist_cnn.dlm', { registry }).program.models[0]!;
const exec = GraphExecutor.create(g).result!;
const params = new Map(g.params.map((p) => [p.name, tf.variable(tf.randomUniform(p.type.shape as number[], -0.1, 0.1))]));
const opt = tf.train.adam(1e-3);
const x = tf.randomUniform([64, 1, 28, 28]);
const y = tf.randomUniform([64], 0, 10, 'int32');
const step = (i: number) => opt.minimize(() => tf.neg(tf.mean(tf.sum(tf.mul(exec.run(params, { image: x }, { training: true, seed: i }).outputs['logits']!, tf.oneHot(y as tf.Tensor1D, 10)), 1))) as tf.Scalar, true)!;
const run = async (i: number) => { const l = step(i); await l.data(); l.dispose(); };

for (let i = 0; i < 6; i++) { use(i % 2 ? after : before); for (let j = 0; j < 3; j++) await run(j); }
const stepMs: Record<string, number[]> = { before: [], after: [] };
const perKernel: Record<string, number[]> = {};
for (const k of Object.keys(kernelMs)) delete kernelMs[k];
for (let r = 0; r < steps / 5; r++) {
  for (const [name, set] of [['before', before], ['after', after]] as const) {
    use(set);
    for (let j = 0; j < 5; j++) {
      const snap = { ...kernelMs };
      const t0 = performance.now();
      await run(j);
      stepMs[name]!.push(performance.now() - t0);
      for (const k of Object.keys(kernelMs)) if (k.startsWith(name)) (perKernel[k] ??= []).push(kernelMs[k]! - (snap[k] ?? 0));
    }
  }
}
const stat = (a: number[]) => { const s = [...a].sort((p, q) => p - q); return { min: s[0]!, med: s[s.length >> 1]! }; };
const b = stat(stepMs['before']!);
const a = stat(stepMs['after']!);
console.log(`MNIST CNN step (batch 64, Adam), wasm 1 thread, ${steps} steps each alternating every 5; kernels of ${base} (before) vs this tree (after); Node ${process.version}`);
console.log(`step ms: before min ${b.min.toFixed(1)} median ${b.med.toFixed(1)}; after min ${a.min.toFixed(1)} median ${a.med.toFixed(1)}; speed-up min ${(b.min / a.min).toFixed(2)}× median ${(b.med / a.med).toFixed(2)}×`);
for (const [k, v] of Object.entries(perKernel).sort()) { const s = stat(v); console.log(`  ${k.padEnd(30)} min ${s.min.toFixed(2)} median ${s.med.toFixed(2)} ms/step`); }

/**
 * BatchNormalization in training mode where a channel's mean dwarfs its spread, on cpu and wasm,
 * against float64 loops. The wasm backend sums in float32 one element after another: over
 * 64·24·24 positions a constant channel of 300.3 got a batch mean 0.01 off, which 1/√eps turned
 * into outputs of 0.96 where PyTorch and tfjs-cpu give 0 (the same weakness as layer_norm's,
 * found by the differential fuzzer there).
 */
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { mulberry32, PluginRegistry } from '@dlm/core';
import { compileSource } from '@dlm/language';
import { stdPlugin } from '@dlm/plugin-std';
import { GraphExecutor, setupBackend } from '../src/index.js';

const [N, H, W, C] = [64, 24, 24, 4];
const registry = new PluginRegistry();
registry.register(stdPlugin);
const graph = compileSource(`model M {\n  input x: f32[batch, ${C}, ${H}, ${W}]\n  output y: f32[batch, ${C}, ${H}, ${W}]\n  y = x |> batch_norm\n}\n`, 'm.dlm', { registry }).program.models[0]!;

/** Per channel of an NCHW batch: (x − mean) / √(var + 1e-5) in float64, and the mean. */
function reference(x: Float32Array): { y: Float64Array; mean: number[] } {
  const y = new Float64Array(x.length);
  const plane = H * W;
  const mean: number[] = [];
  for (let c = 0; c < C; c++) {
    const at = (n: number, i: number) => (n * C + c) * plane + i;
    let m = 0;
    for (let n = 0; n < N; n++) for (let i = 0; i < plane; i++) m += x[at(n, i)]!;
    m /= N * plane;
    let v = 0;
    for (let n = 0; n < N; n++) for (let i = 0; i < plane; i++) v += (x[at(n, i)]! - m) ** 2;
    v /= N * plane;
    for (let n = 0; n < N; n++) for (let i = 0; i < plane; i++) y[at(n, i)] = (x[at(n, i)]! - m) / Math.sqrt(v + 1e-5);
    mean.push(m);
  }
  return { y, mean };
}

const r = mulberry32(3);
const gauss = () => Math.sqrt(-2 * Math.log(1 - r())) * Math.cos(2 * Math.PI * r());
const channels: ((i: number) => number)[] = [() => 300.3, () => -7.742402, () => 1000 + 0.1 * gauss(), () => gauss()];
const x = new Float32Array(N * C * H * W);
for (let n = 0; n < N; n++) for (let c = 0; c < C; c++) for (let i = 0; i < H * W; i++) x[(n * C + c) * H * W + i] = channels[c]!(i);

describe.each(['cpu', 'wasm'] as const)('batch_norm in training mode on %s', (backend) => {
  it('constant channels normalize to exactly 0; the others within 5e-5 of float64; the running mean follows', async () => {
    await setupBackend(backend);
    const exec = GraphExecutor.create(graph).result!;
    const params = new Map(graph.params.map((p) => [p.name, tf.tensor(new Float32Array(p.type.shape.reduce<number>((a, d) => a * (d as number), 1)).fill(/weight|var/.test(p.name) ? 1 : 0), p.type.shape as number[])]));
    const input = tf.tensor(x, [N, C, H, W]);
    const { outputs, bufferUpdates } = exec.run(params, { x: input }, { training: true });
    const y = outputs['y']!.dataSync();
    const want = reference(x);
    const plane = H * W;
    for (let c = 0; c < C; c++) {
      let worst = 0;
      for (let n = 0; n < N; n++) for (let i = 0; i < plane; i++) worst = Math.max(worst, Math.abs(y[(n * C + c) * plane + i]! - want.y[(n * C + c) * plane + i]!));
      expect(worst, `channel ${c}`).toBeLessThanOrEqual(c < 2 ? 0 : 5e-5);
    }
    const meanName = graph.params.find((p) => p.buffer && /mean/.test(p.name))!.name;
    const momentum = graph.nodes.find((nd) => nd.op === 'BatchNormalization')!.attrs['momentum'] as number;
    const running = bufferUpdates.get(meanName)!.dataSync();
    want.mean.forEach((m, c) => expect(Math.abs(running[c]! - m * (1 - momentum))).toBeLessThanOrEqual(1e-5 * Math.max(1, Math.abs(m))));
    tf.dispose([input, ...params.values(), ...Object.values(outputs), ...bufferUpdates.values()]);
  });
});

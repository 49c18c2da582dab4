/**
 * The one-kernel Adam update (src/kernels/adam.ts, `TensorMath.adamUpdate`) against the composed
 * update, on wasm and cpu: plugin-std's adam and adamw (with weight decay), run for several steps
 * with the fused kernel and with it hidden (the composition of ~13 tfjs ops), must agree BIT FOR
 * BIT — parameters and both moment slots — including gradients of mixed magnitude, zeros and a
 * bias-correction early in training.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Args, TensorMath } from '@dlm/core';
import { stdPlugin } from '@dlm/plugin-std';
import { beforeAll, describe, expect, test } from 'vitest';
import { createTfjsMath, setupBackend } from '../src/index.js';

const optimizer = (name: string) => stdPlugin.optimizers!.find((o) => o.name === name)!;

function values(n: number, seed: number, scale: number): Float32Array {
  let s = seed;
  return Float32Array.from({ length: n }, (_, i) => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    const u = s / 2 ** 32 - 0.5;
    return i % 17 === 0 ? 0 : u * scale * (i % 3 === 0 ? 1e-4 : 1); // zeros and small values too
  });
}

async function train(math: TensorMath<tf.Tensor>, name: string, args: Args, shape: number[], steps: number) {
  const n = shape.reduce((a, b) => a * b, 1);
  const opt = optimizer(name);
  let param = tf.tensor(values(n, 1, 0.5), shape);
  let slots = tf.tidy(() => opt.initSlots(math, param, args));
  for (let step = 1; step <= steps; step++) {
    const grad = tf.tensor(values(n, 100 + step, step % 2 ? 2 : 0.01), shape);
    const u = tf.tidy(() => {
      const r = opt.update(math, param, grad, slots, args, 1e-3 * (1 + step / 7), step);
      return { param: r.param, slots: r.slots };
    });
    tf.dispose([param, grad, ...Object.values(slots)]);
    param = u.param;
    slots = u.slots;
  }
  const out = [await param.data(), ...(await Promise.all(Object.values(slots).map((s) => s.data())))] as Float32Array[];
  tf.dispose([param, ...Object.values(slots)]);
  return out;
}

describe('fused Adam update equals the composed ops bit for bit', { timeout: 60_000 }, () => {
  beforeAll(async () => {
    await setupBackend('wasm');
    await setupBackend('cpu');
  }, 120_000);
  const cases: [string, Args][] = [
    ['adam', { lr: 1e-3, beta1: 0.9, beta2: 0.999, eps: 1e-8, weight_decay: 0 }],
    ['adam', { lr: 1e-3, beta1: 0.8, beta2: 0.99, eps: 1e-6, weight_decay: 0.01 }],
    ['adamw', { lr: 1e-3, beta1: 0.9, beta2: 0.999, eps: 1e-8, weight_decay: 0.01 }],
  ];
  for (const backend of ['wasm', 'cpu'] as const) {
    for (const [name, args] of cases) {
      test(`${backend}: ${name} ${JSON.stringify(args)}`, async () => {
        await setupBackend(backend);
        const math = createTfjsMath(0);
        let fusedCalls = 0;
        const counting: TensorMath<tf.Tensor> = { ...math, adamUpdate: (...a) => (fusedCalls++, math.adamUpdate!(...a)) };
        const composed: TensorMath<tf.Tensor> = { ...math, adamUpdate: undefined };
        for (const shape of [[5, 5, 1, 10], [37], [320, 50]]) {
          const before = tf.memory().numTensors;
          const fused = await train(counting, name, args, shape, 6);
          const reference = await train(composed, name, args, shape, 6);
          expect(tf.memory().numTensors).toBe(before);
          for (let k = 0; k < 3; k++) {
            const a = fused[k]!;
            const b = reference[k]!;
            const differing = a.findIndex((x, i) => !Object.is(x, b[i]));
            expect(differing, `${shape} output ${k} first difference at ${differing}: ${a[differing]} vs ${b[differing]}`).toBe(-1);
          }
        }
        expect(fusedCalls).toBe(18);
      });
    }
  }
  test('non-float tensors (and backends without the kernel, webgpu) get undefined: the caller composes the ops', async () => {
    await setupBackend('cpu');
    const math = createTfjsMath(0);
    const t = tf.zeros([2]);
    const i = tf.zeros([2], 'int32');
    expect(math.adamUpdate!(i, t, t, t, { beta1: 0.9, beta2: 0.999, eps: 1e-8, stepSize: 1e-3, sqrtBc2: 0.03 })).toBeUndefined();
    tf.dispose([t, i]);
  });
});
